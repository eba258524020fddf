#include <util/error.hpp>
#include <util/module.hpp>

#include <cstdlib>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <unistd.h>
#include <vector>

#ifndef KMS_MODULE_DIR
#define KMS_MODULE_DIR "/usr/local/lib/kubectl-microservice"
#endif

namespace kms::util {

namespace {

std::string executable_dir()
{
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) {
        return {};
    }
    std::string path(buf, static_cast<std::size_t>(n));
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::vector<std::string> search_dirs()
{
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("KMS_MODULE_DIR"); env != nullptr && *env != '\0') {
        dirs.emplace_back(env);
    }
    std::string exe = executable_dir();
    if (!exe.empty()) {
        dirs.push_back(exe + "/modules");
        dirs.push_back(exe + "/../lib/kubectl-microservice");
    }
    dirs.emplace_back(KMS_MODULE_DIR);
    return dirs;
}

} // namespace

void* module_symbol(const std::string& module, const std::string& symbol)
{
    static std::mutex mutex;
    static std::map<std::string, void*> handles;
    std::lock_guard<std::mutex> lock(mutex);
    void*& handle = handles[module];
    std::string tried;
    if (handle == nullptr) {
        for (const auto& dir : search_dirs()) {
            std::string path = dir + "/" + module + ".so";
            if (::access(path.c_str(), R_OK) != 0) {
                tried += (tried.empty() ? "" : ", ") + path;
                continue;
            }
            handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (handle == nullptr) {
                const char* err = ::dlerror();
                throw Error(fmt::format("cannot load {}: {}", path, err != nullptr ? err : "unknown error"));
            }
            break;
        }
    }
    if (handle == nullptr) {
        throw Error(fmt::format("cannot find the {} module (looked for {}); reinstall kubectl-microservice or set "
                                "KMS_MODULE_DIR",
                                module, tried));
    }
    void* sym = ::dlsym(handle, symbol.c_str());
    if (sym == nullptr) {
        throw Error(fmt::format("the {} module has no {}: it does not match this binary", module, symbol));
    }
    return sym;
}

} // namespace kms::util
