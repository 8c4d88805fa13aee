"""The product does not depend on its measuring tools (issue 31, item 1): building the
`mianshi` parser — what `mianshi --help` and every command do first — imports none of
the ``eval`` extra (scipy, scikit-learn, jiwer)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_cli_parser_does_not_load_the_eval_extra() -> None:
    code = (
        "import json, sys\n"
        "from agent.cli.main import build_parser\n"
        "build_parser()\n"
        "print(json.dumps(sorted(m for m in ('scipy', 'sklearn', 'jiwer') if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
