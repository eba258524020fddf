#include <oidc/form.hpp>
#include <util/sha256.hpp>

namespace kms::oidc {

namespace {

bool is_unreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

} // namespace

std::string form_escape(std::string_view s)
{
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (is_unreserved(c)) {
            out += c;
        } else if (c == ' ') {
            out += '+';
        } else {
            auto b = static_cast<unsigned char>(c);
            out += '%';
            out += k_hex[b >> 4];
            out += k_hex[b & 15];
        }
    }
    return out;
}

std::string form_encode(const Form& form)
{
    std::string out;
    for (const auto& [k, v] : form) {
        if (!out.empty()) {
            out += '&';
        }
        out += form_escape(k);
        out += '=';
        out += form_escape(v);
    }
    return out;
}

std::string form_unescape(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string basic_authorization(std::string_view client_id, std::string_view secret)
{
    return "Basic " + util::base64_encode(form_escape(client_id) + ":" + form_escape(secret));
}

} // namespace kms::oidc
