#include "formats_fixture.hpp"

#include <spec/pipeline.hpp>

#include <doctest/doctest.h>

using kms::test::FormatsInput;
using kms::test::has_warning;
using kms::test::load_formats_error;
using kms::test::load_formats_ok;
using namespace kms::spec;

namespace {

// A service that runs /repo/pipeline.yaml.
FormatsInput with_pipeline(const std::string& pipeline)
{
    return FormatsInput{{{"service.yaml", "name: svc\nimage: python:3.12\nrun: {pipeline: pipeline.yaml}\n"},
                         {"/repo/pipeline.yaml", pipeline}}};
}

Pipeline pipeline_of(const std::string& text)
{
    auto loaded = load_formats_ok(with_pipeline(text));
    REQUIRE(loaded.services.size() == 1);
    REQUIRE(loaded.services[0].run.pipeline.has_value());
    return *loaded.services[0].run.pipeline;
}

std::string pipeline_error(const std::string& text)
{
    return load_formats_error(with_pipeline(text));
}

} // namespace

TEST_SUITE("spec::pipeline")
{
    TEST_CASE("every spelling of a task type Shakudo accepts is normalised")
    {
        for (const char* t : {"bash script", "bash", "Bash Script"}) {
            CHECK(normalise_task_type(t) == "bash");
        }
        for (const char* t : {"python script", "python", "py", "vs code notebook", "vscode notebook",
                              "VS  Code Notebook", " py "}) {
            CHECK(normalise_task_type(t) == "python");
        }
        for (const char* t : {"js script", "javascript", "js"}) {
            CHECK(normalise_task_type(t) == "js");
        }
        for (const char* t : {"jupyter notebook", "jupyter", "notebook", "ipynb", "Jupyter Notebook"}) {
            CHECK(normalise_task_type(t) == "notebook");
        }
        for (const char* t : {"", "shell", "pyhton", "bash scripts", "python3"}) {
            CHECK_FALSE(normalise_task_type(t).has_value());
        }
    }

    TEST_CASE("run.pipeline is read relative to the service file, with every field")
    {
        Pipeline p = pipeline_of(R"(pipeline:
  name: "my pipeline"
  working_dir: "sub/dir"
  requirements: "req.txt"
  tasks:
    - name: "step1"
      type: "jupyter notebook"
      notebook_path: "nb/a.ipynb"
      notebook_output_path: "out/a_out.ipynb"
      depends_on: []
      working_dir: "other"
    - name: "step2"
      type: "bash script"
      bash_script_path: "scripts/run.sh"
    - name: "step3"
      type: "vscode notebook"
      py_path: "src/main.py"
      depends_on: ["step1", "step2"]
    - name: "step4"
      type: "js script"
      js_path: "src/main.js"
)");
        CHECK(p.name == "my pipeline");
        CHECK(p.working_dir == "sub/dir");
        CHECK(p.requirements == "req.txt");
        CHECK(p.source == "pipeline.yaml");
        REQUIRE(p.tasks.size() == 4);
        CHECK(p.tasks[0].type == "notebook");
        CHECK(p.tasks[0].path == "nb/a.ipynb");
        CHECK(p.tasks[0].notebook_output_path == "out/a_out.ipynb");
        CHECK(p.tasks[0].working_dir == "other");
        REQUIRE(p.tasks[0].depends_on.has_value());
        CHECK(p.tasks[0].depends_on->empty());
        CHECK(p.tasks[1].type == "bash");
        CHECK_FALSE(p.tasks[1].depends_on.has_value());
        CHECK(p.tasks[2].type == "python");
        CHECK(p.tasks[2].depends_on == std::vector<std::string>{"step1", "step2"});
        CHECK(p.tasks[3].type == "js");
        CHECK(p.tasks[3].path == "src/main.js");
    }

    TEST_CASE("a pipeline file given with -f is a service named after the pipeline")
    {
        kms::spec::Overrides o;
        o.image = "python:3.12";
        auto loaded = load_formats_ok(FormatsInput{{{"service.yaml", R"(pipeline:
  name: "Hello World with Python"
  tasks:
    - name: "Run Python Script"
      type: "vscode notebook"
      py_path: "hello_world.py"
)"}},
                                                   o});
        REQUIRE(loaded.services.size() == 1);
        const Service& s = loaded.services[0];
        CHECK(s.name == "hello-world-with-python");
        CHECK(s.image == "python:3.12");
        REQUIRE(s.run.pipeline.has_value());
        CHECK(s.run.pipeline->tasks[0].path == "hello_world.py");
        CHECK(s.ports.front().port == 8787);
    }

    TEST_CASE("a pipeline file needs an image from --image or --environment")
    {
        CHECK(load_formats_error(FormatsInput{{{"service.yaml", R"(pipeline:
  name: job
  tasks: [{name: a, type: py, py_path: a.py}]
)"}}}) == "service.yaml: image: required (set 'image', --image, or an 'environment' preset that supplies one)");
    }

    TEST_CASE("undocumented keys are warnings, typos of known keys are errors")
    {
        auto loaded = load_formats_ok(with_pipeline(R"(pipeline:
  name: job
  requirements: "r.txt"
  tasks:
  - name: "run"
    type: "py"
    port: 8787
    retries: 3
    py_path: "job.py"
)"));
        CHECK(has_warning(loaded.warnings, "warning: pipeline.yaml:7:5: pipeline.tasks[0].port: not used; the service "
                                           "listens on its port from the service file or --port (default 8787)"));
        CHECK(has_warning(loaded.warnings, "warning: pipeline.yaml:8:5: pipeline.tasks[0].retries: unknown key, "
                                           "ignored"));
        CHECK(pipeline_error(R"(pipeline:
  tasks:
  - {name: a, type: py, py_path: a.py, depend_on: []}
)") == "pipeline.yaml:3:40: unknown key 'pipeline.tasks[0].depend_on' (did you mean 'depends_on'?)");
    }

    TEST_CASE("an unknown task type names the closest spelling")
    {
        CHECK(pipeline_error(R"(pipeline:
  tasks:
  - {name: a, type: pyhton, py_path: a.py}
)") == "pipeline.yaml:3:21: pipeline.tasks[0].type: unknown task type \"pyhton\" (did you mean \"python\"?); use "
       "bash script, python script, js script, jupyter notebook or vscode notebook");
    }

    TEST_CASE("each type runs the path key of its type")
    {
        CHECK(pipeline_error(R"(pipeline:
  tasks:
  - {name: a, type: bash script, py_path: a.py}
)") == "pipeline.yaml:3:43: pipeline.tasks[0].py_path: belongs to python script / vscode notebook tasks; a \"bash "
       "script\" task runs its bash_script_path\n"
       "pipeline.yaml:3:5: pipeline.tasks[0]: 'bash_script_path' is required");
    }

    TEST_CASE("depends_on must name tasks of the pipeline")
    {
        CHECK(pipeline_error(R"(pipeline:
  tasks:
  - {name: prepare, type: bash, bash_script_path: p.sh}
  - {name: serve, type: py, py_path: s.py, depends_on: [prepair]}
)") == "pipeline.yaml:4:57: pipeline.tasks[1].depends_on: no task named \"prepair\" (did you mean \"prepare\"?)");
    }

    TEST_CASE("cycles are named, implicit order included")
    {
        CHECK(pipeline_error(R"(pipeline:
  tasks:
  - {name: a, type: bash, bash_script_path: a.sh, depends_on: [b]}
  - {name: b, type: bash, bash_script_path: b.sh, depends_on: [a]}
)") == "pipeline.yaml:3:63: pipeline.tasks[0].depends_on: the tasks wait for each other in a cycle: \"a\" → \"b\" "
       "→ \"a\"");
        // b has no depends_on, so it waits for a, which waits for b.
        CHECK(pipeline_error(R"(pipeline:
  tasks:
  - {name: a, type: bash, bash_script_path: a.sh, depends_on: [b]}
  - {name: b, type: bash, bash_script_path: b.sh}
)") == "pipeline.yaml:3:63: pipeline.tasks[0].depends_on: the tasks wait for each other in a cycle: \"a\" → \"b\" "
       "→ \"a\" (a task without depends_on waits for the task before it)");
        CHECK(pipeline_error(R"(pipeline:
  tasks:
  - {name: a, type: bash, bash_script_path: a.sh, depends_on: [a]}
)") == "pipeline.yaml:3:63: pipeline.tasks[0].depends_on: the tasks wait for each other in a cycle: \"a\" → \"a\"");
    }

    TEST_CASE("task names are unique and paths stay inside the repository")
    {
        CHECK(pipeline_error(R"(pipeline:
  working_dir: ../up
  tasks:
  - {name: a, type: bash, bash_script_path: /abs/a.sh}
  - {name: a, type: js, js_path: src/../../x.js}
)") == "pipeline.yaml:2:16: pipeline.working_dir: \"../up\" must be a relative path inside the repository (no "
       "leading '/', no '..')\n"
       "pipeline.yaml:4:45: pipeline.tasks[0].bash_script_path: \"/abs/a.sh\" must be a relative path inside the "
       "repository (no leading '/', no '..')\n"
       "pipeline.yaml:5:34: pipeline.tasks[1].js_path: \"src/../../x.js\" must be a relative path inside the "
       "repository (no leading '/', no '..')\n"
       "pipeline.yaml:5:12: pipeline.tasks[1].name: another task is already named \"a\"");
    }

    TEST_CASE("a pipeline needs tasks, and the file must be there")
    {
        CHECK(pipeline_error("pipeline:\n  name: x\n") ==
              "pipeline.yaml:2:3: pipeline: 'tasks' is required (a list of at least one task)");
        CHECK(pipeline_error("pipeline:\n  tasks: []\n") ==
              "pipeline.yaml:2:10: pipeline.tasks: at least one task is required");
        CHECK(pipeline_error("name: not-a-pipeline\n") ==
              "pipeline.yaml:1:1: expected one Shakudo pipeline document (a map with a 'pipeline' key)");
        CHECK(load_formats_error(FormatsInput{{{"service.yaml", "image: x\nrun: {pipeline: missing.yaml}\n"}}}) ==
              "service.yaml:2:17: run.pipeline: cannot read \"missing.yaml\": no such file");
        CHECK(load_formats_error(FormatsInput{{{"service.yaml", "image: x\nrun: {pipeline: ../p.yaml}\n"}}}) ==
              "service.yaml:2:17: run.pipeline: \"../p.yaml\" must be a relative path inside the repository (no "
              "leading '/', no '..')");
    }

    TEST_CASE("--pipeline reads the file like run.pipeline does")
    {
        kms::spec::Overrides o;
        o.pipeline = "pipeline.yaml";
        auto loaded = load_formats_ok(FormatsInput{{{"service.yaml", "name: svc\nimage: x\n"},
                                                    {"/repo/pipeline.yaml",
                                                     "pipeline:\n  tasks: [{name: a, type: js, js_path: a.js}]\n"}},
                                                   o});
        REQUIRE(loaded.services[0].run.pipeline.has_value());
        CHECK(loaded.services[0].run.pipeline->tasks[0].type == "js");
    }

    TEST_CASE("notebook_output_path on another type is ignored with a warning")
    {
        auto loaded = load_formats_ok(with_pipeline(R"(pipeline:
  tasks:
  - {name: a, type: py, py_path: a.py, notebook_output_path: out.ipynb}
)"));
        CHECK_FALSE(loaded.services[0].run.pipeline->tasks[0].notebook_output_path.has_value());
        CHECK(has_warning(loaded.warnings, "pipeline.tasks[0].notebook_output_path: only jupyter notebook tasks "
                                           "write an output notebook; ignored"));
    }
}
