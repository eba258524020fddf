#include "auth_flags.hpp"
#include "kube_flags.hpp"
#include "verbs.hpp"

#include <oidc/body.hpp>
#include <oidc/call.hpp>
#include <oidc/cluster_target.hpp>
#include <oidc/history.hpp>
#include <oidc/jwt.hpp>
#include <oidc/target.hpp>
#include <spec/config.hpp>
#include <util/clock.hpp>
#include <util/duration.hpp>
#include <util/env.hpp>
#include <util/fs.hpp>
#include <util/quantity.hpp>
#include <util/terminal.hpp>

#include <iostream>

namespace kms::cli {

namespace {

struct CallOptions
{
    AuthFlags auth;
    ServiceInput input; // -f: the service files NAME is looked up in
    std::string target;
    std::string path;
    std::string method;
    std::vector<std::string> headers;
    std::optional<std::string> data;
    bool json = false;
    bool include = false;
    std::string output;
    std::string max_body = "10Mi";
    std::string timeout;
    bool save_body = false;
    bool no_history = false;
    bool history = false;
    std::optional<int> replay;
    bool no_auth = false;
    bool internal = false;
};

// What to send, and with which token (or through which API server).
struct Prepared
{
    oidc::CallRequest request;
    std::optional<oidc::TokenRequest> auth;
    std::optional<Cluster> cluster;        // NAME resolved in the cluster, or --internal
    std::optional<std::string> proxy_path; // --internal: the service proxy path
};

// -d DATA, -d @FILE, -d @- (standard input).
std::string read_data(const std::string& data)
{
    if (data == "@-") {
        return stdin_text();
    }
    if (data.starts_with('@')) {
        auto text = util::real_fs().read(data.substr(1));
        if (!text) {
            throw Error(fmt::format("flag -d: {} does not exist", data.substr(1)), ExitCode::usage);
        }
        return *text;
    }
    return data;
}

std::size_t parse_max_body(const std::string& text)
{
    auto q = util::Quantity::parse(text);
    if (!q) {
        throw Error(fmt::format("flag --max-body: \"{}\" is not a size (e.g. 10Mi, 500k, 0 for no limit)", text),
                    ExitCode::usage);
    }
    return static_cast<std::size_t>(q->value());
}

void add_default_header(http::Headers& headers, const char* name, const char* value)
{
    if (!oidc::has_header(headers, name)) {
        headers.emplace_back(name, value);
    }
}

// The request the flags describe (not --replay).
Prepared prepare_new(const CallOptions& o, const spec::Config& config, const GlobalOptions& g)
{
    if (o.target.empty()) {
        throw Error("call needs a service NAME or a URL (or --history, --replay N)", ExitCode::usage);
    }
    Prepared p;
    std::string base = o.target;
    bool is_url = o.target.find("://") != std::string::npos;
    if (is_url && o.internal) {
        throw Error("--internal takes a service NAME, not a URL", ExitCode::usage);
    }
    if (o.internal) {
        p.cluster = connect(g);
        const kube::RestConfig& rc = p.cluster->client->config();
        p.proxy_path = oidc::service_proxy_path(*p.cluster->client, rc.namespace_, o.target, o.path);
        base = rc.server + *p.proxy_path;
    } else if (!is_url) {
        std::unique_ptr<oidc::ServiceResolver> resolver;
        if (!o.input.files.empty()) {
            resolver = std::make_unique<oidc::LoadedServicesResolver>(load_input(o.input, g).loaded.services);
        } else {
            p.cluster = connect(g);
            resolver =
                std::make_unique<oidc::ClusterResolver>(*p.cluster->client, p.cluster->client->config().namespace_);
        }
        oidc::ServiceTarget t = resolver->resolve(o.target);
        base = oidc::join_url(t.base_url, o.path);
        if (!o.no_auth && t.issuer && o.auth.login.issuer.empty() && o.auth.login.keycloak.empty()) {
            AuthFlags flags = o.auth;
            flags.login.issuer = t.issuer->issuer;
            p.auth = make_token_request(flags, config);
        }
    } else {
        base = oidc::join_url(o.target, o.path);
    }
    if (!o.no_auth && !o.internal && !p.auth && o.auth.login.any()) {
        p.auth = make_token_request(o.auth, config);
    }
    oidc::CallRequest& r = p.request;
    r.url = base;
    r.headers = oidc::parse_header_flags(o.headers);
    if (o.data) {
        r.body = read_data(*o.data);
    }
    if (o.json) {
        add_default_header(r.headers, "Content-Type", "application/json");
        add_default_header(r.headers, "Accept", "application/json");
    } else if (o.data) {
        // JSON data is sent as JSON; anything else as a form, as curl -d does.
        bool json = !Json::parse(r.body, nullptr, false).is_discarded();
        add_default_header(r.headers, "Content-Type", json ? "application/json" : "application/x-www-form-urlencoded");
    }
    r.method = !o.method.empty() ? o.method : o.data ? "POST" : "GET";
    return p;
}

// The request of history entry N (1 = oldest, -1 = newest).
Prepared prepare_replay(const CallOptions& o, int n, oidc::HistoryStore& history, const spec::Config& config)
{
    auto entries = history.load();
    long count = static_cast<long>(entries.size());
    long index = n > 0 ? n - 1 : count + n;
    if (n == 0 || index < 0 || index >= count) {
        throw Error(fmt::format("flag --replay: no history entry {} ({} entries; see call --history)", n, count),
                    ExitCode::usage);
    }
    const oidc::HistoryEntry& e = entries[static_cast<std::size_t>(index)];
    if (e.internal) {
        throw Error(fmt::format("history entry {} went through the API server's service proxy: run call NAME "
                                "--internal again",
                                n),
                    ExitCode::usage);
    }
    if (e.request_size > 0 && !e.request_body) {
        throw Error(fmt::format("history entry {} sent a body that was not saved: only requests made with "
                                "--save-body can be replayed with their body",
                                n),
                    ExitCode::usage);
    }
    Prepared p;
    p.request.method = e.method;
    p.request.url = e.url;
    p.request.headers = e.headers;
    p.request.body = e.request_body.value_or("");
    if (!o.no_auth) {
        p.auth = o.auth.login.any() ? std::optional(make_token_request(o.auth, config)) : e.auth;
    }
    return p;
}

void print_response(const CallOptions& o, const oidc::CallResult& result, oidc::BodyFormat format)
{
    bool tty = util::real_terminal().stdout_is_tty();
    if (o.include) {
        std::cout << oidc::render_head(result.response);
    }
    std::string body = oidc::render_body(result.response, format, tty);
    std::cout.write(body.data(), static_cast<std::streamsize>(body.size()));
    std::cout.flush();
}

oidc::HistoryEntry history_entry(const Prepared& p, const oidc::CallResult& result, bool save_body,
                                 std::int64_t started)
{
    oidc::HistoryEntry e;
    e.time = oidc::format_utc(started);
    e.method = p.request.method;
    e.url = p.request.url;
    e.headers = p.request.headers;
    e.request_size = p.request.body.size();
    e.status = result.response.status;
    e.error = result.transport_error;
    e.duration_ms = result.duration.count();
    e.response_size = result.response.body.size();
    e.content_type = result.response.header("Content-Type").value_or("");
    if (save_body) {
        e.request_body = p.request.body;
        e.response_body = result.response.body;
    }
    e.auth = p.auth;
    e.internal = p.proxy_path.has_value();
    return e;
}

int show_history(oidc::HistoryStore& history, const std::string& output)
{
    auto entries = history.load();
    if (output == "json") {
        Json all = Json::array();
        for (const auto& e : entries) {
            all.push_back(e.to_json());
        }
        std::cout << all.dump(2) << '\n';
    } else {
        std::cout << oidc::format_history(entries);
    }
    return 0;
}

int run_call(const CallOptions& o, const GlobalOptions& g)
{
    auto format = oidc::parse_body_format(o.output);
    if (!format) {
        throw Error(fmt::format("flag --output: unknown format \"{}\": use raw, json or yaml", o.output),
                    ExitCode::usage);
    }
    if (o.auth.password_stdin && o.data == "@-") {
        throw Error("--password-stdin and -d @- both read standard input: use $KMS_PASSWORD or -d @FILE",
                    ExitCode::usage);
    }
    oidc::FileHistory history(oidc::default_history_path(util::real_env()));
    if (o.history) {
        return show_history(history, o.output);
    }
    spec::Config config = spec::load_config(spec::default_config_path(), util::real_fs());
    Prepared p = o.replay ? prepare_replay(o, *o.replay, history, config) : prepare_new(o, config, g);
    p.request.max_body = parse_max_body(o.max_body);
    if (!o.timeout.empty()) {
        auto t = util::parse_duration(o.timeout);
        if (!t) {
            throw Error(fmt::format("flag --timeout: \"{}\" is not a duration (e.g. 30s, 2m)", o.timeout),
                        ExitCode::usage);
        }
        p.request.timeout = *t;
    }
    AuthRuntime rt(o.auth, g);
    std::optional<oidc::TokenSourceBearer> bearer;
    if (p.auth) {
        bearer.emplace(rt.source(), *p.auth);
    }
    util::Clock& clock = util::real_clock();
    std::int64_t started = oidc::unix_now(clock);
    oidc::CallResult result = p.proxy_path
                                  ? oidc::perform_internal_call(*p.cluster->client, p.request, *p.proxy_path, clock)
                                  : oidc::perform_call(rt.http(), p.request, bearer ? &*bearer : nullptr, clock);
    if (!o.no_history) {
        history.append(history_entry(p, result, o.save_body, started));
    }
    if (!result.transport_error.empty()) {
        std::cerr << "error: " << result.transport_error << '\n';
        return static_cast<int>(oidc::CallExit::transport);
    }
    if (result.renewed && g.verbosity > 0) {
        std::cerr << "The gateway found the token expired: refreshed it and retried.\n";
    }
    print_response(o, result, *format);
    int status = result.response.status;
    if (oidc::exit_for_status(status) != oidc::CallExit::ok) {
        std::cerr << "HTTP " << status << ' ' << oidc::reason_phrase(status) << " from " << p.request.url << '\n';
        if (auto hint = oidc::gateway_hint(result.response, result.sent_token)) {
            std::cerr << "hint: " << *hint << '\n';
        }
    }
    return static_cast<int>(oidc::exit_for_status(status));
}

} // namespace

void setup_call(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_verb(app, ctx, "call", "Send an HTTP request to a service with a bearer token (curl-like)", run_call);
    sub->footer("Exit codes: 0 2xx, 3 3xx (not followed), 4 4xx, 5 5xx, 6 no answer (DNS, connection, TLS, "
                "timeout), 1 other failures, 2 usage.\nHistory: $XDG_STATE_HOME/kubectl-microservice/history.jsonl "
                "(no credentials; bodies only with --save-body).");
    // Named NAME… so completion offers the cluster's services.
    sub->add_option("NAME|URL", opt->target, "Service NAME (its route is read from the cluster, or from -f) or URL")
        ->type_name("");
    sub->add_option("path", opt->path, "Path below the service's URL, with an optional ?query")->type_name("PATH");
    sub->add_option("-f,--filename", opt->input.files,
                    "Find NAME's URL and JWT issuer in these service files (repeatable)")
        ->type_name("FILE");
    sub->add_option("-X,--request", opt->method, "Method: GET (default; POST with -d), POST, PUT, PATCH, DELETE, HEAD")
        ->type_name("METHOD");
    sub->add_option("-H,--header", opt->headers, "Header 'Name: value' (repeatable)")->type_name("'NAME: VALUE'");
    sub->add_option("-d,--data", opt->data, "Body: DATA, @FILE, or @- for standard input")->type_name("DATA|@FILE|@-");
    sub->add_flag("--json", opt->json, "Send and accept JSON (Content-Type and Accept: application/json)");
    sub->add_flag("-i,--include", opt->include, "Show the status line and response headers");
    sub->add_option("-o,--output", opt->output,
                    "raw, json or yaml (default: pretty JSON on a terminal, the bytes as they came otherwise)")
        ->type_name("raw|json|yaml");
    sub->add_option("--max-body", opt->max_body, "Largest response body to read (default 10Mi; 0: no limit)")
        ->type_name("SIZE");
    sub->add_option("--timeout", opt->timeout, "Timeout of the whole request, e.g. 30s (default: none)")
        ->type_name("DURATION");
    sub->add_flag("--save-body", opt->save_body, "Keep the request and response bodies in the history");
    sub->add_flag("--no-history", opt->no_history, "Do not record this request in the history");
    sub->add_flag("--history", opt->history, "List the recorded requests (-o json for all fields)");
    sub->add_option("--replay", opt->replay, "Send history entry N again (1 = oldest, -1 = newest)")->type_name("N");
    sub->add_flag("--no-auth", opt->no_auth, "Send no bearer token");
    sub->add_flag("--internal", opt->internal,
                  "Reach NAME through the API server's service proxy with the kubeconfig's credentials");
    sub->fallthrough(); // global flags (-v, …) also after the verb, as kubectl takes them
    add_auth_flags(*sub, opt->auth);
}

} // namespace kms::cli
