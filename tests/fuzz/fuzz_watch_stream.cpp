// Fuzzes the watch-stream reader: `apply --wait` lists a Deployment, then reads the watch stream
// (newline-separated JSON events, delivered in chunks of 1–16 bytes so lines split anywhere), and
// relists, reconnects or fails as the events say. kms::Error is the expected end of a bad stream;
// any other exception, crash, leak or hang is a bug.
#include "fuzz_kube_client.hpp"

#include <kube/wait.hpp>
#include <util/error.hpp>

#include <cstdint>
#include <cstdlib>

namespace {

// Not rolled out yet: the stream decides what happens next.
constexpr const char* k_list = R"({"kind":"DeploymentList","metadata":{"resourceVersion":"7"},"items":[
{"metadata":{"name":"web","namespace":"demo","generation":2,"resourceVersion":"7"},
 "spec":{"replicas":2,"selector":{"matchLabels":{"app.kubernetes.io/instance":"web"}}},
 "status":{"observedGeneration":2,"replicas":2,"updatedReplicas":1,"availableReplicas":1}}]})";

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    kms::fuzz::Input in(data, size);
    std::size_t chunk = 1 + in.byte() % 16;
    std::string stream = in.rest();
    kms::util::FakeClock* clock = nullptr;
    kms::fuzz::KubeFixture f(
      [&](const kms::http::Request& req) {
          if (req.url.find("watch=true") != std::string::npos) {
              clock->sleep_for(std::chrono::seconds(2)); // the server's timeoutSeconds
              return kms::fuzz::ScriptedHttp::answer(200, stream);
          }
          if (req.url.find("/deployments?") != std::string::npos) {
              return kms::fuzz::ScriptedHttp::answer(200, k_list);
          }
          if (req.url.find("/log?") != std::string::npos) {
              return kms::fuzz::ScriptedHttp::answer(200, "line 1\nline 2\n");
          }
          return kms::fuzz::ScriptedHttp::answer(200, R"({"items":[]})");
      },
      chunk);
    clock = &f.clock;
    kms::kube::WaitOptions o;
    o.timeout = std::chrono::seconds(20);
    o.clock = &f.clock;
    o.line = [](const std::string&) {};
    try {
        kms::kube::wait_for_rollout(*f.client, "demo", "web", o);
    } catch (const kms::Error&) {
    }
    return 0;
}
