#include "verbs.hpp"

#include <render/output.hpp>
#include <render/render.hpp>

#include <iostream>

namespace kms::cli {

namespace {

struct RenderOptions
{
    ServiceInput input;
    std::string output = "yaml";
};

int run_render(const RenderOptions& o, const GlobalOptions& g)
{
    auto out = render::parse_output(o.output);
    auto in = load_input(o.input, g);
    auto rendered = render::render_all(in.loaded.services, in.config);
    for (const auto& w : rendered.warnings) {
        std::cerr << w << '\n';
    }
    if (out.format == render::Format::dir) {
        render::write_dir(rendered.objects, out.dir);
        std::cerr << "wrote " << rendered.objects.size() << " objects and kustomization.yaml to " << out.dir << '\n';
        return 0;
    }
    std::cout << render::format_objects(rendered.objects, out.format);
    return 0;
}

} // namespace

void setup_render(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_verb(app, ctx, "render", "Render a service into Kubernetes manifests (no cluster needed)", run_render);
    add_service_flags(*sub, opt->input);
    sub->add_option("-o,--output", opt->output, "yaml (default), json (a v1 List), name (kind/name lines), or dir=PATH")
        ->type_name("yaml|json|name|dir=PATH");
}

} // namespace kms::cli
