#include <fmt/format.h>
#include <kube/status.hpp>
#include <map>
#include <util/strings.hpp>

namespace kms::kube {

namespace {

std::string reason_for(int code)
{
    switch (code) {
        case 400:
            return "BadRequest";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "NotFound";
        case 405:
            return "MethodNotAllowed";
        case 409:
            return "Conflict";
        case 410:
            return "Expired";
        case 415:
            return "UnsupportedMediaType";
        case 422:
            return "Invalid";
        case 429:
            return "TooManyRequests";
        case 500:
            return "InternalError";
        case 503:
            return "ServiceUnavailable";
        case 504:
            return "Timeout";
        default:
            return {};
    }
}

std::string first_line(std::string_view s)
{
    auto nl = s.find('\n');
    return std::string(util::trim(s.substr(0, nl)));
}

} // namespace

ApiStatus parse_status(const Json& j, int fallback_code)
{
    ApiStatus s;
    long long code = util::int_at(j, "code");
    s.code = code >= 100 && code <= 599 ? static_cast<int>(code) : fallback_code;
    s.reason = util::str_at(j, "reason");
    s.message = util::str_at(j, "message");
    if (j.contains("details") && j["details"].is_object()) {
        s.details = j["details"];
    }
    if (s.reason.empty()) {
        s.reason = reason_for(s.code);
    }
    return s;
}

ApiStatus parse_status(const http::Response& r)
{
    Json j = Json::parse(r.body, nullptr, false);
    if (util::str_at(j, "kind") == "Status") {
        return parse_status(j, r.status);
    }
    ApiStatus s;
    s.code = r.status;
    s.reason = reason_for(r.status);
    // A proxy or load balancer in front of the API server answers in its own words.
    s.message = first_line(r.body.substr(0, 300));
    if (s.message.empty()) {
        s.message = fmt::format("HTTP {}", r.status);
    }
    return s;
}

std::vector<FieldConflict> field_conflicts(const ApiStatus& s)
{
    std::vector<FieldConflict> out;
    if (!s.details.contains("causes") || !s.details["causes"].is_array()) {
        return out;
    }
    for (const auto& c : s.details["causes"]) {
        if (util::str_at(c, "reason") != "FieldManagerConflict") {
            continue;
        }
        // The manager appears only quoted inside the message: conflict with "mgr" using apps/v1
        std::string msg = util::str_at(c, "message");
        std::string manager;
        auto open = msg.find('"');
        auto close = open == std::string::npos ? open : msg.find('"', open + 1);
        if (close != std::string::npos) {
            manager = msg.substr(open + 1, close - open - 1);
        }
        out.push_back({ util::str_at(c, "field"), manager });
    }
    return out;
}

std::string describe_failure(const ApiStatus& s, const std::string& what, const std::string& user_ref)
{
    std::string prefix = what.empty() ? std::string() : what + ": ";
    if (s.code == 409 && s.reason == "Conflict") {
        auto conflicts = field_conflicts(s);
        if (!conflicts.empty()) {
            std::map<std::string, std::vector<std::string>> by_manager;
            for (const auto& c : conflicts) {
                by_manager[c.manager].push_back(c.field);
            }
            std::vector<std::string> parts;
            for (const auto& [manager, fields] : by_manager) {
                parts.push_back(fmt::format("{} owned by \"{}\"", util::join(fields, ", "), manager));
            }
            return fmt::format("{}conflict: {} (another field manager set {}; apply with --force-conflicts to take "
                               "them over, or leave them out of the service)",
                               prefix,
                               util::join(parts, "; "),
                               conflicts.size() == 1 ? "this field" : "these fields");
        }
        return prefix + "conflict: " + first_line(s.message);
    }
    if (s.code == 422 || s.reason == "Invalid") {
        std::vector<std::string> causes;
        if (s.details.contains("causes") && s.details["causes"].is_array()) {
            for (const auto& c : s.details["causes"]) {
                std::string field = util::str_at(c, "field");
                std::string msg = first_line(util::str_at(c, "message"));
                causes.push_back(field.empty() ? msg : field + ": " + msg);
            }
        }
        if (!causes.empty()) {
            return prefix + "invalid: " + util::join(causes, "; ");
        }
        return prefix + "invalid: " + first_line(s.message);
    }
    if (s.code == 401) {
        return fmt::format("{}unauthorized: the API server rejected the credentials{}",
                           prefix,
                           user_ref.empty() ? std::string() : " of " + user_ref);
    }
    if (s.code == 403) {
        // Non-resource paths come as "forbidden: User … cannot get path …" already.
        std::string line = first_line(s.message);
        return prefix + (util::starts_with(line, "forbidden: ") ? line : "forbidden: " + line);
    }
    if (s.code == 404) {
        std::string msg = first_line(s.message);
        if (util::starts_with(msg, "namespaces \"")) {
            return fmt::format("{}{} (create it first, or choose another with -n)", prefix, msg);
        }
        return prefix + "not found: " + msg;
    }
    std::string msg = first_line(s.message);
    return fmt::format("{}{} (HTTP {}{})",
                       prefix,
                       msg.empty() ? std::string("request failed") : msg,
                       s.code,
                       s.reason.empty() ? std::string() : " " + s.reason);
}

} // namespace kms::kube
