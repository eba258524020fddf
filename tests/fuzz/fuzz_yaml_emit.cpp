// Fuzzes the YAML emitter: any JSON value must come out as YAML that yaml-cpp reads back to the
// same strings (no value changes type or content on the way through kubectl's YAML reader).
#include <render/yaml_emit.hpp>
#include <util/json.hpp>

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void check_same(const kms::Json& j, const YAML::Node& y)
{
    if (j.is_object()) {
        if (j.empty()) {
            return;
        }
        if (!y.IsMap() || y.size() != j.size()) {
            std::abort();
        }
        for (const auto& [k, v] : j.items()) {
            if (!y[k].IsDefined()) {
                std::abort();
            }
            check_same(v, y[k]);
        }
    } else if (j.is_array()) {
        if (j.empty()) {
            return;
        }
        if (!y.IsSequence() || y.size() != j.size()) {
            std::abort();
        }
        for (std::size_t i = 0; i < j.size(); ++i) {
            check_same(j[i], y[i]);
        }
    } else if (j.is_string()) {
        // A string must stay a string: quoted when a reader would take it for anything else.
        if (!y.IsScalar() || y.Scalar() != j.get<std::string>()) {
            std::abort();
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string text(reinterpret_cast<const char*>(data), size);
    kms::Json j = kms::Json::parse(text, nullptr, false);
    if (j.is_discarded()) {
        // Use the raw bytes as one string value instead.
        j = kms::Json{{"value", text}};
    }
    std::string yaml = kms::render::to_yaml(j);
    YAML::Node y;
    try {
        y = YAML::Load(yaml);
    } catch (const YAML::Exception&) {
        std::abort(); // the emitter produced YAML its reader rejects
    }
    check_same(j, y);
    return 0;
}
