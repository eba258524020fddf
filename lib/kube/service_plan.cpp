#include <kube/actions_record.hpp>
#include <kube/service_plan.hpp>
#include <render/render.hpp>

namespace kms::kube {

ServicePlan plan_service(const spec::Service& s, const spec::Config& config, const std::string& default_ns,
                         bool ns_explicit, Discovery* discovery, std::optional<bool> follow)
{
    auto rendered = render::render(s, config);
    // What the service actions (restart, scale, clone, rollback, expose) rebuild it from.
    actions::record_on(rendered.objects, s, follow);
    std::string ns = s.namespace_.value_or(default_ns);
    ServicePlan sp{ s.name,
                    make_plan(rendered.objects, ns, ns_explicit, discovery),
                    ApplySetParent::for_service(s.name, ns, render::labels(s)),
                    std::move(rendered.warnings) };
    label_members(sp.plan, sp.set);
    return sp;
}

} // namespace kms::kube
