// Fuzzes what the API server answers: a body and status through the REST client (JSON or not),
// Status errors turned into one-line messages (conflicts, causes), Warning headers, and the
// rollout analysis of whatever objects the body holds (a Deployment, its ReplicaSets, pods and
// events). kms::Error is the expected way to refuse an answer; any other exception, crash, leak or
// hang is a bug.
#include "fuzz_kube_client.hpp"

#include <kube/client.hpp>
#include <kube/rollout.hpp>
#include <kube/status.hpp>
#include <util/error.hpp>

#include <cstdint>
#include <cstdlib>

namespace {

int status_of(std::uint8_t b)
{
    static const int k_statuses[] = {200, 201, 204, 400, 401, 403, 404, 409, 410, 422, 429, 500, 503, 504, 302};
    return k_statuses[b % (sizeof k_statuses / sizeof k_statuses[0])];
}

const kms::Json& member(const kms::Json& j, const char* name)
{
    static const kms::Json k_empty = kms::Json::array();
    return j.is_object() && j.contains(name) ? j[name] : k_empty;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    kms::fuzz::Input in(data, size);
    int status = status_of(in.byte());
    std::string body = in.rest();
    kms::fuzz::KubeFixture f([&](const kms::http::Request&) {
        auto r = kms::fuzz::ScriptedHttp::answer(status, body);
        r.headers.emplace_back("Warning", body.substr(0, 200));
        return r;
    });
    try {
        (void)f.client->get("/apis/apps/v1/namespaces/demo/deployments/web", "Deployment/web");
    } catch (const kms::Error&) {
    }
    try {
        (void)f.client->get_optional("/api/v1/namespaces/demo/secrets/s", "Secret/s");
    } catch (const kms::Error&) {
    }

    auto s = kms::kube::parse_status(kms::fuzz::ScriptedHttp::answer(status, body));
    (void)kms::kube::field_conflicts(s);
    (void)kms::kube::describe_failure(s, "Deployment/web in namespace demo", "kubeconfig /k: users[\"u\"]");
    (void)kms::kube::parse_warning_header(body);

    kms::Json j = kms::Json::parse(body, nullptr, false);
    if (j.is_object()) {
        const kms::Json& dep = j.contains("deployment") ? j["deployment"] : j;
        (void)kms::kube::rollout_status(dep);
        (void)kms::kube::current_replicaset(dep, member(j, "replicasets"));
        (void)kms::kube::diagnose(dep, member(j, "replicasets"), member(j, "pods"), member(j, "events"));
    }
    return 0;
}
