// Fuzzes the kubeconfig loader: a file is parsed, merged with a second copy of itself (the
// KUBECONFIG list path) and resolved into a connection, the way every cluster verb starts.
// kms::Error is the expected way to reject a file; any other exception, crash, leak or hang is a bug.
#include "fuzz_common.hpp"

#include <kube/kubeconfig.hpp>
#include <util/env.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    kms::fuzz::Input in(data, size);
    const std::string& text = in.all();
    try {
        auto kc = kms::kube::parse_kubeconfig(text, "/home/u/.kube/config");
        kms::kube::merge_kubeconfig(kc, kms::kube::parse_kubeconfig(text, "/home/u/.kube/other"));
    } catch (const kms::Error&) {
    }
    kms::util::MemoryFs fs;
    fs.files["/home/u/.kube/config"] = text;
    fs.files["/home/u/.kube/ca.crt"] = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n";
    fs.files["/home/u/.kube/token"] = "file-token\n";
    kms::util::MapEnvironment env;
    env.vars["HOME"] = "/home/u";
    kms::kube::ConfigOverrides o;
    try {
        auto rc = kms::kube::resolve_rest_config(o, env, fs);
        (void)rc.is_tls();
        (void)rc.user_ref();
    } catch (const kms::Error&) {
    }
    return 0;
}
