"""Which modules a piece of the product loads (issue 31, items 1 and 2), checked in a
fresh interpreter:

- the product does not depend on its measuring tools: building the `mianshi` parser for
  a command imports none of the ``eval`` extra (scipy, scikit-learn, jiwer), and
  `mianshi --help` imports no command module at all;
- package arrows point one way: grading is used by the interview and never imports it
  (the queue reaches the sessions store through ``GradeStore``).
"""

from __future__ import annotations

import json
import subprocess
import sys


def _loaded(setup: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with one of ``prefixes`` loaded after running ``setup``."""
    code = (
        f"import json, sys\n{setup}\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_cli_parser_does_not_load_the_eval_extra() -> None:
    for command in ["interview", "grade", "users", "review", "bank"]:
        setup = f"from agent.cli.main import build_parser\nbuild_parser([{command!r}])"
        assert _loaded(setup, ("scipy", "sklearn", "jiwer")) == [], command


def test_help_loads_no_command_module() -> None:
    """``mianshi --help`` names every command without importing one (it was 3.6 s)."""
    setup = "from agent.cli.main import build_parser\nbuild_parser(['--help'])"
    assert _loaded(setup, ("agent.cli.", "agent.bank", "openai", "agent.grading")) == [
        "agent.cli.main"
    ]


def test_each_command_is_listed_with_the_help_its_module_registers() -> None:
    import argparse

    from agent.cli.main import COMMANDS, build_parser

    for name, (_module, summary) in COMMANDS.items():
        parser = build_parser([name])
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        helps = {c.dest: c.help for c in sub._choices_actions}
        assert helps[name] == summary, name
        assert len(sub.choices[name]._actions) > 1, name  # the module's own, with its options


def test_grading_does_not_import_the_interview() -> None:
    setup = "import agent.grading, agent.grading.queue, agent.grading.grader"
    assert _loaded(setup, ("agent.interview",)) == []
