"""`mianshi grade` without a model: invalid lines, unmatched questions, endpoint down."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from agent.cli.main import main


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _endpoint_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIANSHI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("MIANSHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MIANSHI_LLM_BASE_URL", f"http://127.0.0.1:{_closed_port()}/v1")
    monkeypatch.setenv("MIANSHI_LLM_MODEL", "fake")
    monkeypatch.setenv("MIANSHI_LLM_RETRIES", "0")


def test_grade_invalid_lines_and_endpoint_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _endpoint_down(tmp_path, monkeypatch)
    items = tmp_path / "items.jsonl"
    items.write_text(
        "\n".join(
            [
                json.dumps({"question": "003-llm-q01", "answer": "不知道"}, ensure_ascii=False),
                "{not json",
                json.dumps({"question": "完全不存在的问题 xyz 外星人烹饪", "answer": "a"}),
                json.dumps(
                    {
                        "question": "003-llm-q01",
                        "answer": "先对输入做 Q、K、V 三个线性变换，再用 softmax(QK^T/√d_k) "
                        "对 V 加权求和，各位置可以并行计算。",
                    },
                    ensure_ascii=False,
                ),
                "",
                json.dumps({"answer": "no question"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "grades.jsonl"
    code = main(["grade", "--in", str(items), "--out", str(out)])
    err = capsys.readouterr().err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert code != 0
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 6]
    assert rows[0]["status"] == "graded" and rows[0]["score"] == 0.0  # pre-check, no model
    assert rows[1]["status"] == "error" and "line 2" in rows[1]["error"]
    assert rows[2]["status"] == "error" and "no bank question" in rows[2]["error"]
    assert rows[3]["status"] == "pending" and rows[3]["score"] is None and rows[3]["error"]
    assert rows[4]["status"] == "error" and "question" in rows[4]["error"]
    assert "pending" in err and "[5/5]" in err


def test_grade_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grade", "--in", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")])
    assert code == 2 and "no such input" in capsys.readouterr().err


def test_grade_rerun_keeps_graded_lines_and_refuses_huge_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _endpoint_down(tmp_path, monkeypatch)
    monkeypatch.setenv("MIANSHI_MAX_ANSWER_CHARS", "100")
    items = tmp_path / "items.jsonl"
    rows_in = [
        {"question": "003-llm-q01", "answer": "不知道"},  # graded without the model
        {"question": "003-llm-q01", "answer": "Q、K、V 由线性变换得到，再做加权求和。"},  # pending
        {"question": "003-llm-q01", "answer": "很长" * 60},  # over the cap
    ]
    items.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in rows_in) + "\n", encoding="utf-8"
    )
    out = tmp_path / "grades.jsonl"
    assert main(["grade", "--in", str(items), "--out", str(out)]) != 0
    first = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["status"] for r in first] == ["graded", "pending", "error"]
    assert "limit is 100" in first[2]["error"]
    assert not out.with_name("grades.jsonl.partial").exists()
    capsys.readouterr()
    # a re-run keeps the graded line; the pending one is tried again
    assert main(["grade", "--in", str(items), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert "[1/3] 003-llm-q01 → kept from the earlier run" in err
    second = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert second[0] == first[0] and second[1]["status"] == "pending"
    # a run killed midway left its graded lines in the partial file: they are kept
    out.unlink()
    partial = out.with_name("grades.jsonl.partial")
    partial.write_text(json.dumps(first[0], ensure_ascii=False) + "\n", encoding="utf-8")
    main(["grade", "--in", str(items), "--out", str(out)])
    assert "kept from the earlier run" in capsys.readouterr().err
