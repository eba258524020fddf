#include "common.hpp"

#include <render/yaml_emit.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <algorithm>

#include <iostream>
#include <iterator>
#include <unistd.h>

namespace kms::cli {

void add_global_flags(CLI::App& app, GlobalOptions& g)
{
    const char* group = "Global options";
    app.add_option("--kubeconfig", g.kube.kubeconfig, "Path to the kubeconfig file")->group(group);
    app.add_option("--context", g.kube.context, "The kubeconfig context to use")->group(group);
    app.add_option("--cluster", g.kube.cluster, "The kubeconfig cluster to use")->group(group);
    app.add_option("--user", g.kube.user, "The kubeconfig user to use")->group(group);
    app.add_option("-n,--namespace", g.kube.namespace_, "The namespace (default: from the context)")->group(group);
    app.add_option("-s,--server", g.kube.server, "The address of the API server")->group(group);
    app.add_option("--token", g.kube.token, "Bearer token for the API server (prefer a kubeconfig: argv is visible)")
        ->group(group);
    app.add_option("--certificate-authority", g.kube.certificate_authority, "Path to a CA bundle for the API server")
        ->group(group);
    app.add_flag("--insecure-skip-tls-verify", g.kube.insecure_skip_tls_verify,
                 "Do not verify the API server's certificate (unsafe)")
        ->group(group);
    app.add_option("--request-timeout", g.kube.request_timeout, "Timeout of one request, e.g. 10s, 1m (0: none)")
        ->group(group);
    app.add_option("-v,--v", g.verbosity, "Log verbosity (6: requests, 8: bodies; secrets are redacted)")
        ->group(group)
        // kubectl's spelling -v=9: CLI11 hands a short option "=9".
        ->transform([](std::string s) { return !s.empty() && s[0] == '=' ? s.substr(1) : s; });
}

void add_service_flags(CLI::App& sub, ServiceInput& in)
{
    sub.add_option("-f,--filename", in.files, "Service file, directory, - for stdin, or git+URL//PATH@REF (repeatable)")
        ->group(k_service_flags_group);
    add_override_flags(sub, in.overrides, in.git, true);
}

void add_override_flags(CLI::App& sub, spec::Overrides& o, GitFlags& git, bool git_sources)
{
    const char* group = k_service_flags_group;
    sub.add_option("--name", o.name, "Service name (DNS-1123 label)")->group(group);
    sub.add_option("--image", o.image, "Container image")->group(group);
    sub.add_option("--environment", o.environment, "Environment preset from the user config")->group(group);
    sub.add_option("--port", o.port, "Container port (default 8787)")->group(group);
    sub.add_option("--min-replicas", o.min_replicas, "Minimum replicas")->group(group);
    sub.add_option("--max-replicas", o.max_replicas, "Maximum replicas (> min renders an HPA)")->group(group);
    sub.add_option("--cpu", o.cpu, "CPU request (limit: twice it)")->group(group);
    sub.add_option("--memory", o.memory, "Memory request (limit: twice it)")->group(group);
    sub.add_option("--gpu", o.gpu, "GPUs (nvidia.com/gpu)")->group(group);
    sub.add_option("--env", o.env, "Environment variable K=V (repeatable)")->group(group);
    sub.add_option("--param", o.params, "Parameter K=V: env K and HYPERPLANE_JOB_PARAMETER_K (repeatable)")
        ->group(group);
    sub.add_flag("--no-legacy-params", o.no_legacy_params, "Do not export HYPERPLANE_JOB_PARAMETER_* names")
        ->group(group);
    sub.add_option("--secret", o.secrets, "Secret NAME or NAME:key1,key2 to mount and export (repeatable)")
        ->group(group);
    sub.add_option("--git-repo", o.git_repo, "Git repository cloned into the service")->group(group);
    sub.add_option("--branch", o.branch, "Git branch")->group(group);
    sub.add_option("--commit", o.commit, "Git commit to pin")->group(group);
    sub.add_option("--git-secret", o.git_secret, "Secret with git credentials (mounted only into the clone step)")
        ->group(group);
    if (git_sources) {
        add_git_flags(sub, git);
    } else {
        add_git_access_flags(sub, git);
    }
    sub.add_option("--script", o.script, "Bash script to run, relative to the repository root")->group(group);
    sub.add_option("--pipeline", o.pipeline, "Shakudo pipeline YAML to run, relative to the repository root")
        ->group(group);
    sub.add_option("--working-dir", o.working_dir, "Working directory inside the repository")->group(group);
    sub.add_option("--health-path", o.health_path, "HTTP path for readiness and liveness probes")->group(group);
    sub.add_option("--service-type", o.service_type, "ClusterIP, NodePort or LoadBalancer")->group(group);
    sub.add_option("--opta-env", o.opta_env, "Opta files: the environment whose variables fill {vars.X} "
                                             "(default: the first)")
        ->group(group);
    add_expose_flags(sub, o.expose);
}

void add_service_name(CLI::App& sub, std::string& name, const std::string& help)
{
    sub.add_option("NAME", name, help)->required();
}

CLI::Option* add_output_flag(CLI::App& sub, std::string& value, const std::vector<std::string>& formats,
                             const std::string& help)
{
    return sub.add_option("-o,--output", value, help)->type_name(util::join(formats, "|"));
}

void check_output_format(const std::string& value, const std::vector<std::string>& allowed)
{
    if (!value.empty() && std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
        throw Error(fmt::format("flag --output: unknown format \"{}\": use {}", value, util::join(allowed, ", ")),
                    ExitCode::usage);
    }
}

std::string structured_output(const Json& value, const std::string& format)
{
    return format == "yaml" ? render::to_yaml(value) : value.dump(2) + "\n";
}

const std::string& stdin_text()
{
    static const std::string text(std::istreambuf_iterator<char>(std::cin), {});
    return text;
}

static std::string current_dir()
{
    char buf[4096];
    return ::getcwd(buf, sizeof buf) != nullptr ? std::string(buf) : std::string(".");
}

LoadedInput load_input(const ServiceInput& in, const GlobalOptions& g)
{
    LoadedInput out;
    out.config = spec::load_config(spec::default_config_path(), util::real_fs());
    spec::LoadInput li;
    li.files = in.files;
    li.cwd = current_dir();
    li.overrides = in.overrides;
    if (!g.kube.namespace_.empty()) {
        li.overrides.namespace_ = g.kube.namespace_;
    }
    for (const auto& f : in.files) {
        if (f == "-") {
            li.stdin_text = stdin_text();
        }
    }
    if (in.files.empty() && in.git.spec.empty() && !in.overrides.image && !in.overrides.environment) {
        throw Error("no service given: use -f FILE|DIR|- or at least --image (see --help)", ExitCode::usage);
    }
    // Git sources are resolved and mounted first; branches are pinned once names are known.
    auto sources = make_sources(in.git, g.verbosity, li.cwd);
    sources.prepare(li);
    out.loaded = spec::load_services(li, out.config, sources.fs());
    sources.pin(out.loaded.services);
    for (const auto& w : out.loaded.warnings) {
        std::cerr << w << '\n';
    }
    return out;
}

} // namespace kms::cli
