#include <util/error.hpp>
#include <util/templates.hpp>

namespace kms::templates {

std::string_view get(std::string_view path)
{
    for (const auto& e : all()) {
        if (e.path == path) {
            return e.content;
        }
    }
    throw Error(fmt::format("internal error: no embedded template '{}'", path));
}

} // namespace kms::templates
