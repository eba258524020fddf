#include <render/output.hpp>
#include <render/yaml_emit.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <unistd.h>

namespace kms::render {

namespace {

constexpr const char* k_dir_marker = "# Written by kubectl-microservice render -o dir.";

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

} // namespace

OutputSpec parse_output(const std::string& text)
{
    if (text == "yaml") {
        return {Format::yaml, {}};
    }
    if (text == "json") {
        return {Format::json, {}};
    }
    if (text == "name") {
        return {Format::name, {}};
    }
    if (text.rfind("dir=", 0) == 0 && text.size() > 4) {
        return {Format::dir, text.substr(4)};
    }
    throw input_error(SourcePos{{}, 0, 0, "--output"},
                      fmt::format("unknown output format \"{}\": use yaml, json, name or dir=PATH", text));
}

std::string object_name(const Json& object)
{
    // Also the objects apply got back from the server: read as untrusted.
    std::string kind = util::str_at(object, "kind");
    std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string api = util::str_at(object, "apiVersion");
    auto slash = api.find('/');
    std::string group = slash == std::string::npos ? "" : "." + api.substr(0, slash);
    return kind + group + "/" + util::str_at(util::object_at(object, "metadata"), "name");
}

std::string format_objects(const std::vector<Json>& objects, Format format)
{
    if (format == Format::json) {
        Json list = Json::object();
        list["apiVersion"] = "v1";
        list["kind"] = "List";
        list["metadata"] = Json::object();
        list["items"] = Json(objects);
        return list.dump(4) + "\n";
    }
    if (format == Format::name) {
        std::string out;
        for (const auto& o : objects) {
            out += object_name(o) + "\n";
        }
        return out;
    }
    return to_yaml_stream(objects);
}

std::vector<std::string> object_file_names(const std::vector<Json>& objects)
{
    std::map<std::string, int> count;
    std::vector<std::string> plain;
    for (const auto& o : objects) {
        const Json& meta = util::object_at(o, "metadata");
        plain.push_back(lower(util::str_at(o, "kind", "object")) + "-" + util::str_at(meta, "name", "unnamed"));
        ++count[plain.back()];
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        std::string n = plain[i];
        if (count[n] > 1) {
            n = util::str_at(util::object_at(objects[i], "metadata"), "namespace", "default") + "-" + n;
        }
        names.push_back(n + ".yaml");
    }
    return names;
}

namespace {

// ".NAME.tmp-PID" and ".NAME.old-PID" left by runs that were killed (PID no longer alive).
void remove_stale_siblings(const std::filesystem::path& parent, const std::string& name)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(parent, ec)) {
        std::string f = e.path().filename().string();
        for (const char* kind : {".tmp-", ".old-"}) {
            std::string prefix = "." + name + kind;
            if (f.rfind(prefix, 0) != 0) {
                continue;
            }
            char* end = nullptr;
            long pid = std::strtol(f.c_str() + prefix.size(), &end, 10);
            if (end != nullptr && *end == '\0' && pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 &&
                errno == ESRCH) {
                fs::remove_all(e.path(), ec);
            }
        }
    }
}

} // namespace

void write_dir(const std::vector<Json>& objects, const std::string& dir)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path target(dir);
    if (fs::exists(target, ec)) {
        auto kust = util::real_fs().read((target / "kustomization.yaml").string());
        bool ours = kust && kust->rfind(k_dir_marker, 0) == 0;
        bool empty = fs::is_directory(target, ec) && fs::is_empty(target, ec);
        if (!ours && !empty) {
            throw Error(fmt::format("{}: exists and was not written by 'render -o dir'; remove it or choose another "
                                    "directory",
                                    dir),
                        ExitCode::usage);
        }
    }
    fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    remove_stale_siblings(parent, target.filename().string());
    fs::path tmp = parent / fmt::format(".{}.tmp-{}", target.filename().string(), ::getpid());
    fs::remove_all(tmp, ec);
    if (!fs::create_directory(tmp, ec)) {
        throw Error(fmt::format("{}: cannot create {}: {}", dir, tmp.string(), ec.message()));
    }
    try {
        auto names = object_file_names(objects);
        std::string kust = std::string(k_dir_marker) + "\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: "
                                                       "Kustomization\nresources:\n";
        for (std::size_t i = 0; i < objects.size(); ++i) {
            util::real_fs().write_atomic((tmp / names[i]).string(), to_yaml(objects[i]), 0644);
            kust += "- " + names[i] + "\n";
        }
        util::real_fs().write_atomic((tmp / "kustomization.yaml").string(), kust, 0644);
        bool had_old = fs::exists(target, ec);
        // One atomic swap, so a kill at any moment leaves the old directory or the new one, never
        // neither; then the old one (now at tmp) goes.
        if (had_old && ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
            fs::remove_all(tmp, ec);
            return;
        }
        fs::path old = parent / fmt::format(".{}.old-{}", target.filename().string(), ::getpid());
        if (had_old) {
            fs::rename(target, old); // a file system without RENAME_EXCHANGE: two renames
        }
        fs::rename(tmp, target);
        if (had_old) {
            fs::remove_all(old, ec);
        }
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(tmp, ec);
        throw Error(fmt::format("{}: cannot write: {}", dir, e.code().message()));
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

} // namespace kms::render
