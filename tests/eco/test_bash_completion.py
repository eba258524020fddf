#!/usr/bin/env python3
"""Real bash completion: an interactive bash in a pseudo-terminal sources
completions/kubectl-microservice.bash, and TAB is pressed the way a user does. A unique match is
read back by turning the completed line into `echo @@<line>@@` (Ctrl-A, type, Ctrl-E, Enter); a
list of matches is read from what readline prints (show-all-if-ambiguous)."""

import pathlib
import shutil
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import eco  # noqa: E402
from pty_shell import CompletionShell  # noqa: E402


@unittest.skipIf(shutil.which("bash") is None, "bash is not installed")
class BashTab(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bash = CompletionShell(["bash", "--norc", "--noprofile", "-i"], eco.BIN, eco.ROOT,
                                   "source {script}; bind 'set show-all-if-ambiguous on'; bind 'set bell-style none'; "
                                   "bind 'set completion-query-items 10000'; bind 'set page-completions off'")
        cls.addClassCleanup(cls.bash.close)
        cls.tmp = cls.bash.tmp

    def test_the_function_is_registered(self):
        self.bash.command("complete -p kubectl-microservice > registered.txt")
        text = (self.tmp / "work" / "registered.txt").read_text()
        (self.tmp / "work" / "registered.txt").unlink()
        self.assertIn("-F _kubectl_microservice kubectl-microservice", text)

    def test_a_verb(self):
        self.assertEqual(self.bash.complete_line("kubectl-microservice ren"), "kubectl-microservice render ")

    def test_all_verbs(self):
        shown = self.bash.listing("kubectl-microservice ")
        for verb in eco.verbs_from_help():
            self.assertIn(verb, shown)
        self.assertNotIn("__complete", shown)

    def test_a_flag(self):
        self.assertEqual(self.bash.complete_line("kubectl-microservice render --filen"),
                         "kubectl-microservice render --filename ")

    def test_flag_values(self):
        self.assertEqual(self.bash.complete_line("kubectl-microservice render -o js"),
                         "kubectl-microservice render -o json ")
        # bash cuts words at '='; the script must still hand back the right piece.
        self.assertEqual(self.bash.complete_line("kubectl-microservice render --output=ya"),
                         "kubectl-microservice render --output=yaml ")
        self.assertEqual(self.bash.complete_line("kubectl-microservice completion z"),
                         "kubectl-microservice completion zsh ")

    def test_filename_completes_yaml_files_and_directories(self):
        self.assertEqual(self.bash.complete_line("kubectl-microservice render -f sv"),
                         "kubectl-microservice render -f svc.yaml ")
        shown = self.bash.listing("kubectl-microservice validate -f ")
        self.assertIn("svc.yaml", shown)
        self.assertIn("other.yml", shown)
        self.assertIn("conf/", shown)
        self.assertNotIn("notes.txt", shown)

    def test_other_values_fall_back_to_files(self):
        shown = self.bash.listing("kubectl-microservice render --image ")
        self.assertIn("notes.txt", shown)


if __name__ == "__main__":
    unittest.main()
