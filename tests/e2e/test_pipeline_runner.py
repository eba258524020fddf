#!/usr/bin/env python3
"""The Shakudo pipeline runner, executed for real.

Each test writes a pipeline file and small task scripts into a temporary "repository", renders the
pipeline with the binary (`render -f pipeline.yaml -o json`), takes the container's `bash -c`
script from the Deployment and runs it with bash in that directory, as the container would. Tools
the runner calls but a test machine may lack (python, pip, node, papermill) are shims on PATH that
record their arguments; bash and the scheduler are real.
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

ROOT = pathlib.Path(os.environ.get("KMS_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2])
BIN = os.environ.get("KMS_BIN") or str(ROOT / "build" / "kubectl-microservice")

SHIM = """#!/bin/bash
printf '%s\\n' "$*" >> "$SHIM_LOG/{name}.args"
{tail}
"""


class Repo:
    """A temporary repository root with task files, shims and the rendered runner."""

    def __init__(self, test, pipeline, files):
        self.tmp = tempfile.TemporaryDirectory(prefix="kms-runner-")
        test.addCleanup(self.tmp.cleanup)
        self.root = pathlib.Path(self.tmp.name) / "repo"
        self.root.mkdir()
        self.log = pathlib.Path(self.tmp.name) / "log"
        self.log.mkdir()
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        (self.root / "pipeline.yaml").write_text(textwrap.dedent(pipeline))
        self.bin = pathlib.Path(self.tmp.name) / "bin"
        self.bin.mkdir()
        python = sys.executable
        shims = {"python": f'exec {python} "$@"', "pip": 'exit "${PIP_EXIT:-0}"', "node": "", "papermill": ""}
        for name, tail in shims.items():
            shim = self.bin / name
            shim.write_text(SHIM.format(name=name, tail=tail))
            shim.chmod(0o755)
        self.script = self.render()

    def render(self):
        env = dict(os.environ, HOME=self.tmp.name, KMS_CONFIG=str(pathlib.Path(self.tmp.name) / "none.yaml"))
        proc = subprocess.run([BIN, "render", "-f", "pipeline.yaml", "--image", "python:3.12", "-o", "json"],
                              cwd=self.root, capture_output=True, text=True, env=env, timeout=30)
        if proc.returncode != 0:
            raise AssertionError(f"render failed: {proc.stderr}")
        for item in json.loads(proc.stdout)["items"]:
            if item["kind"] == "Deployment":
                command = item["spec"]["template"]["spec"]["containers"][0]["command"]
                assert command[:2] == ["bash", "-c"], command
                return command[2]
        raise AssertionError("no Deployment rendered")

    def env(self, **extra):
        return dict(os.environ, PATH=f"{self.bin}:{os.environ['PATH']}", SHIM_LOG=str(self.log),
                    EVENTS=str(self.log / "events"), **extra)

    def run(self, timeout=20, **extra):
        return subprocess.run(["bash", "-c", self.script], cwd=self.root, capture_output=True, text=True,
                              env=self.env(**extra), timeout=timeout, start_new_session=True)

    def start(self):
        return subprocess.Popen(["bash", "-c", self.script], cwd=self.root, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env(), start_new_session=True)

    def events(self):
        """(time, name, what) for every line the tasks appended to $EVENTS."""
        path = self.log / "events"
        if not path.exists():
            return []
        out = []
        for line in path.read_text().splitlines():
            stamp, name, what = line.split(" ", 2)
            out.append((float(stamp), name, what))
        return out

    def args_of(self, shim):
        path = self.log / f"{shim}.args"
        return path.read_text().splitlines() if path.exists() else []


# A bash task that records when it starts and ends, sleeping SLEEP seconds in between.
def task_script(name, sleep=0.0, code=0):
    return f"""\
        echo "$(date +%s.%N) {name} start" >> "$EVENTS"
        sleep {sleep}
        echo "$(date +%s.%N) {name} end" >> "$EVENTS"
        exit {code}
        """


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_gone(pid, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


class PipelineRunner(unittest.TestCase):
    def test_tasks_without_depends_on_run_one_after_another_and_the_last_one_ends_the_runner(self):
        repo = Repo(self, """\
            pipeline:
              name: sequential
              tasks:
                - {name: first, type: bash script, bash_script_path: a.sh}
                - {name: second, type: py, py_path: b.py}
                - {name: service, type: bash script, bash_script_path: c.sh}
            """, {
            "a.sh": task_script("first", 0.3),
            "b.py": """\
                import os, time
                with open(os.environ["EVENTS"], "a") as f:
                    f.write(f"{time.time()} second start\\n")
                """,
            "c.sh": task_script("service", 0.1),
        })
        proc = repo.run()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        events = repo.events()
        self.assertEqual([(n, w) for _, n, w in events],
                         [("first", "start"), ("first", "end"), ("second", "start"), ("service", "start"),
                          ("service", "end")])
        self.assertIn("pipeline: task 'service' (the service) exited", proc.stderr)
        self.assertIn("pipeline: task 'first' started: bash a.sh", proc.stderr)

    def test_tasks_with_depends_on_start_together_once_their_dependencies_are_done(self):
        repo = Repo(self, """\
            pipeline:
              name: fan out
              tasks:
                - {name: setup, type: bash script, bash_script_path: setup.sh}
                - {name: left, type: bash script, bash_script_path: left.sh, depends_on: [setup]}
                - {name: right, type: bash script, bash_script_path: right.sh, depends_on: [setup]}
                - {name: side, type: bash script, bash_script_path: side.sh, depends_on: []}
                - {name: service, type: bash script, bash_script_path: svc.sh, depends_on: [left, right]}
            """, {
            "setup.sh": task_script("setup", 0.3),
            "left.sh": task_script("left", 1.0),
            "right.sh": task_script("right", 1.0),
            "side.sh": task_script("side", 0.1),
            "svc.sh": task_script("service", 0.0),
        })
        proc = repo.run()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        at = {(n, w): t for t, n, w in repo.events()}
        # depends_on: [] starts at once, while setup still runs.
        self.assertLess(at[("side", "start")], at[("setup", "end")])
        # left and right wait for setup, then run at the same time.
        for name in ("left", "right"):
            self.assertGreaterEqual(at[(name, "start")], at[("setup", "end")])
        self.assertLess(at[("left", "start")], at[("right", "end")])
        self.assertLess(at[("right", "start")], at[("left", "end")])
        # The service waits for both.
        self.assertGreaterEqual(at[("service", "start")], max(at[("left", "end")], at[("right", "end")]))
        self.assertLess(at[("service", "start")] - at[("setup", "end")], 1.8, "left and right ran one after another")

    def test_a_failing_task_stops_the_pipeline_with_its_exit_code_and_kills_the_others(self):
        repo = Repo(self, """\
            pipeline:
              name: failing
              tasks:
                - {name: broken, type: bash script, bash_script_path: broken.sh}
                - {name: watcher, type: bash script, bash_script_path: watch.sh, depends_on: []}
                - {name: service, type: bash script, bash_script_path: svc.sh}
            """, {
            "watch.sh": """\
                sleep 30 &
                echo $! > "$SHIM_LOG/watcher.pid"
                wait
                """,
            # Fails once the watcher runs, so there is something to stop.
            "broken.sh": """\
                while [ ! -s "$SHIM_LOG/watcher.pid" ]; do sleep 0.05; done
                exit 3
                """,
            "svc.sh": task_script("service"),
        })
        proc = repo.run()
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("pipeline: task 'broken' failed with exit code 3: stopping the pipeline", proc.stderr)
        self.assertNotIn(("service", "start"), [(n, w) for _, n, w in repo.events()])
        pid = int((repo.log / "watcher.pid").read_text())
        self.assertTrue(wait_gone(pid), "the parallel task's child still runs after the failure")

    def test_working_dirs_quoting_requirements_and_the_program_of_each_task_type(self):
        repo = Repo(self, """\
            pipeline:
              name: "all kinds"
              working_dir: "sub dir"
              requirements: "req's.txt"
              tasks:
                - name: "nb"
                  type: "jupyter notebook"
                  notebook_path: "nb/a b.ipynb"
                  notebook_output_path: "out/a_out.ipynb"
                - {name: nb2, type: ipynb, notebook_path: nb/b.ipynb}
                - {name: js, type: javascript, js_path: "src/main.js", working_dir: "other"}
                - {name: where, type: "VS Code Notebook", py_path: "it's.py"}
            """, {
            "sub dir/.keep": "",
            "other/.keep": "",
            "it's.py": """\
                import os
                with open(os.path.join(os.environ["SHIM_LOG"], "cwd"), "w") as f:
                    f.write(os.getcwd())
                """,
        })
        proc = repo.run()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        root = str(repo.root)
        self.assertEqual(repo.args_of("pip"), [f"install -r {root}/req's.txt"])
        self.assertEqual(repo.args_of("papermill"), [f"{root}/nb/a b.ipynb {root}/out/a_out.ipynb",
                                                     f"{root}/nb/b.ipynb {root}/nb/b_output.ipynb"])
        self.assertEqual(repo.args_of("node"), [f"{root}/src/main.js"])
        self.assertEqual((repo.log / "cwd").read_text(), f"{root}/sub dir")

    def test_a_failing_requirements_install_starts_no_task(self):
        repo = Repo(self, """\
            pipeline:
              name: reqs
              requirements: requirements.txt
              tasks:
                - {name: service, type: bash script, bash_script_path: svc.sh}
            """, {"svc.sh": task_script("service")})
        proc = repo.run(PIP_EXIT="5")
        self.assertEqual(proc.returncode, 5, proc.stderr)
        self.assertIn("pipeline: pip install -r requirements.txt failed with exit code 5", proc.stderr)
        self.assertEqual(repo.events(), [])

    def test_sigterm_stops_the_running_tasks_and_exits_143(self):
        repo = Repo(self, """\
            pipeline:
              name: long running
              tasks:
                - {name: service, type: bash script, bash_script_path: svc.sh}
            """, {"svc.sh": """\
                echo $$ > "$SHIM_LOG/svc.pid"
                sleep 30
                """})
        proc = repo.start()
        pid_file = repo.log / "svc.pid"
        deadline = time.monotonic() + 10
        while not pid_file.exists() or not pid_file.read_text().strip():
            self.assertLess(time.monotonic(), deadline, "the service task never started")
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 143, stderr)
        self.assertIn("pipeline: terminated: stopping the tasks", stderr)
        self.assertTrue(wait_gone(int(pid_file.read_text())), "the service task survived SIGTERM")


if __name__ == "__main__":
    unittest.main(verbosity=2)
