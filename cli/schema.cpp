#include "verbs.hpp"

#include <spec/fields.hpp>

#include <iostream>

namespace kms::cli {

void setup_schema(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("schema", "Print the JSON Schema of the service file (for editors)");
    sub->callback([&ctx] {
        std::cout << spec::service_schema().dump(2) << '\n';
        ctx.exit_code = 0;
    });
}

void setup_explain(CLI::App& app, Context& ctx)
{
    auto path = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("explain", "Describe a service-file field, like kubectl explain");
    sub->add_option("FIELD", *path, "Dotted field path, e.g. resources.limits or expose.auth.type");
    sub->callback([path, &ctx] {
        std::string p = *path;
        if (p.rfind("service.", 0) == 0) {
            p = p.substr(8);
        } else if (p == "service") {
            p.clear();
        }
        std::cout << spec::explain_field(p);
        ctx.exit_code = 0;
    });
}

} // namespace kms::cli
