"""`mianshi review` with the real embedded model: a card comes back as its question,
the answer is graded against the one point, and the card is rescheduled."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.bank import load_bank
from agent.review.cards import Cards

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def test_a_due_card_is_asked_graded_and_rescheduled(tmp_path: Path) -> None:
    entry = next(e for e in load_bank().entries if e.rubric and e.topic == "微调与PEFT")
    point = entry.rubric[0].point
    db = tmp_path / "data" / "sessions.sqlite"
    cards = Cards(db)
    turn = {"question_id": entry.id, "question": entry.question, "topic": entry.topic}
    cards.rate("alice", turn, point, "missing", now=datetime.now(UTC) - timedelta(days=2))
    before = cards.card_json("alice", entry.id, point)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BASE_URL")}
    env.update(MIANSHI_DATA_DIR=str(tmp_path / "data"), MIANSHI_CONFIG=str(tmp_path / "x.toml"))
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli.main", "review", "--candidate", "alice"],
        input=point + "\n", cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert entry.question in done.stdout and point not in done.stdout.split("判定")[0]
    assert "判定" in done.stdout and "下次复习" in done.stdout
    after = cards.card_json("alice", entry.id, point)
    assert after is not None and before is not None and after["due"] != before["due"]
    nothing = subprocess.run(
        [sys.executable, "-m", "agent.cli.main", "review", "--candidate", "bob"],
        input="", cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert nothing.returncode == 0 and "nothing due" in nothing.stdout
    cards.close()
