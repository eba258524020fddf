#include <kube/secrets.hpp>
#include <set>
#include <util/error.hpp>
#include <util/parallel.hpp>

namespace kms::kube {

std::vector<std::string> secret_keys(const Json& secret)
{
    std::set<std::string> keys;
    for (const char* field : { "data", "stringData" }) {
        if (secret.contains(field) && secret[field].is_object()) {
            for (const auto& [k, v] : secret[field].items()) {
                keys.insert(k);
            }
        }
    }
    return { keys.begin(), keys.end() };
}

void resolve_secret_keys(std::vector<spec::Service>& services, Client& client, const std::string& default_ns)
{
    std::vector<std::pair<spec::SecretRef*, std::string>> wanted; // ref, namespace
    for (auto& s : services) {
        for (auto& ref : s.secrets) {
            if (ref.keys.empty()) {
                wanted.emplace_back(&ref, s.namespace_.value_or(default_ns));
            }
        }
    }
    std::vector<std::string> errors(wanted.size());
    util::parallel_for(wanted.size(), [&](std::size_t i) {
        auto& [ref, ns] = wanted[i];
        std::string where = ref->pos.str();
        std::string what =
          fmt::format("{}secret \"{}\" in namespace {}", where.empty() ? "" : where + ": ", ref->name, ns);
        Call c;
        c.path = "/api/v1/namespaces/" + ns + "/secrets/" + ref->name;
        c.secret_body = true;
        http::Response r = client.send(c);
        if (r.status == 404) {
            errors[i] = fmt::format("{}: not found; create it first, or list its keys ({{name: {}, keys: [...]}}) so "
                                    "the service can be rendered without reading it. Nothing was applied.",
                                    what,
                                    ref->name);
            return;
        }
        if (r.status < 200 || r.status >= 300) {
            errors[i] =
              describe_failure(parse_status(r), what + " (reading its key names)", client.config().user_ref());
            return;
        }
        Json secret = Json::parse(r.body, nullptr, false);
        ref->keys = secret_keys(secret);
        if (ref->keys.empty()) {
            errors[i] = fmt::format("{}: has no keys, so there is nothing to mount or export", what);
        }
    });
    std::string all;
    for (const auto& e : errors) {
        if (!e.empty()) {
            all += (all.empty() ? "" : "\n") + e;
        }
    }
    if (!all.empty()) {
        throw Error(all);
    }
}

} // namespace kms::kube
