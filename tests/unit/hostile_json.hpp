#pragma once

#include <util/error.hpp>
#include <util/json.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace kms::test {

namespace detail {

inline void collect_pointers(const Json& j, const Json::json_pointer& at, std::vector<Json::json_pointer>& out)
{
    if (j.is_object()) {
        for (const auto& [k, v] : j.items()) {
            out.push_back(at / k);
            collect_pointers(v, at / k, out);
        }
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) {
            out.push_back(at / i);
            collect_pointers(j[i], at / i, out);
        }
    }
}

} // namespace detail

// Calls `use` with every copy of `doc` in which one member or element has another JSON type (or,
// for an object member, is missing): what a broken or hostile server may send instead.
template<typename F>
void for_each_retyped(const Json& doc, F&& use)
{
    const std::vector<Json> others = { nullptr, true, -1, 1.5, 18446744073709551615ULL, "x", Json::array(),
                                       Json::object() };
    std::vector<Json::json_pointer> pointers;
    detail::collect_pointers(doc, Json::json_pointer(), pointers);
    for (const auto& p : pointers) {
        for (const Json& other : others) {
            if (doc.at(p).type() == other.type()) {
                continue;
            }
            Json bad = doc;
            bad.at(p) = other;
            use(bad, p.to_string() + " = " + other.dump());
        }
        if (doc.at(p.parent_pointer()).is_object()) {
            Json bad = doc;
            bad.at(p.parent_pointer()).erase(p.back());
            use(bad, p.to_string() + " missing");
        }
    }
}

// `use` on every retyped copy of `doc` either works or throws kms::Error (a message for the user);
// anything else (nlohmann's type_error, std::out_of_range …) fails the test, naming the change.
template<typename F>
void expect_only_user_errors(const Json& doc, F&& use)
{
    int runs = 0;
    for_each_retyped(doc, [&](const Json& bad, const std::string& change) {
        ++runs;
        try {
            use(bad);
        } catch (const Error&) {
        } catch (const std::exception& e) {
            FAIL_CHECK(change << ": " << std::string(e.what()));
        }
    });
    CHECK(runs > 0);
}

} // namespace kms::test
