"""The app's views (engine steps, grades, reports -> what the app shows) and the
per-browser-session state, with fakes."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from agent.errors import UserError
from agent.grading.models import Grade
from agent.interview.engine import Step
from agent.interview.report_markdown import speech_line
from agent.interview.report_types import Report
from agent.interview.state import InterviewConfig, Turn
from agent.interview.store import SessionRecord
from agent.ui.session import UISession
from agent.ui.views import (
    COMMAND_WORDS,
    HISTORY_HEADERS,
    build_config,
    feedback_message,
    graded_count,
    history_choices,
    history_rows,
    new_feedback,
    opening_messages,
    progress_status,
    reply_messages,
    session_for,
    spoken_message,
    topic_frame,
    topic_rows,
    ungraded,
)


def make_step(**fields: Any) -> Step:
    return Step(session_id="s1", **fields)


def iv(text: str) -> dict[str, str]:
    return {"role": "interviewer", "content": text}


def cand(text: str) -> dict[str, str]:
    return {"role": "candidate", "content": text}


def grade(score: float | None = 7.5, status: str = "graded", **extra: Any) -> Grade:
    return Grade.model_validate(
        {
            "question_id": "q1",
            "score": score,
            "points": [
                {"point": "要点A", "verdict": "covered", "confidence": 0.9, "evidence": "提到了A"},
                {"point": "要点B", "verdict": "missing", "confidence": 0.8, "evidence": ""},
            ],
            "feedback": "A 答得好，B 没提到。",
            "flags": [],
            "status": status,
            **extra,
        }
    )


METRICS = {
    "duration_s": 12.34,
    "speech_s": 10.0,
    "silence_ratio": 0.19,
    "chars_per_minute": 215.4,
    "words_per_minute": 0.0,
    "fillers": {"嗯": 2, "然后": 1},
    "filler_count": 3,
    "long_pauses": 1,
    "longest_pause_s": 2.6,
}


# ------------------------------------------------------------------- messages


def test_opening_shows_the_opening_and_the_first_question() -> None:
    step = make_step(say="第一题：什么是 RoPE？", transcript=[iv("你好，我是面试官。")])
    assert opening_messages(step) == [
        {"role": "assistant", "content": "你好，我是面试官。"},
        {"role": "assistant", "content": "第一题：什么是 RoPE？"},
    ]


def test_reply_skips_the_answered_pair_and_shows_the_next_question() -> None:
    step = make_step(say="好，下一题：Q2", transcript=[iv("Q1"), cand("我的回答")])
    assert reply_messages(step) == [{"role": "assistant", "content": "好，下一题：Q2"}]


def test_reply_shows_a_skip_acknowledgement_before_the_next_question() -> None:
    step = make_step(
        say="下一题：Q2", transcript=[iv("Q1"), cand("跳过"), iv("好的，这题先跳过。")]
    )
    assert [m["content"] for m in reply_messages(step)] == ["好的，这题先跳过。", "下一题：Q2"]


def test_reply_does_not_repeat_a_hint_that_the_next_line_contains() -> None:
    step = make_step(
        say="提示：想想旋转。\nQ1", transcript=[iv("Q1"), cand("提示"), iv("提示：想想旋转。")]
    )
    assert [m["content"] for m in reply_messages(step)] == ["提示：想想旋转。\nQ1"]


def test_reply_at_the_end_shows_the_closing_lines() -> None:
    step = make_step(
        done=True,
        transcript=[iv("Q2"), cand("结束"), iv("好的，面试到此结束。"), iv("谢谢。")],
    )
    assert [m["content"] for m in reply_messages(step)] == ["好的，面试到此结束。", "谢谢。"]


def test_resume_replays_the_conversation_with_roles() -> None:
    step = make_step(say="Q2", transcript=[iv("开场"), iv("Q1"), cand("回答1")])
    roles = [m["role"] for m in opening_messages(step)]  # a resume shows the same
    assert roles == ["assistant", "assistant", "user", "assistant"]


def test_spoken_message_carries_the_transcript_and_speech_metrics() -> None:
    msg = spoken_message("RoPE 通过旋转编码位置", METRICS)
    assert msg["role"] == "user"
    assert msg["content"].startswith("🎤 RoPE 通过旋转编码位置")
    assert "12.3 s" in msg["content"] and "口头禅 3" in msg["content"]


def test_speech_line_reports_pace_fillers_pauses_and_silence() -> None:
    line = speech_line(METRICS)
    assert "时长 12.3 s" in line
    assert "215 字/分钟" in line
    assert "嗯×2" in line and "然后×1" in line
    assert "长停顿 1（最长 2.6 s）" in line
    assert "静音 19%" in line
    assert "words/min" not in line  # no English words: not shown
    assert "口头禅 0" in speech_line({"duration_s": 3.0, "fillers": {}, "long_pauses": 0})


def test_command_words_are_what_the_interviewer_parses() -> None:
    from agent.interview.phrases import parse_command

    for command, word in COMMAND_WORDS.items():
        assert parse_command(word) == command


# ------------------------------------------------------------------- feedback


def test_feedback_message_has_the_score_and_the_verdicts() -> None:
    turn = Turn(index=0, question_id="q1", kind="main", question="为什么需要位置编码？")
    msg = feedback_message(turn, 0, grade())
    assert msg["role"] == "assistant"
    title = msg["content"].splitlines()[0]
    assert "第 1 轮（主问题）" in title and "7.5/10" in title
    assert "> 为什么需要位置编码？" in msg["content"]
    assert "✅ 要点A" in msg["content"] and "❌ 要点B" in msg["content"]
    assert "A 答得好" in msg["content"]


def test_new_feedback_shows_each_ready_grade_once_in_practice() -> None:
    session = UISession("s1", mode="practice")
    turns = [Turn(index=0, question_id="q1", kind="main", question="Q1"),
             Turn(index=1, question_id="q2", kind="main", question="Q2")]  # fmt: skip
    grades = {0: grade(), 1: grade(None, status="pending")}
    first = new_feedback(session, grades, turns)
    assert len(first) == 1 and "Q1" in first[0]["content"]
    assert new_feedback(session, grades, turns) == []  # shown once
    grades[1] = grade(6.0)
    second = new_feedback(session, grades, turns)
    assert len(second) == 1 and "6/10" in second[0]["content"]


def test_no_feedback_in_real_mode_or_for_skipped_turns() -> None:
    assert new_feedback(UISession("s", mode="real"), {0: grade()}, []) == []
    session = UISession("s", mode="practice")
    assert new_feedback(session, {0: grade(0.0, flags=["skipped"])}, []) == []
    assert 0 in session.feedback_shown


def test_progress_status() -> None:
    session = UISession("s", questions=5, main_index=2)
    assert "第 2/5 题" in progress_status(session, 3, 1)
    assert "前面还有 4 个" in progress_status(session, 3, 1, ahead=4)
    assert "前面还有" not in progress_status(session, 3, 3, ahead=4)  # nothing of ours waits
    assert "grading 1/3" in progress_status(session, 3, 1)
    assert progress_status(session, 0, 0).endswith("第 2/5 题")
    assert "⏳ 评分中" in progress_status(session, 3, 1, waiting="评分中")
    assert "Listening" not in progress_status(session, 3, 1)
    assert "第 2/5 题 · 🎙 在听 Listening" in progress_status(session, 3, 1, listening=True)
    session.done = True
    assert "finished" in progress_status(session, 3, 3)
    assert graded_count({0: grade(), 1: grade(status="pending")}) == 1


def test_session_claim_is_exclusive_across_threads() -> None:
    session = UISession("s")
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        results.append(session.try_begin())

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    session.end()
    assert session.try_begin()
    session.end()
    session.done = True
    assert not session.try_begin()


def test_a_resumed_session_keeps_its_setup_and_shows_no_old_feedback_again() -> None:
    step = make_step(say="Q2", main_index=2, transcript=[iv("Q1"), cand("回答1")])
    config = InterviewConfig(mode="real", lang="en", questions=3, role="algorithm")
    session = session_for(step, config, feedback_shown={0: grade()})
    assert (session.session_id, session.mode, session.lang) == ("s1", "real", "en")
    assert (session.questions, session.main_index, session.feedback_shown) == (3, 2, {0})
    assert [m["content"] for m in session.messages] == ["Q1", "回答1", "Q2"]
    assert not session.done and session.report is None
    finished = session_for(make_step(done=True, report=Report()), InterviewConfig())
    assert finished.done and finished.report == Report() and finished.mode == "practice"


def test_snapshot_is_a_copy() -> None:
    session = UISession("s")
    session.add([{"role": "user", "content": "a"}])
    snap = session.snapshot()
    snap[0]["content"] = "changed"
    snap.append({"role": "user", "content": "b"})
    assert session.messages == [{"role": "user", "content": "a"}]


# ------------------------------------------------------------------ config


def test_build_config_from_the_setup_panel() -> None:
    cfg = build_config("algorithm", "senior", ["位置编码"], 3.0, "real", "en", 0.0, "  ")
    assert (cfg.role, cfg.level, cfg.topics, cfg.questions) == (
        "algorithm",
        "senior",
        ["位置编码"],
        3,
    )
    assert (cfg.mode, cfg.lang, cfg.max_follow_ups, cfg.candidate) == ("real", "en", 0, "default")


@pytest.mark.parametrize(
    "args",
    [
        ("algorithm", "mid", ["不存在的主题"], 3, "practice", "zh", 1, "me"),
        ("algorithm", "mid", [], 0, "practice", "zh", 1, "me"),
        ("chef", "mid", [], 3, "practice", "zh", 1, "me"),
    ],
)
def test_build_config_refuses_bad_values_with_a_user_error(args: tuple[Any, ...]) -> None:
    with pytest.raises(UserError, match="设置有误"):
        build_config(*args)


# ------------------------------------------------------------------ report


def test_topic_chart_data_leaves_out_pending_topics() -> None:
    report = Report.model_validate({"summary": {"by_topic": {"位置编码": 7.5, "Agent": None}}})
    assert topic_rows(report) == [{"topic": "位置编码", "score": 7.5}]
    frame = topic_frame(report)
    assert list(frame.columns) == ["topic", "score"] and len(frame) == 1
    assert topic_frame(Report()).empty


def test_history_rows_and_choices() -> None:
    row = {"candidate": "me", "created": 0, "updated": 0}
    sessions = [
        SessionRecord.model_validate(
            {
                **row,
                "id": "a",
                "status": "finished",
                "config": {
                    "role": "algorithm",
                    "level": "mid",
                    "mode": "real",
                    "questions": 3,
                    "lang": "en",
                },
                "report": {"summary": {"overall_score": 6.25}},
            }
        ),
        SessionRecord.model_validate(
            {**row, "id": "b", "status": "active", "config": {}, "report": None}
        ),
    ]
    rows = [dict(zip(HISTORY_HEADERS, r, strict=True)) for r in history_rows(sessions)]
    assert rows[0]["会话 Session"] == "a" and rows[0]["状态 Status"].startswith("已完成")
    assert rows[0]["总分 Score"] == "6.2" and rows[0]["题数 Questions"] == 3
    assert rows[1]["状态 Status"].startswith("未完成") and rows[1]["总分 Score"] == ""
    # each session in the language it was held in
    assert [r["语言 Language"] for r in rows] == ["English", "中文"]
    choices = history_choices(sessions)
    assert [value for _, value in choices] == ["a", "b"]
    assert "6.2/10" in choices[0][0] and "English" in choices[0][0]
    assert "中文" in choices[1][0] and "/10" not in choices[1][0]


def test_feedback_comes_in_question_order_a_later_grade_waits_for_an_earlier_one() -> None:
    session = UISession("s1", mode="practice")
    turns = [Turn(index=i, question_id=f"q{i}", kind="main", question=f"Q{i}") for i in range(3)]
    assert new_feedback(session, {1: grade(6.0)}, turns) == []  # turn 0 not graded yet
    shown = new_feedback(session, {0: grade(), 1: grade(6.0)}, turns)
    assert [("Q0" in m["content"], "Q1" in m["content"]) for m in shown] == [
        (True, False),
        (False, True),
    ]
    assert ungraded(turns, {0: grade(), 1: grade(None, status="pending")}) == [2]
