#include <spec/yaml_reader.hpp>
#include <util/strings.hpp>

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace kms::spec {

namespace {

// Remembers where the current document starts; every other event is ignored.
class DocumentStart : public YAML::EventHandler
{
public:
    YAML::Mark mark = YAML::Mark::null_mark();

    void OnDocumentStart(const YAML::Mark& m) override { mark = m; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// yaml-cpp 0.7's LoadAll never returns (and allocates without end) when a document starts with a
// ',' outside a flow collection (", x", or the ", b" of "[a], b"): the parser yields an empty
// document without consuming the token, again and again. This pass stops at the first document
// that starts where the previous one did. A syntax error throws here as it would in LoadAll.
void check_documents_advance(const std::string& text, const std::string& file)
{
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStart doc;
    int previous = -1;
    while (parser.HandleNextDocument(doc)) {
        if (doc.mark.pos == previous) {
            char c = static_cast<std::size_t>(doc.mark.pos) < text.size() ? text[static_cast<std::size_t>(doc.mark.pos)]
                                                                         : '?';
            throw input_error(SourcePos{file, doc.mark.line + 1, doc.mark.column + 1, {}},
                              fmt::format("invalid YAML: unexpected '{}' outside a flow collection", c));
        }
        previous = doc.mark.pos;
    }
}

} // namespace

std::vector<YAML::Node> load_yaml_documents(const std::string& text, const std::string& file)
{
    // YAML is Unicode, and yaml-cpp does not check: invalid bytes would reach the JSON output
    // (which refuses them) or a manifest. Found by fuzz_service_file.
    // Control characters other than tab and line breaks are not YAML either (its printable set);
    // a NUL cut strings short on their way into the output. Found by fuzz_service_file.
    auto control = std::find_if(text.begin(), text.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
    });
    auto bad = util::utf8_error(text);
    auto at = std::min(bad, static_cast<std::size_t>(control - text.begin()));
    if (at < text.size()) {
        std::string_view before(text.data(), at);
        auto line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
        auto nl = before.rfind('\n');
        auto column = static_cast<int>(nl == std::string_view::npos ? at : at - nl - 1) + 1;
        auto byte = static_cast<unsigned char>(text[at]);
        throw input_error(SourcePos{file, line, column, {}},
                          at == bad ? fmt::format("not valid UTF-8 (byte 0x{:02X}): save the file as UTF-8", byte)
                                    : fmt::format("control character 0x{:02X}, which YAML does not allow", byte));
    }
    try {
        check_documents_advance(text, file);
        return YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
        SourcePos pos{file, e.mark.line + 1, e.mark.column + 1, {}};
        if (e.mark.is_null()) {
            pos.line = 0;
        }
        throw input_error(pos, "invalid YAML: " + e.msg);
    }
}

std::string_view describe(const YAML::Node& n)
{
    switch (n.Type()) {
    case YAML::NodeType::Map:
        return "a map";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Scalar:
        return n.Tag() == "!" ? "a string" : "a scalar";
    case YAML::NodeType::Null:
        return "null";
    default:
        return "nothing";
    }
}

std::string join_path(std::string_view parent, std::string_view key)
{
    if (parent.empty()) {
        return std::string(key);
    }
    return std::string(parent) + "." + std::string(key);
}

SourcePos YamlReader::pos(const YAML::Node& n) const
{
    YAML::Mark m = n.Mark();
    if (m.is_null()) {
        return SourcePos{m_file, 0, 0, {}};
    }
    return SourcePos{m_file, m.line + 1, m.column + 1, {}};
}

bool YamlReader::is_map(const YAML::Node& n, std::string_view path)
{
    if (n.IsMap()) {
        return true;
    }
    error(n, fmt::format("{}: expected a map, got {}", path.empty() ? "document" : path, describe(n)));
    return false;
}

bool YamlReader::is_list(const YAML::Node& n, std::string_view path)
{
    if (n.IsSequence()) {
        return true;
    }
    error(n, fmt::format("{}: expected a list, got {}", path, describe(n)));
    return false;
}

bool YamlReader::check_map(const YAML::Node& n, std::string_view path, std::span<const std::string_view> known)
{
    if (!is_map(n, path)) {
        return false;
    }
    std::set<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
        YAML::Node key = it->first; // a copy: it-> returns a temporary proxy
        if (!key.IsScalar()) {
            error(key, fmt::format("{}: keys must be strings", path.empty() ? "document" : path));
            continue;
        }
        std::string k = key.Scalar();
        if (!seen.insert(k).second) {
            error(key, fmt::format("duplicate key '{}'", join_path(path, k)));
            continue;
        }
        bool ok = false;
        for (auto kn : known) {
            ok = ok || kn == k;
        }
        if (!ok) {
            auto hint = util::closest_match(k, known);
            error(key, fmt::format("unknown key '{}'{}", join_path(path, k),
                                   hint ? fmt::format(" (did you mean '{}'?)", *hint) : std::string()));
        }
    }
    return true;
}

std::optional<std::string> YamlReader::str(const YAML::Node& n, std::string_view path)
{
    if (!n.IsDefined() || n.IsNull()) {
        return std::nullopt;
    }
    if (!n.IsScalar()) {
        error(n, fmt::format("{}: expected a string, got {}", path, describe(n)));
        return std::nullopt;
    }
    return n.Scalar();
}

std::optional<int> YamlReader::integer(const YAML::Node& n, std::string_view path, long long lo, long long hi)
{
    if (!n.IsDefined() || n.IsNull()) {
        return std::nullopt;
    }
    auto range = [&] { return fmt::format("{}: expected an integer from {} to {}", path, lo, hi); };
    if (!n.IsScalar() || n.Tag() == "!") {
        error(n, fmt::format("{}, got {}", range(), n.IsScalar() ? fmt::format("\"{}\"", n.Scalar())
                                                                  : std::string(describe(n))));
        return std::nullopt;
    }
    const std::string& s = n.Scalar();
    long long v = 0;
    bool neg = !s.empty() && s[0] == '-';
    std::size_t i = (neg || (!s.empty() && s[0] == '+')) ? 1 : 0;
    bool ok = i < s.size() && s.size() - i <= 12;
    for (; ok && i < s.size(); ++i) {
        ok = s[i] >= '0' && s[i] <= '9';
        v = v * 10 + (s[i] - '0');
    }
    if (!ok) {
        error(n, fmt::format("{}, got {}", range(), s));
        return std::nullopt;
    }
    v = neg ? -v : v;
    if (v < lo || v > hi) {
        error(n, fmt::format("{}, got {}", range(), v));
        return std::nullopt;
    }
    return static_cast<int>(v);
}

std::optional<bool> YamlReader::boolean(const YAML::Node& n, std::string_view path)
{
    if (!n.IsDefined() || n.IsNull()) {
        return std::nullopt;
    }
    if (n.IsScalar() && n.Tag() != "!") {
        const std::string& s = n.Scalar();
        if (s == "true" || s == "True" || s == "TRUE") {
            return true;
        }
        if (s == "false" || s == "False" || s == "FALSE") {
            return false;
        }
    }
    error(n, fmt::format("{}: expected true or false, got {}", path,
                         n.IsScalar() ? fmt::format("\"{}\"", n.Scalar()) : std::string(describe(n))));
    return std::nullopt;
}

std::optional<std::vector<std::string>> YamlReader::str_list(const YAML::Node& n, std::string_view path)
{
    if (!n.IsDefined() || n.IsNull()) {
        return std::nullopt;
    }
    if (!is_list(n, path)) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n.size(); ++i) {
        auto s = str(n[i], fmt::format("{}[{}]", path, i));
        if (!s) {
            if (n[i].IsNull()) {
                error(n[i], fmt::format("{}[{}]: expected a string, got null", path, i));
            }
            return std::nullopt;
        }
        out.push_back(*s);
    }
    return out;
}

std::optional<KeyValues> YamlReader::key_values(const YAML::Node& n, std::string_view path)
{
    if (!n.IsDefined() || n.IsNull()) {
        return std::nullopt;
    }
    KeyValues out;
    if (n.IsSequence()) {
        static constexpr std::string_view k_known[] = {"name", "value"};
        for (std::size_t i = 0; i < n.size(); ++i) {
            std::string item = fmt::format("{}[{}]", path, i);
            if (!check_map(n[i], item, k_known)) {
                return std::nullopt;
            }
            auto name = str(n[i]["name"], item + ".name");
            if (!name) {
                error(n[i], item + ": 'name' is required");
                return std::nullopt;
            }
            out.emplace_back(*name, str(n[i]["value"], item + ".value").value_or(""));
        }
        return out;
    }
    if (!is_map(n, path)) {
        return std::nullopt;
    }
    std::set<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar()) {
            error(it->first, fmt::format("{}: keys must be strings", path));
            continue;
        }
        std::string key = it->first.Scalar();
        if (!seen.insert(key).second) {
            error(it->first, fmt::format("duplicate key '{}'", join_path(path, key)));
            continue;
        }
        YAML::Node v = it->second; // a copy: it-> returns a temporary proxy
        if (v.IsNull()) {
            out.emplace_back(key, "");
            continue;
        }
        auto s = str(v, join_path(path, key));
        if (s) {
            out.emplace_back(key, *s);
        }
    }
    return out;
}

} // namespace kms::spec
