"""Which modules a piece of the product loads (issue 31, items 1 and 2), checked in a
fresh interpreter:

- the product does not depend on its measuring tools: building the `mianshi` parser —
  what `mianshi --help` and every command do first — imports none of the ``eval``
  extra (scipy, scikit-learn, jiwer);
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
    setup = "from agent.cli.main import build_parser\nbuild_parser()"
    assert _loaded(setup, ("scipy", "sklearn", "jiwer")) == []


def test_grading_does_not_import_the_interview() -> None:
    setup = "import agent.grading, agent.grading.queue, agent.grading.grader"
    assert _loaded(setup, ("agent.interview",)) == []
