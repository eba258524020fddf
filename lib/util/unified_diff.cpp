#include <algorithm>
#include <fmt/format.h>
#include <util/unified_diff.hpp>
#include <vector>

namespace kms::util {

namespace {

std::vector<std::string_view> lines_of(std::string_view text)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            out.push_back(text.substr(start));
            break;
        }
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

struct Edit
{
    char op;       // ' ', '-', '+'
    std::size_t a; // index in before (for ' ' and '-')
    std::size_t b; // index in after (for ' ' and '+')
};

// Longest common subsequence by dynamic programming: manifests are a few hundred lines at most.
std::vector<Edit> edits(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b)
{
    std::size_t n = a.size();
    std::size_t m = b.size();
    std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t j = m; j-- > 0;) {
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    std::vector<Edit> out;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            out.push_back({ ' ', i++, j++ });
        } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
            out.push_back({ '-', i++, j }); // removals first, as diff -u prints them
        } else {
            out.push_back({ '+', i, j++ });
        }
    }
    return out;
}

std::string range(std::size_t start, std::size_t count)
{
    // diff -u: a hunk of zero lines names the line before it.
    if (count == 0) {
        return fmt::format("{},0", start);
    }
    return count == 1 ? fmt::format("{}", start + 1) : fmt::format("{},{}", start + 1, count);
}

} // namespace

std::string unified_diff(std::string_view before, std::string_view after, const std::string& before_name,
                         const std::string& after_name, int context)
{
    auto a = lines_of(before);
    auto b = lines_of(after);
    auto e = edits(a, b);
    std::string out;
    std::size_t k = 0;
    auto ctx = static_cast<std::size_t>(context);
    while (k < e.size()) {
        if (e[k].op == ' ') {
            ++k;
            continue;
        }
        // A hunk: from `ctx` lines before this change to `ctx` lines after the last change that is
        // at most 2*ctx unchanged lines away from the previous one.
        std::size_t start = k >= ctx ? k - ctx : 0;
        std::size_t end = k;
        std::size_t quiet = 0;
        for (std::size_t x = k; x < e.size(); ++x) {
            if (e[x].op == ' ') {
                if (++quiet > 2 * ctx) {
                    break;
                }
            } else {
                quiet = 0;
                end = x;
            }
        }
        std::size_t stop = std::min(e.size(), end + 1 + ctx);
        std::size_t a_start = e[start].a;
        std::size_t b_start = e[start].b;
        std::size_t a_count = 0;
        std::size_t b_count = 0;
        std::string body;
        for (std::size_t x = start; x < stop; ++x) {
            a_count += e[x].op != '+' ? 1 : 0;
            b_count += e[x].op != '-' ? 1 : 0;
            std::string_view text = e[x].op == '+' ? b[e[x].b] : a[e[x].a];
            body += e[x].op;
            body.append(text);
            body += '\n';
        }
        if (out.empty()) {
            out = fmt::format("--- {}\n+++ {}\n", before_name, after_name);
        }
        out += fmt::format("@@ -{} +{} @@\n", range(a_start, a_count), range(b_start, b_count)) + body;
        k = stop;
    }
    return out;
}

} // namespace kms::util
