#!/usr/bin/env python3
"""The bare caches under $XDG_CACHE_HOME/kubectl-microservice/git: reused, fetched incrementally
(libgit2's transfer statistics at -v 1), safe under concurrent runs, and never left half-written by
a fetch that stalls or is killed."""

import os
import pathlib
import random
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from git_helpers import GitDaemon, StallProxy, Workspace, annotation, fetch_stats  # noqa: E402

SERVICE = "image: ghcr.io/acme/app:1\n"


def leftovers(cache: pathlib.Path) -> list[str]:
    """Lock files and half-received packs a killed fetch could leave behind."""
    return [str(p.relative_to(cache)) for p in cache.rglob("*")
            if p.is_file() and (p.name.endswith(".lock") or "_git2_" in p.name)]


class GitCacheTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        self.repo = self.ws.repo("app", {"svc/service.yaml": SERVICE})
        self.daemon = GitDaemon(self.ws.srv).__enter__()
        self.addCleanup(self.daemon.__exit__)
        self.source = f"git+{self.daemon.url('app.git')}//svc/service.yaml@main"

    def render(self, source=None, *extra, ok=True):
        p = self.ws.kms("-v", "1", "render", *extra, "-f", source or self.source)
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def fsck(self, cache: pathlib.Path) -> None:
        p = subprocess.run(["git", "--git-dir", str(cache), "fsck", "--full", "--no-dangling"],
                           capture_output=True, text=True, env=self.ws.env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_second_fetch_transfers_only_new_objects(self):
        first = self.repo.head()
        stats = fetch_stats(self.render().stderr)
        self.assertEqual(len(stats), 1)
        self.assertEqual(stats[0]["received_objects"], len(
            self.ws.git("rev-list", "--objects", first, cwd=self.repo.bare).splitlines()))
        unchanged = fetch_stats(self.render().stderr)
        self.assertEqual(unchanged[0]["received_objects"], 0)
        self.repo.commit({"svc/service.yaml": SERVICE.replace(":1", ":2")})
        second = self.repo.head()
        p = self.render()
        stats = fetch_stats(p.stderr)
        self.assertEqual(stats[0]["received_objects"], self.repo.objects_between(first, second))
        self.assertEqual(stats[0]["received_objects"], 4)  # commit, root tree, svc/ tree, blob
        self.assertEqual(annotation(p.stdout, "git-commit"), second)
        caches = self.ws.caches()
        self.assertEqual(len(caches), 1)
        self.assertTrue(caches[0].name.startswith("127.0.0.1-app-"), caches[0].name)
        self.fsck(caches[0])

    def test_a_cached_full_commit_needs_no_server(self):
        commit = self.repo.head()
        self.render()
        self.daemon.__exit__()
        source = f"git+{self.daemon.url('app.git')}//svc/service.yaml@{commit}"
        p = self.render(source)
        self.assertEqual(fetch_stats(p.stderr), [])
        self.assertIn("is cached; not fetching", p.stderr)
        self.assertEqual(annotation(p.stdout, "git-commit"), commit)
        # A branch needs the server: without one it is an error, not a stale answer.
        p = self.render(ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"cannot reach 127.0.0.1:{self.daemon.port}", p.stderr)

    def test_concurrent_runs_share_one_cache(self):
        procs = [self.ws.spawn("-v", "1", "render", "-f", self.source) for _ in range(6)]
        outputs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outputs):
            self.assertEqual(p.returncode, 0, err)
            self.assertEqual(annotation(out, "git-commit"), self.repo.head())
        received = [fetch_stats(err)[0]["received_objects"] for _, err in outputs]
        # The lock makes one run fetch everything; the others wait and then find nothing new.
        self.assertEqual(sorted(received)[-1], len(
            self.ws.git("rev-list", "--objects", "HEAD", cwd=self.repo.bare).splitlines()))
        self.assertEqual(sorted(received)[:-1], [0] * 5)
        self.assertEqual(len(self.ws.caches()), 1)
        self.assertEqual(leftovers(self.ws.caches()[0]), [])
        self.fsck(self.ws.caches()[0])

    def add_big_commit(self) -> str:
        # Incompressible content, so the pack is far larger than the proxy lets through.
        rnd = random.Random(7)
        blob = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(400_000))
        return self.repo.commit({"data/blob.txt": blob})

    def test_a_stalled_fetch_times_out_and_leaves_the_cache_usable(self):
        old = self.repo.head()
        with StallProxy(self.daemon.port, describe_target=self.daemon.state) as proxy:
            source = f"git+git://127.0.0.1:{proxy.port}/app.git//svc/service.yaml@main"
            self.render(source)  # warm the cache through the proxy (same URL, same cache)
            new = self.add_big_commit()
            proxy.stall_after = 20_000
            start = time.monotonic()
            p = self.render(source, "--git-timeout", "2s", ok=False)
            self.assertLess(time.monotonic() - start, 30)
            self.assertEqual(p.returncode, 1)
            self.assertIn(f"timed out fetching git://127.0.0.1:{proxy.port}/app.git: nothing received for 2s",
                          p.stderr)
            cache = self.ws.caches()[0]
            self.assertEqual(leftovers(cache), [])
            self.assertEqual(self.ws.git("rev-parse", "refs/heads/main", cwd=cache), old)
            self.fsck(cache)
            proxy.stall_after = None
            p = self.render(source)
            self.assertEqual(annotation(p.stdout, "git-commit"), new)
            self.fsck(cache)

    def test_a_killed_run_leaves_the_cache_usable(self):
        with StallProxy(self.daemon.port, describe_target=self.daemon.state) as proxy:
            source = f"git+git://127.0.0.1:{proxy.port}/app.git//svc/service.yaml@main"
            self.render(source)
            new = self.add_big_commit()
            proxy.stall_after = 20_000
            proc = self.ws.spawn("-v", "1", "render", "--git-timeout", "60s", "-f", source)
            cache = self.ws.caches()[0]
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not list((cache / "objects" / "pack").glob("*_git2_*")):
                time.sleep(0.05)
            self.assertTrue(list((cache / "objects" / "pack").glob("*_git2_*")), "the fetch never started")
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=10)
            proxy.stall_after = None
            p = self.render(source)
            self.assertEqual(annotation(p.stdout, "git-commit"), new)
            self.assertEqual(leftovers(cache), [])
            self.fsck(cache)


if __name__ == "__main__":
    unittest.main()
