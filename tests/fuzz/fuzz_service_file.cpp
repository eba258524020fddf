// Fuzzes the whole offline path: a service file in any of the three formats (ours, Opta,
// Shakudo pipeline) is parsed, validated, rendered and printed. kms::Error is the expected way
// to reject input; any other exception, crash, leak or hang is a bug.
#include <render/output.hpp>
#include <render/render.hpp>
#include <spec/load.hpp>
#include <util/error.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    kms::util::MemoryFs fs;
    fs.files["/svc/service.yaml"] = std::string(reinterpret_cast<const char*>(data), size);
    fs.files["/svc/pipeline.yaml"] = "pipeline:\n  name: p\n  tasks:\n  - name: a\n    type: bash script\n    bash_script_path: a.sh\n";
    kms::spec::LoadInput in;
    in.files = {"/svc/service.yaml"};
    in.cwd = "/svc";
    kms::spec::Config config;
    config.domain = "example.com";
    try {
        auto loaded = kms::spec::load_services(in, config, fs);
        auto rendered = kms::render::render_all(loaded.services, config);
        auto yaml = kms::render::format_objects(rendered.objects, kms::render::Format::yaml);
        auto json = kms::render::format_objects(rendered.objects, kms::render::Format::json);
        if (yaml.empty() && !rendered.objects.empty()) {
            std::abort();
        }
    } catch (const kms::Error&) {
        // Rejected with a user-facing message: fine.
    }
    return 0;
}
