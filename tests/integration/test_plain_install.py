"""The product without its measuring tools (issue 31): `pip install .` into a fresh
virtual environment, no extras, gives a `mianshi` whose `--help`, `interview`,
`grade`, `users` and `review` run — from a directory outside the repository, so only
what the package installed is used (its data files included). The bundled model is
the user's real cache; the llama-cpp-python wheel `make setup` built is offered to pip
so it is not compiled again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
WHEELS = Path.home() / ".cache" / "mianshi" / "wheels"


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` directory of a fresh venv with only ``pip install .`` in it."""
    venv = tmp_path_factory.mktemp("plain") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    links = [f"--find-links={d}" for d in sorted(WHEELS.glob("*")) if d.is_dir()]
    started = time.monotonic()
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *links,
         str(REPO)],
        check=True, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    print(f"pip install . took {time.monotonic() - started:.0f} s")
    return venv / "bin"


def _run(bin_dir: Path, tmp: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIANSHI_", "OPENAI_"))}
    env |= {"MIANSHI_DATA_DIR": str(tmp / "data"), "MIANSHI_CONFIG": str(tmp / "none.toml")}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(bin_dir / "mianshi"), *args], input=stdin, capture_output=True, text=True,
        cwd=tmp, env=env, timeout=600,
    )  # fmt: skip


def test_a_plain_install_has_no_eval_extra_and_a_working_mianshi(
    plain: Path, tmp_path: Path
) -> None:
    python = str(plain / "python")
    probe = "import importlib.util as u; print([m for m in EXTRA if u.find_spec(m)])"
    probe = probe.replace("EXTRA", repr(("scipy", "sklearn", "jiwer")))
    assert (
        subprocess.run([python, "-c", probe], capture_output=True, text=True).stdout.strip() == "[]"
    )
    started = time.monotonic()
    helped = _run(plain, tmp_path, "--help")
    print(f"mianshi --help: {time.monotonic() - started:.2f} s")
    assert helped.returncode == 0 and "interview" in helped.stdout

    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"question": "000-q001", "answer": "不知道"}) + "\n")
    graded = _run(plain, tmp_path, "grade", "--in", str(items), "--out", str(tmp_path / "g.jsonl"))
    assert graded.returncode == 0, graded.stderr
    line = json.loads((tmp_path / "g.jsonl").read_text())
    assert line["question_id"] == "000-q001" and line["score"] == 0.0  # the bank was installed

    report = tmp_path / "report.json"
    done = _run(plain, tmp_path, "interview", "--questions", "1", "--report", str(report),
                stdin="跳过\n")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(report.read_text())["turns"][0]["skipped"] is True

    password = "Kq7-violet-harbour-31"
    added = _run(plain, tmp_path, "users", "add", "alice", stdin=f"{password}\n{password}\n")
    assert added.returncode == 0, added.stderr
    assert "alice" in _run(plain, tmp_path, "users", "list").stdout
    reviewed = _run(plain, tmp_path, "review")
    assert reviewed.returncode == 0 and "0 card" in reviewed.stdout
