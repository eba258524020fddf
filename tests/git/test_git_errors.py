#!/usr/bin/env python3
"""Git errors in plain words: repository not found, authentication failed (naming the credential
tried, never its value), ref not found (closest branches), path not found (nearby files),
unreachable servers, untrusted TLS certificates, passwords in URLs."""

import pathlib
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from git_helpers import GitDaemon, HttpGitServer, Workspace, annotation, free_port  # noqa: E402

SERVICE = "image: ghcr.io/acme/app:1\n"
TOKEN = "s3cr3t-t0ken-value"


class GitErrorTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        self.repo = self.ws.repo("app", {"deploy/service.yaml": SERVICE, "deploy/pipeline.yaml": "x: 1\n"})
        for branch in ("develop", "release-1.0"):
            self.repo.git("checkout", "-q", "-b", branch)
            self.repo.commit({"notes.txt": branch})

    def render(self, source, *extra, env=None):
        return self.ws.kms("render", *extra, "-f", source, env=env)

    def test_repository_not_found(self):
        with GitDaemon(self.ws.srv) as d:
            p = self.render(f"git+{d.url('nope.git')}//deploy/service.yaml@main")
        self.assertEqual(p.returncode, 1)
        self.assertTrue(p.stderr.startswith(f"error: repository not found: {d.url('nope.git')}"), p.stderr)
        p = self.render(f"file://{self.ws.srv}/missing.git//deploy/service.yaml@main")
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"repository not found: file://{self.ws.srv}/missing.git", p.stderr)

    def test_ref_not_found_names_the_closest_branches(self):
        with GitDaemon(self.ws.srv) as d:
            p = self.render(f"git+{d.url('app.git')}//deploy/service.yaml@develp")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.strip(), f'no branch, tag or commit "develp" in {d.url("app.git")}; '
                                           "closest branches: develop, main, release-1.0")
        self.assertEqual(p.stdout, "")

    def test_path_not_found_lists_nearby_files(self):
        with GitDaemon(self.ws.srv) as d:
            p = self.render(f"git+{d.url('app.git')}//deploy/servce.yaml@main")
        commit = self.repo.head("main")[:12]
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.strip(), f"deploy/servce.yaml: no such file at commit {commit} of "
                                           f"{d.url('app.git')} (did you mean deploy/service.yaml?); deploy/ "
                                           "holds: pipeline.yaml, service.yaml")

    def test_connection_refused(self):
        port = free_port()
        p = self.render(f"git+git://127.0.0.1:{port}/app.git//deploy/service.yaml@main")
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"error: cannot reach 127.0.0.1:{port} to fetch git://127.0.0.1:{port}/app.git", p.stderr)

    def test_timeout_when_the_server_never_answers(self):
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(4)
            port = silent.getsockname()[1]
            p = self.render(f"git+git://127.0.0.1:{port}/app.git//deploy/service.yaml@main", "--git-timeout", "1s")
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"timed out fetching git://127.0.0.1:{port}/app.git: nothing received for 1s", p.stderr)

    def test_https_token_from_env_and_file_never_shown(self):
        with HttpGitServer(self.ws.srv, TOKEN) as srv:
            source = f"git+{srv.url('app.git')}//deploy/service.yaml@main"
            p = self.render(source)
            self.assertEqual(p.returncode, 1)
            self.assertIn(f"error: authentication failed for {srv.url('app.git')} (tried: no token (set "
                          "KMS_GIT_TOKEN or pass --git-token-file FILE))", p.stderr)
            p = self.render(source, env={"KMS_GIT_TOKEN": "wrong-token"})
            self.assertEqual(p.returncode, 1)
            self.assertIn("(tried: token from KMS_GIT_TOKEN as git)", p.stderr)
            self.assertNotIn("wrong-token", p.stderr + p.stdout)
            # A refused token is offered again for a later request, but a few times at most.
            wrong = "Basic " + __import__("base64").b64encode(b"git:wrong-token").decode()
            self.assertIn(srv.authorizations.count(wrong), (1, 2, 3), srv.authorizations)
            token_file = self.ws.root / "token"
            token_file.write_text(TOKEN + "\n")
            p = self.ws.kms("-v", "9", "render", "--git-token-file", str(token_file), "-f", source)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(annotation(p.stdout, "git-commit"), self.repo.head("main"))
            self.assertNotIn(TOKEN, p.stderr + p.stdout)
            p = self.render(source, env={"KMS_GIT_TOKEN": TOKEN})
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("Basic " + __import__("base64").b64encode(f"git:{TOKEN}".encode()).decode(),
                          srv.authorizations)
            # The fetch child re-initialises libgit2; its User-Agent once was freed heap memory.
            self.assertEqual(set(srv.user_agents), {"git/2.0 (kubectl-microservice)"})

    def test_a_password_in_the_url_is_refused_and_not_echoed(self):
        p = self.render(f"git+https://bob:{TOKEN}@127.0.0.1:1/app.git//deploy/service.yaml")
        self.assertEqual(p.returncode, 2)
        self.assertIn("the repository URL carries a password", p.stderr)
        self.assertNotIn(TOKEN, p.stderr)
        svc = self.ws.root / "service.yaml"
        svc.write_text(f"image: x\ngit: {{repo: 'https://bob:{TOKEN}@git.example/app.git', commit: abcdef0}}\n")
        p = self.ws.kms("render", "-f", str(svc))
        self.assertEqual(p.returncode, 2)
        self.assertNotIn(TOKEN, p.stderr + p.stdout)

    @unittest.skipUnless(shutil.which("openssl"), "openssl is needed to make a certificate")
    def test_an_untrusted_tls_certificate_is_refused(self):
        key, cert = self.ws.root / "key.pem", self.ws.root / "cert.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                        str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen(4)
            port = sock.getsockname()[1]

            def serve():
                try:
                    conn, _ = sock.accept()
                    with ctx.wrap_socket(conn, server_side=True) as tls:
                        tls.recv(1)
                except (OSError, ssl.SSLError):
                    pass

            t = threading.Thread(target=serve, daemon=True)
            t.start()
            p = self.render(f"git+https://127.0.0.1:{port}/app.git//deploy/service.yaml@main", "--git-timeout",
                            "10s")
            t.join(10)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"https://127.0.0.1:{port}/app.git", p.stderr)
        self.assertIn("certificate", p.stderr.lower())


if __name__ == "__main__":
    unittest.main()
