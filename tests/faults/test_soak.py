"""The soak in CI size: two candidates at once on the real embedded server, which is
killed with SIGKILL after their first answers (``evals/soak.py``; ``make bench`` runs
more candidates)."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from agent.settings import Settings
from evals.soak import run

pytestmark = pytest.mark.integration


def test_no_turn_lost_and_no_grade_invented_when_the_server_dies(
    isolated_settings: Settings,
) -> None:
    result = run(isolated_settings, candidates=2, questions=2)
    print(asdict(result))
    assert result.failed_candidates == 0, result.errors
    assert result.answers == 4
    assert result.lost_turns == 0
    assert result.invented_grades == 0
    assert result.restarts >= 1  # the kill happened and the server came back
    assert result.pending_at_end == 0  # grades that failed with the server completed later
