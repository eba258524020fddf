// Fuzzes what `status`, `list`, `history` and the verbs that rebuild a service read from the
// cluster: a Deployment with its ReplicaSets, pods, events, HPA and Service (the input is one JSON
// object holding them), assessed, printed as text, a table row and a document; its revisions; and
// the service description recorded on it, loaded again. kms::Error is the expected way to refuse
// what the cluster holds; any other exception, crash, leak or hang is a bug.
#include "fuzz_common.hpp"

#include <kube/actions_history.hpp>
#include <kube/actions_record.hpp>
#include <kube/actions_status.hpp>
#include <spec/config.hpp>
#include <util/error.hpp>
#include <util/term.hpp>

#include <chrono>
#include <cstdint>

namespace {

const kms::Json& member(const kms::Json& j, const char* name, const kms::Json& fallback)
{
    return j.contains(name) ? j[name] : fallback;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    kms::fuzz::Input in(data, size);
    kms::Json j = kms::Json::parse(in.all(), nullptr, false);
    if (!j.is_object()) {
        return 0;
    }
    static const kms::Json k_list = kms::Json::array();
    static const kms::Json k_object = kms::Json::object();
    kms::actions::Observed o;
    o.deployment = member(j, "deployment", k_object);
    o.replicasets = member(j, "replicasets", k_list);
    o.pods = member(j, "pods", k_list);
    o.events = member(j, "events", k_list);
    if (j.contains("hpa")) {
        o.hpa = j["hpa"];
    }
    if (j.contains("service")) {
        o.service = j["service"];
    }
    auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    try {
        (void)kms::actions::assess(o);
        (void)kms::actions::desired_replicas(o);
        kms::Json doc = kms::actions::status_document(o, {"https://web.example.com/"});
        (void)doc.dump(2);
        (void)kms::actions::status_text(doc, now, kms::util::Palette());
        (void)kms::actions::list_row(doc, true, true, now);
        if (o.service) {
            (void)kms::actions::load_balancer_urls(*o.service);
        }
    } catch (const kms::Error&) {
    }
    try {
        std::vector<kms::Json> rs;
        if (o.replicasets.is_array()) {
            rs.assign(o.replicasets.begin(), o.replicasets.end());
        }
        (void)kms::actions::revisions(o.deployment, rs);
    } catch (const kms::Error&) {
    }
    try {
        if (auto text = kms::actions::recorded_text(o.deployment)) {
            kms::actions::Reload r;
            r.text = *text;
            r.origin = "service web in namespace demo";
            r.namespace_ = "demo";
            kms::spec::Config config;
            config.domain = "example.com";
            (void)kms::actions::load_record(r, config);
        }
    } catch (const kms::Error&) {
    }
    return 0;
}
