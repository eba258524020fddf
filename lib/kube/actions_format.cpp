#include <algorithm>
#include <fmt/format.h>
#include <kube/actions_format.hpp>
#include <util/rfc3339.hpp>

namespace kms::actions {

namespace {

// The columns a cell takes on a terminal: colour escapes (ESC [ … m) take none.
std::size_t visible_width(const std::string& cell)
{
    std::size_t width = 0;
    for (std::size_t i = 0; i < cell.size(); ++i) {
        if (cell[i] == '\x1b' && i + 1 < cell.size() && cell[i + 1] == '[') {
            while (i < cell.size() && cell[i] != 'm') {
                ++i;
            }
            continue;
        }
        ++width;
    }
    return width;
}

} // namespace

std::string format_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> widths(headers.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        if (widths.size() < row.size()) {
            widths.resize(row.size(), 0);
        }
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], visible_width(row[i]));
        }
    };
    measure(headers);
    for (const auto& r : rows) {
        measure(r);
    }
    std::string out;
    auto emit = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line += std::string(widths[i] - visible_width(row[i]) + 3, ' ');
            }
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line + '\n';
    };
    if (!headers.empty()) {
        emit(headers);
    }
    for (const auto& r : rows) {
        emit(r);
    }
    return out;
}

std::string human_age(std::chrono::seconds age)
{
    long long s = age.count();
    if (s < -1) {
        return "<invalid>";
    }
    if (s < 0) {
        return "0s";
    }
    if (s < 120) {
        return fmt::format("{}s", s);
    }
    long long minutes = s / 60;
    if (minutes < 10) {
        return s % 60 == 0 ? fmt::format("{}m", minutes) : fmt::format("{}m{}s", minutes, s % 60);
    }
    if (minutes < 180) {
        return fmt::format("{}m", minutes);
    }
    long long hours = s / 3600;
    if (hours < 8) {
        return minutes % 60 == 0 ? fmt::format("{}h", hours) : fmt::format("{}h{}m", hours, minutes % 60);
    }
    if (hours < 48) {
        return fmt::format("{}h", hours);
    }
    if (hours < 24 * 8) {
        return hours % 24 == 0 ? fmt::format("{}d", hours / 24) : fmt::format("{}d{}h", hours / 24, hours % 24);
    }
    if (hours < 24 * 365 * 2) {
        return fmt::format("{}d", hours / 24);
    }
    if (hours < 24 * 365 * 8) {
        long long days = (hours / 24) % 365;
        return days == 0 ? fmt::format("{}y", hours / 24 / 365) : fmt::format("{}y{}d", hours / 24 / 365, days);
    }
    return fmt::format("{}y", hours / 24 / 365);
}

std::string age_since(const std::string& rfc3339, std::chrono::system_clock::time_point now)
{
    auto t = util::parse_rfc3339(rfc3339);
    if (!t) {
        return "<unknown>";
    }
    return human_age(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

} // namespace kms::actions
