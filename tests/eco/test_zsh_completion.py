#!/usr/bin/env python3
"""Real zsh completion: an interactive `zsh -f` in a pseudo-terminal runs compinit, loads
completions/kubectl-microservice.zsh, and TAB is pressed the way a user does (zle, emacs keys).
A unique match is read back as `echo @@<line>@@`; a list of matches from what zsh lists."""

import pathlib
import shutil
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import eco  # noqa: E402
from pty_shell import CompletionShell  # noqa: E402


@unittest.skipIf(shutil.which("zsh") is None, "zsh is not installed")
class ZshTab(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # LISTMAX=0: list every match without asking; no menu so a list stays a list.
        cls.zsh = CompletionShell(["zsh", "-f", "-i"], eco.BIN, eco.ROOT,
                                  "bindkey -e; autoload -Uz compinit; compinit -u -D; source {script}; "
                                  "setopt nobeep nomenucomplete noautomenu; LISTMAX=0; unsetopt prompt_cr prompt_sp")
        cls.addClassCleanup(cls.zsh.close)

    def line(self, typed):
        # zsh's space after a match is an auto-removable suffix: the Ctrl-A that reads the line back
        # removes it, so the line is compared without it.
        return self.zsh.complete_line(typed) + " "

    def test_a_verb(self):
        self.assertEqual(self.line("kubectl-microservice ren"), "kubectl-microservice render ")

    def test_all_verbs_are_listed_and_hidden_ones_are_not(self):
        shown = self.zsh.listing("kubectl-microservice ")
        for verb in eco.verbs_from_help():
            self.assertIn(verb, shown)
        self.assertNotIn("__complete", shown)
        self.assertNotIn("__man", shown)

    def test_a_flag(self):
        self.assertEqual(self.line("kubectl-microservice render --filen"),
                         "kubectl-microservice render --filename ")

    def test_flag_values(self):
        self.assertEqual(self.line("kubectl-microservice render -o js"),
                         "kubectl-microservice render -o json ")
        self.assertEqual(self.line("kubectl-microservice completion f"),
                         "kubectl-microservice completion fish ")

    def test_filename_completes_yaml_files_and_directories(self):
        self.assertEqual(self.line("kubectl-microservice render -f sv"),
                         "kubectl-microservice render -f svc.yaml ")
        shown = self.zsh.listing("kubectl-microservice validate -f ")
        self.assertIn("svc.yaml", shown)
        self.assertIn("other.yml", shown)
        self.assertTrue({"conf/", "conf"} & shown, shown)
        self.assertNotIn("notes.txt", shown)


if __name__ == "__main__":
    unittest.main()
