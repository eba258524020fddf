#pragma once

// A kube::Client whose transport is a ScriptedHttp, for the API-response and watch targets.
#include "fuzz_common.hpp"

#include <kube/client.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>

#include <memory>

namespace kms::fuzz {

struct KubeFixture
{
    util::FakeClock clock;
    util::MemoryFs fs;
    std::unique_ptr<kube::Client> client;

    KubeFixture(ScriptedHttp::Handler handler, std::size_t chunk = 0)
    {
        kube::RestConfig rc;
        rc.server = "https://api.example";
        rc.namespace_ = "demo";
        rc.token = "fuzz-token";
        kube::ClientDeps deps;
        deps.http = [handler, chunk](const http::ClientOptions&) {
            return std::unique_ptr<http::Client>(new ScriptedHttp(handler, chunk));
        };
        deps.clock = &clock;
        deps.fs = &fs;
        deps.warn = [](const std::string&) {};
        client = std::make_unique<kube::Client>(rc, deps);
    }
};

} // namespace kms::fuzz
