#include <http/http.hpp>
#include <util/module.hpp>

#include <strings.h>

namespace kms::http {

std::optional<std::string> Response::header(std::string_view name) const
{
    for (const auto& [k, v] : headers) {
        if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) {
            return v;
        }
    }
    return std::nullopt;
}

std::unique_ptr<Client> make_client(const ClientOptions& options)
{
    using Factory = Client* (*)(const ClientOptions*);
    auto factory = reinterpret_cast<Factory>(util::module_symbol("kms-curl", "kms_curl_make_client"));
    return std::unique_ptr<Client>(factory(&options));
}

} // namespace kms::http
