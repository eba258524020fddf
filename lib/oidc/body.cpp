#include <oidc/body.hpp>
#include <render/yaml_emit.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>
#include <util/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace kms::oidc {

namespace {

std::string media_type(const http::Response& resp)
{
    std::string t = resp.header("Content-Type").value_or("");
    t = t.substr(0, t.find(';'));
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    while (!t.empty() && t.back() == ' ') {
        t.pop_back();
    }
    return t;
}

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_json_type(std::string_view t)
{
    return t == "application/json" || ends_with(t, "+json");
}

bool is_yaml_type(std::string_view t)
{
    return t == "application/yaml" || t == "application/x-yaml" || t == "text/yaml" || t == "text/x-yaml" ||
           ends_with(t, "+yaml");
}

bool is_text_type(std::string_view t)
{
    return t.starts_with("text/") || is_json_type(t) || is_yaml_type(t) || t == "application/xml" ||
           ends_with(t, "+xml") || t == "application/javascript" || t == "application/x-www-form-urlencoded" ||
           t == "application/x-ndjson" || t == "application/problem+json";
}

std::optional<Json> parse_json(const std::string& body)
{
    Json j = Json::parse(body, nullptr, false);
    return j.is_discarded() ? std::nullopt : std::optional<Json>(j);
}

std::string with_newline(std::string s)
{
    if (!s.empty() && s.back() != '\n') {
        s += '\n';
    }
    return s;
}

} // namespace

std::optional<BodyFormat> parse_body_format(std::string_view s)
{
    if (s.empty()) {
        return BodyFormat::automatic;
    }
    if (s == "raw") {
        return BodyFormat::raw;
    }
    if (s == "json") {
        return BodyFormat::json;
    }
    if (s == "yaml") {
        return BodyFormat::yaml;
    }
    return std::nullopt;
}

bool is_binary(const http::Response& resp)
{
    std::string t = media_type(resp);
    if (!t.empty()) {
        return !is_text_type(t);
    }
    return resp.body.find('\0') != std::string::npos || !util::is_utf8(resp.body);
}

std::string render_body(const http::Response& resp, BodyFormat format, bool tty)
{
    std::string t = media_type(resp);
    switch (format) {
        case BodyFormat::raw:
            return resp.body;
        case BodyFormat::automatic:
            if (!tty) {
                return resp.body;
            }
            if (is_binary(resp)) {
                throw Error(fmt::format("not printing a binary body ({} bytes, {}) to the terminal: use -o raw and "
                                        "redirect it to a file",
                                        resp.body.size(), t.empty() ? "no Content-Type" : t));
            }
            if (is_json_type(t) || t.empty()) {
                if (auto j = parse_json(resp.body)) {
                    return j->dump(2) + "\n";
                }
            }
            return with_newline(resp.body);
        case BodyFormat::json:
            if (auto j = parse_json(resp.body)) {
                return j->dump(2) + "\n";
            }
            throw Error(
                fmt::format("the response body is not JSON ({}): use -o raw", t.empty() ? "no Content-Type" : t));
        case BodyFormat::yaml:
            if (auto j = parse_json(resp.body)) {
                return render::to_yaml(*j);
            }
            if (is_yaml_type(t)) {
                return with_newline(resp.body);
            }
            throw Error(fmt::format("the response body is neither JSON nor YAML ({}): use -o raw",
                                    t.empty() ? "no Content-Type" : t));
    }
    return resp.body;
}

std::string_view reason_phrase(int status)
{
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 409:
            return "Conflict";
        case 413:
            return "Content Too Large";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Content";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "";
    }
}

std::string render_head(const http::Response& resp)
{
    std::string_view reason = reason_phrase(resp.status);
    std::string out = fmt::format("HTTP {}{}{}\n", resp.status, reason.empty() ? "" : " ", reason);
    for (const auto& [k, v] : resp.headers) {
        out += k + ": " + v + "\n";
    }
    return out + "\n";
}

} // namespace kms::oidc
