#!/usr/bin/env python3
"""Bad inputs: tests/bad/<NN-name>/ → `kubectl-microservice ARGS` must fail with an exact message.

Each case directory holds its input files, an `args` file (one argument per line, the verb
included, e.g. `validate` `-f` `service.yaml`), `expected` (the exact stderr) and optionally
`exit_code` (default 2), `config.yaml` (the user config) and `stdin`. The run must print exactly
`expected` on stderr, nothing on stdout, exit with the expected code (never a crash or a signal) and
leave the case directory as it was. See tests/README.md for the layout.

A case with `http.json` talks to a scripted HTTP server on 127.0.0.1 (an identity provider, an API
server, a service): `{{URL}}` in `args` is its base URL, and the URL in stderr is turned back into
`{{URL}}` before the comparison. http.json: {"answers": [{"path": REGEX, "method": M, "status": N,
"headers": {…}, "body": TEXT or JSON}, …]} ({{URL}} in a body is the base URL too); the first
answer whose path (and method) match is sent, anything else is a 404.

KMS_UPDATE_GOLDEN=1 rewrites `expected` from the binary's stderr (review the diff!).
"""

import http.server
import json
import os
import pathlib
import re
import sys
import threading
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import case_dirs  # noqa: E402

BAD = case_dirs.ROOT / "tests" / "bad"
UPDATE = os.environ.get("KMS_UPDATE_GOLDEN") == "1"
MIN_CASES = 60  # issue 9 asks for at least this many, across files, flags, kubeconfigs, git refs and HTTP


class ScriptedServer:
    """Answers from a case's http.json, on 127.0.0.1, one thread per connection."""

    def __init__(self, spec):
        answers = spec.get("answers", [])
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                for a in answers:
                    if re.search(a.get("path", ""), path) and a.get("method", self.command) == self.command:
                        break
                else:
                    a = {"status": 404, "body": "404 page not found\n"}
                body = a.get("body", "")
                body = (body if isinstance(body, str) else json.dumps(body)).replace("{{URL}}", outer.url).encode()
                self.send_response(a.get("status", 200))
                headers = a.get("headers", {"Content-Type": "application/json"})
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class BadInput(unittest.TestCase):
    """One test method per case directory, added below."""

    def check_case(self, case):
        self.assertTrue((case / "args").exists(), f"{case.name}: no args file")
        args = case_dirs.read_args(case, [])
        want_code = int((case / "exit_code").read_text().strip()) if (case / "exit_code").exists() else 2
        spec = case / "http.json"
        if spec.exists():
            with ScriptedServer(json.loads(spec.read_text())) as srv:
                run = case_dirs.run_case(case, [a.replace("{{URL}}", srv.url) for a in args])
            stderr = run.stderr.decode(errors="replace").replace(srv.url, "{{URL}}")
            stderr = stderr.replace(srv.url.split("//", 1)[1], "{{HOST}}")
        else:
            run = case_dirs.run_case(case, args)
            stderr = run.stderr.decode(errors="replace")
        stderr = re.sub(r"after \d+ ms", "after N ms", stderr)  # libcurl's connect time
        self.assertGreaterEqual(run.returncode, 0, f"{case.name}: killed by signal {-run.returncode}:\n{stderr}")
        self.assertEqual(run.returncode, want_code, f"{case.name}: exit code, stderr:\n{stderr}")
        self.assertEqual(run.stdout, b"", f"{case.name}: printed on stdout")
        self.assertEqual(run.files_before, run.files_after, f"{case.name}: the case directory changed")
        if UPDATE:
            (case / "expected").write_text(stderr)
        self.assertTrue((case / "expected").exists(), f"{case.name}: no expected file")
        self.assertEqual(stderr, (case / "expected").read_text(), f"{case.name}: stderr")


def add_case_tests():
    for case in case_dirs.case_dirs(BAD):
        method = "test_" + re.sub(r"[^0-9A-Za-z]", "_", case.name)
        setattr(BadInput, method, lambda self, c=case: self.check_case(c))


add_case_tests()


class BadInputSet(unittest.TestCase):
    def test_there_are_enough_bad_inputs(self):
        cases = case_dirs.case_dirs(BAD)
        self.assertGreaterEqual(len(cases), MIN_CASES, f"only {len(cases)} bad-input cases in {BAD}")

    def test_case_names_are_numbered(self):
        for case in case_dirs.case_dirs(BAD):
            with self.subTest(case=case.name):
                self.assertRegex(case.name, r"^\d{2,3}-[a-z0-9][a-z0-9-]*$", "name the case NN-what-is-wrong")

    def test_every_expected_message_is_non_empty_and_ends_with_a_newline(self):
        for case in case_dirs.case_dirs(BAD):
            with self.subTest(case=case.name):
                text = (case / "expected").read_text() if (case / "expected").exists() else ""
                self.assertTrue(text.strip(), "empty expected stderr")
                self.assertTrue(text.endswith("\n"), "expected stderr must end with a newline")


if __name__ == "__main__":
    unittest.main(verbosity=2)
