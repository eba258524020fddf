#include "formats_fixture.hpp"

#include <render/pipeline.hpp>

#include <doctest/doctest.h>

using namespace kms;

namespace {

spec::PipelineTask task(std::string name, std::string type, std::string path)
{
    spec::PipelineTask t;
    t.name = std::move(name);
    t.type = std::move(type);
    t.path = std::move(path);
    return t;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

// The runner is executed for real in tests/e2e/test_pipeline_runner.py; these check the generated
// task table, which those runs cannot see directly.
TEST_SUITE("render::pipeline")
{
    TEST_CASE("each task type runs its program on its path, quoted, from its working directory")
    {
        spec::Pipeline p;
        p.name = "demo";
        p.working_dir = "sub dir";
        p.requirements = "req's.txt";
        p.tasks.push_back(task("prep", "bash", "scripts/prep.sh"));
        p.tasks.push_back(task("nb", "notebook", "nb/a.ipynb"));
        p.tasks.back().working_dir = "nb";
        p.tasks.push_back(task("nb2", "notebook", "b.ipynb"));
        p.tasks.back().notebook_output_path = "out/b.ipynb";
        p.tasks.push_back(task("ui", "js", "it's.js"));
        p.tasks.push_back(task("serve", "python", "app.py"));
        std::string s = render::pipeline_runner(p);
        CHECK(contains(s, "    0) cd \"$root\"/'sub dir' && exec bash \"$root\"/'scripts/prep.sh' ;;\n"));
        CHECK(contains(s, "    1) cd \"$root\"/'nb' && exec papermill \"$root\"/'nb/a.ipynb' "
                          "\"$root\"/'nb/a_output.ipynb' ;;\n"));
        CHECK(contains(s, "    2) cd \"$root\"/'sub dir' && exec papermill \"$root\"/'b.ipynb' \"$root\"/'out/b.ipynb' "
                          ";;\n"));
        CHECK(contains(s, "    3) cd \"$root\"/'sub dir' && exec node \"$root\"/'it'\\''s.js' ;;\n"));
        CHECK(contains(s, "    4) cd \"$root\"/'sub dir' && exec python \"$root\"/'app.py' ;;\n"));
        CHECK(contains(s, "requirements='req'\\''s.txt'\n"));
        CHECK(contains(s, "names=('prep' 'nb' 'nb2' 'ui' 'serve')\n"));
    }

    TEST_CASE("a task waits for the one before it unless depends_on says otherwise")
    {
        spec::Pipeline p;
        p.tasks.push_back(task("a", "bash", "a.sh"));
        p.tasks.push_back(task("b", "bash", "b.sh"));
        p.tasks.push_back(task("c", "bash", "c.sh"));
        p.tasks.back().depends_on = std::vector<std::string>{};
        p.tasks.push_back(task("d", "bash", "d.sh"));
        p.tasks.back().depends_on = std::vector<std::string>{"a", "c"};
        p.tasks.push_back(task("e", "bash", "e.sh"));
        std::string s = render::pipeline_runner(p);
        CHECK(contains(s, "deps=('' '0' '' '0 2' '3')\n"));
        CHECK(contains(s, "requirements=''\n"));
        // Without a working_dir the task runs where the container starts.
        CHECK(contains(s, "    0) exec bash \"$root\"/'a.sh' ;;\n"));
    }

    TEST_CASE("a name with a newline cannot end the header comment")
    {
        spec::Pipeline p;
        p.name = "two\nlines";
        p.tasks.push_back(task("a", "bash", "a.sh"));
        CHECK(contains(render::pipeline_runner(p), "# Pipeline \"two lines\", run by kubectl-microservice."));
    }

    TEST_CASE("a service with run.pipeline runs the runner with bash -c from the repository root")
    {
        auto loaded = test::load_formats_ok(test::FormatsInput{
            {{"service.yaml", "name: svc\nimage: python:3.12\ngit: {repo: https://example.com/r.git}\n"
                              "run: {pipeline: p.yaml}\n"},
             {"/repo/p.yaml", "pipeline:\n  tasks: [{name: serve, type: py, py_path: app.py}]\n"}}});
        auto rendered = render::render_all(loaded.services, spec::Config{});
        const Json* deployment = nullptr;
        for (const auto& o : rendered.objects) {
            if (o["kind"] == "Deployment") {
                deployment = &o;
            }
        }
        REQUIRE(deployment != nullptr);
        const Json& c = (*deployment)["spec"]["template"]["spec"]["containers"][0];
        REQUIRE(c["command"].size() == 3);
        CHECK(c["command"][0] == "bash");
        CHECK(c["command"][1] == "-c");
        CHECK(c["command"][2] == render::pipeline_runner(*loaded.services[0].run.pipeline));
        CHECK(c["workingDir"] == "/workspace/repo");
    }
}
