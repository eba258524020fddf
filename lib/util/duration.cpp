#include <cctype>
#include <fmt/format.h>
#include <util/duration.hpp>

namespace kms::util {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
    if (text.empty()) {
        return std::nullopt;
    }
    bool all_digits = true;
    for (char c : text) {
        all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
    }
    if (all_digits) {
        if (text.size() > 9) {
            return std::nullopt;
        }
        return std::chrono::seconds(std::stoll(std::string(text)));
    }
    double total_ms = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t start = i;
        while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '.')) {
            ++i;
        }
        if (i == start || i - start > 12) {
            return std::nullopt;
        }
        double number = 0;
        try {
            number = std::stod(std::string(text.substr(start, i - start)));
        } catch (const std::exception&) {
            return std::nullopt;
        }
        std::size_t unit_start = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])) != 0) {
            ++i;
        }
        std::string_view unit = text.substr(unit_start, i - unit_start);
        double scale = 0;
        if (unit == "ms") {
            scale = 1;
        } else if (unit == "s") {
            scale = 1000;
        } else if (unit == "m") {
            scale = 60'000;
        } else if (unit == "h") {
            scale = 3'600'000;
        } else {
            return std::nullopt;
        }
        total_ms += number * scale;
    }
    return std::chrono::milliseconds(static_cast<long long>(total_ms));
}

std::string format_duration(std::chrono::milliseconds d)
{
    long long ms = d.count();
    if (ms == 0) {
        return "0s";
    }
    if (ms % 1000 != 0) {
        return fmt::format("{}ms", ms);
    }
    long long s = ms / 1000;
    std::string out;
    if (s >= 3600) {
        out += fmt::format("{}h", s / 3600);
        s %= 3600;
    }
    if (s >= 60) {
        out += fmt::format("{}m", s / 60);
        s %= 60;
    }
    if (s > 0) {
        out += fmt::format("{}s", s);
    }
    return out;
}

} // namespace kms::util
