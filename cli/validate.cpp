#include "verbs.hpp"

#include <render/render.hpp>

#include <iostream>

namespace kms::cli {

namespace {

struct ValidateOptions
{
    ServiceInput input;
    bool quiet = false;
};

int run_validate(const ValidateOptions& o, const GlobalOptions& g)
{
    auto in = load_input(o.input, g);
    // Rendering too catches what only shows in the manifests.
    auto rendered = render::render_all(in.loaded.services, in.config);
    for (const auto& w : rendered.warnings) {
        std::cerr << w << '\n';
    }
    if (!o.quiet) {
        for (const auto& s : in.loaded.services) {
            std::size_t count = 0;
            for (const auto& obj : rendered.objects) {
                count += obj["metadata"]["name"] == s.name ? 1 : 0;
            }
            std::cout << s.name << ": valid (" << count << " objects)\n";
        }
    }
    return 0;
}

} // namespace

void setup_validate(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_verb(app, ctx, "validate", "Check a service file and flags without rendering them out", run_validate);
    add_service_flags(*sub, opt->input);
    sub->add_flag("-q,--quiet", opt->quiet, "Print nothing when valid");
}

} // namespace kms::cli
