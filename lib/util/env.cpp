#include <cstdlib>
#include <util/env.hpp>

namespace kms::util {

namespace {

class RealEnvironment : public Environment
{
  public:
    std::optional<std::string> get(const std::string& name) const override
    {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) {
            return std::nullopt;
        }
        return std::string(v);
    }
};

} // namespace

Environment& real_env()
{
    static RealEnvironment env;
    return env;
}

std::optional<std::string> MapEnvironment::get(const std::string& name) const
{
    auto it = vars.find(name);
    if (it == vars.end()) {
        return std::nullopt;
    }
    return it->second;
}

} // namespace kms::util
