#include <util/quantity.hpp>

#include <array>
#include <cmath>
#include <cstdint>

namespace kms::util {

namespace {

struct Suffix
{
    std::string_view text;
    double factor;
};

constexpr std::array<Suffix, 14> k_suffixes = {{{"", 1},
                                                {"m", 1e-3},
                                                {"k", 1e3},
                                                {"M", 1e6},
                                                {"G", 1e9},
                                                {"T", 1e12},
                                                {"P", 1e15},
                                                {"E", 1e18},
                                                {"Ki", 1024.0},
                                                {"Mi", 1048576.0},
                                                {"Gi", 1073741824.0},
                                                {"Ti", 1099511627776.0},
                                                {"Pi", 1125899906842624.0},
                                                {"Ei", 1152921504606846976.0}}};

std::optional<double> suffix_factor(std::string_view s)
{
    for (const auto& sf : k_suffixes) {
        if (sf.text == s) {
            return sf.factor;
        }
    }
    // Decimal exponent form: e3, E-2.
    if (s.size() >= 2 && (s[0] == 'e' || s[0] == 'E')) {
        std::size_t i = 1;
        if (s[i] == '+' || s[i] == '-') {
            ++i;
        }
        if (i == s.size() || s.size() - i > 2) {
            return std::nullopt;
        }
        int exp = 0;
        for (; i < s.size(); ++i) {
            if (s[i] < '0' || s[i] > '9') {
                return std::nullopt;
            }
            exp = exp * 10 + (s[i] - '0');
        }
        return std::pow(10.0, s[1] == '-' ? -exp : exp);
    }
    return std::nullopt;
}

} // namespace

std::optional<Quantity> Quantity::parse(std::string_view text)
{
    std::size_t i = 0;
    if (i < text.size() && text[i] == '+') {
        ++i;
    }
    std::int64_t whole = 0;
    std::int64_t frac = 0;
    int frac_digits = 0;
    bool digits = false;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        whole = whole * 10 + (text[i] - '0');
        digits = true;
        if (whole > 1'000'000'000'000LL) {
            return std::nullopt;
        }
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            digits = true;
            if (frac_digits == 3) {
                // Kubernetes keeps at most milli precision for these; more digits are an error here.
                return std::nullopt;
            }
            frac = frac * 10 + (text[i] - '0');
            ++frac_digits;
        }
    }
    if (!digits) {
        return std::nullopt;
    }
    std::string_view suffix = text.substr(i);
    if (!suffix_factor(suffix)) {
        return std::nullopt;
    }
    while (frac_digits < 3) {
        frac *= 10;
        ++frac_digits;
    }
    return Quantity{whole * 1000 + frac, std::string(suffix)};
}

std::string Quantity::str() const
{
    std::string out = std::to_string(milli / 1000);
    std::int64_t frac = milli % 1000;
    if (frac != 0) {
        std::string f = std::to_string(frac);
        f.insert(0, 3 - f.size(), '0');
        while (f.back() == '0') {
            f.pop_back();
        }
        out += "." + f;
    }
    return out + suffix;
}

Quantity Quantity::times(std::int64_t factor) const
{
    Quantity q{milli * factor, suffix};
    // 1000m reads better as 1.
    if (q.suffix == "m" && q.milli % 1'000'000 == 0) {
        q = Quantity{q.milli / 1000, ""};
    }
    // 1024Mi as 1Gi: the form the API server returns, so a re-apply or diff shows no change.
    static constexpr std::string_view k_binary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    for (std::size_t i = 0; i + 1 < std::size(k_binary); ++i) {
        if (q.suffix == k_binary[i] && q.milli != 0 && q.milli % (1024 * 1000) == 0) {
            q = Quantity{q.milli / 1024, std::string(k_binary[i + 1])};
        }
    }
    return q;
}

double Quantity::value() const
{
    return static_cast<double>(milli) / 1000.0 * suffix_factor(suffix).value_or(1.0);
}

} // namespace kms::util
