#include "fake_http.hpp"
#include "service_fixture.hpp"

#include <doctest/doctest.h>
#include <kube/actions_cancel.hpp>
#include <kube/actions_clone.hpp>
#include <kube/actions_record.hpp>
#include <set>
#include <util/clock.hpp>
#include <util/error.hpp>

using namespace kms;

namespace {

kube::PruneCandidate member(const std::string& group, const std::string& kind, const std::string& name)
{
    return { kube::ResourceInfo{ group, "v1", kind, "", true }, "demo", name };
}

// A client whose GETs answer 200 for the paths in `live`, 404 for any other.
struct Gone
{
    test::FakeHttp http;
    std::set<std::string> live;
    std::unique_ptr<kube::Client> client;

    Gone()
    {
        http.handler = [this](const http::Request& r) {
            std::string path = r.url.substr(std::string("https://api.test").size());
            return live.count(path) > 0 ? test::FakeHttp::answer(200, R"({"metadata": {}})")
                                        : test::FakeHttp::answer(404, R"({"kind":"Status","code":404})");
        };
        kube::RestConfig rc;
        rc.server = "https://api.test";
        kube::ClientDeps deps;
        deps.http = http.factory();
        client = std::make_unique<kube::Client>(rc, deps);
    }
};

} // namespace

TEST_SUITE("actions: cancel, clone, expose")
{
    TEST_CASE("cancel: --cascade takes kubectl's spellings that delete dependents")
    {
        CHECK(std::string(actions::propagation_policy("background", "--cascade")) == "Background");
        CHECK(std::string(actions::propagation_policy("true", "--cascade")) == "Background");
        CHECK(std::string(actions::propagation_policy("foreground", "--cascade")) == "Foreground");
        CHECK_THROWS_WITH(actions::propagation_policy("orphan", "--cascade"),
                          doctest::Contains("flag --cascade: orphan would leave"));
        CHECK_THROWS_WITH(actions::propagation_policy("Foreground", "--cascade"),
                          doctest::Contains("unknown value \"Foreground\""));
    }

    TEST_CASE("cancel: the Deployment goes last of the members, the parent after everything")
    {
        actions::Owned owned;
        owned.set = kube::ApplySetParent::for_service("web", "demo", Json::object());
        owned.members = { member("apps", "Deployment", "web"),
                          member("autoscaling", "HorizontalPodAutoscaler", "web"),
                          member("", "Service", "web") };
        owned.parent_exists = true;
        auto order = actions::deletion_order(owned);
        REQUIRE(order.size() == 4);
        CHECK(order[0].resource.kind == "HorizontalPodAutoscaler");
        CHECK(order[1].resource.kind == "Service");
        CHECK(order[2].resource.kind == "Deployment");
        CHECK(actions::describe_owned(owned, order[3]) == "Secret/microservice-web (demo) (ApplySet parent)");
        CHECK(actions::describe_owned(owned, order[1]) == "Service/web (demo)");
        owned.parent_exists = false;
        CHECK(actions::deletion_order(owned).size() == 3);
    }

    TEST_CASE("clone: a host named after the original follows the new name")
    {
        CHECK(actions::renamed_host("web.services.example.com", "web", "web2") == "web2.services.example.com");
        CHECK(actions::renamed_host("web.acme.io", "web", "canary") == "canary.acme.io");
        CHECK_FALSE(actions::renamed_host("api.acme.io", "web", "web2"));
        CHECK_FALSE(actions::renamed_host("webshop.acme.io", "web", "web2"));
    }

    TEST_CASE("expose: an exposure added with its defaults; another via drops the recorded gateway")
    {
        spec::Service s = test::load_one(test::ServiceInput{ "name: web\nimage: x:1\n" });
        spec::Config config;
        config.domain = "example.com";
        config.gateway = spec::GatewayRef{ "public", std::string("gw"), std::nullopt };
        actions::Reload r{ actions::record_text(s, false), "test", "", {}, false, true };
        auto exposed = actions::load_record(r, config);
        REQUIRE(exposed.service.expose);
        CHECK(exposed.service.expose->host == "web.services.example.com");
        REQUIRE(exposed.service.expose->gateway);

        actions::Reload again{ actions::record_text(exposed.service, false), "test", "", {}, false, false };
        again.overrides.expose.via = "ingress";
        auto ingress = actions::load_record(again, config);
        REQUIRE(ingress.service.expose);
        CHECK_FALSE(ingress.service.expose->gateway);
        CHECK(ingress.service.expose->host == "web.services.example.com");
        again.overrides.expose.via = "gateway-api";
        CHECK(actions::load_record(again, config).service.expose->gateway); // the same via keeps it
    }

    TEST_CASE("cancel --wait: polls until every object is gone, then names those left at the deadline")
    {
        actions::Owned owned;
        owned.set = kube::ApplySetParent::for_service("web", "demo", Json::object());
        owned.members = { kube::PruneCandidate{
          kube::ResourceInfo{ "apps", "v1", "Deployment", "deployments", true }, "demo", "web" } };
        owned.parent_exists = true;
        Gone g;
        util::FakeClock clock;
        actions::wait_gone(*g.client, owned, std::chrono::seconds(5), clock);
        CHECK(clock.slept.count() == 0);

        g.live = { "/apis/apps/v1/namespaces/demo/deployments/web" };
        CHECK_THROWS_WITH(actions::wait_gone(*g.client, owned, std::chrono::seconds(5), clock),
                          doctest::Contains("timed out waiting for the deletion of Deployment/web (demo)"));
        CHECK(clock.slept >= std::chrono::seconds(5));
        CHECK(clock.slept < std::chrono::seconds(7)); // the pause grows to a second, no more
    }
}
