#pragma once

#include <map>
#include <optional>
#include <string>

namespace kms::util {

// The process environment as the rest of the code sees it; tests use MapEnvironment.
class Environment
{
  public:
    virtual ~Environment() = default;
    // The variable's value; unset variables are nullopt (set-but-empty is "").
    virtual std::optional<std::string> get(const std::string& name) const = 0;
    // The value, or "" when unset.
    std::string value(const std::string& name) const { return get(name).value_or(std::string()); }
};

Environment& real_env();

class MapEnvironment : public Environment
{
  public:
    std::map<std::string, std::string> vars;

    std::optional<std::string> get(const std::string& name) const override;
};

} // namespace kms::util
