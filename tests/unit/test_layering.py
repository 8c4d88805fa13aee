"""Package arrows point one way (issue 31, item 2): grading is used by the interview and
never imports it (the queue reaches the sessions store through ``GradeStore``)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_grading_does_not_import_the_interview() -> None:
    code = (
        "import json, sys\n"
        "import agent.grading, agent.grading.queue, agent.grading.grader\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('agent.interview'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
