"""The scored transcript: a JSON report (the interface in DESIGN.md) and its Markdown twin.

Scores: each turn's grade is 0–10 (see agent/grading.py). The overall score and each
topic's score are weighted means over graded turns, a main question counting twice
as much as a follow-up (MAIN_WEIGHT : FOLLOW_UP_WEIGHT). Skipped questions count as 0.
A grade that is still pending is never replaced by a guess: it is excluded from the
means, counted in ``summary.pending`` and the report says ``complete: false``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from agent.bank import Bank
from agent.grading.models import Grade

MAIN_WEIGHT = 2.0
FOLLOW_UP_WEIGHT = 1.0
STRONG_TOPIC = 7.0
WEAK_TOPIC = 5.0


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    return round(sum(s * w for s, w in pairs) / total, 1) if total else None


def build_report(
    bank: Bank, state: dict[str, Any], grades: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    turns_out: list[dict[str, Any]] = []
    by_topic: dict[str, list[tuple[float, float]]] = defaultdict(list)
    overall: list[tuple[float, float]] = []
    strengths: list[str] = []
    gaps: list[str] = []
    pending = 0
    for turn in state.get("turns", []):
        grade = grades.get(int(turn["index"]))
        entry = bank.get(turn["question_id"])
        weight = MAIN_WEIGHT if turn["kind"] == "main" else FOLLOW_UP_WEIGHT
        if grade is None or grade.get("status") != "graded" or grade.get("score") is None:
            pending += 1
        else:
            score = float(grade["score"])
            by_topic[entry.topic].append((score, weight))
            overall.append((score, weight))
            for p in grade.get("points", []):
                if p.get("verdict") == "covered" and p["point"] not in strengths:
                    strengths.append(p["point"])
                elif p.get("verdict") == "missing" and p["point"] not in gaps:
                    gaps.append(p["point"])
        turns_out.append(
            {
                "index": turn["index"],
                "question_id": turn["question_id"],
                "kind": turn["kind"],
                "topic": entry.topic,
                "difficulty": entry.difficulty,
                "question": turn["question"],
                "asked": turn.get("asked", ""),
                "answer": turn.get("answer", ""),
                "skipped": bool(turn.get("skipped")),
                "hints": turn.get("hints", []),
                "grade": grade or Grade.pending(turn["question_id"], "not graded yet").model_dump(),
                "reference_answer": (turn.get("reference") if turn["kind"] == "follow_up" else None)
                or entry.reference_answer,
                "speech": turn.get("speech"),
            }
        )
    topic_scores = {t: _weighted_mean(v) for t, v in by_topic.items()}
    weak_topics = [t for t, s in topic_scores.items() if s is not None and s < WEAK_TOPIC]
    strong_topics = [t for t, s in topic_scores.items() if s is not None and s >= STRONG_TOPIC]
    study_next = [
        {"topic": t, "reading": [r.model_dump() for r in bank.reading_for_topic(t)[:3]]}
        for t in sorted(weak_topics, key=lambda t: topic_scores[t] or 0.0)
    ]
    return {
        "session_id": state.get("session_id"),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": state.get("config", {}),
        "turns": turns_out,
        "difficulty_path": state.get("difficulty_path", []),
        "summary": {
            "overall_score": _weighted_mean(overall),
            "by_topic": topic_scores,
            "strong_topics": strong_topics,
            "weak_topics": weak_topics,
            "strengths": strengths[:10],
            "gaps": gaps[:10],
            "study_next": study_next,
            "graded": len(overall),
            "pending": pending,
            "complete": pending == 0,
        },
    }


_VERDICT_MARK = {"covered": "✅", "partial": "🟡", "missing": "❌"}


def to_markdown(report: dict[str, Any]) -> str:
    cfg = report.get("config", {})
    s = report["summary"]
    score = s["overall_score"]
    lines = [
        "# Mianshi 面试报告",
        "",
        f"- 会话 Session: `{report.get('session_id')}`  ·  {report.get('generated_at', '')}",
        f"- 岗位 Role: {cfg.get('role')} · 级别 Level: {cfg.get('level')} · "
        f"模式 Mode: {cfg.get('mode')}",
        f"- **总分 Overall: {score if score is not None else '—'} / 10**"
        + ("" if s["complete"] else f"  (⚠ {s['pending']} 个评分未完成 pending, 未计入)"),
        "",
        "## 各主题得分 By topic",
        "",
        "| 主题 Topic | 得分 Score |",
        "|---|---|",
    ]
    lines += [f"| {t} | {v} |" for t, v in s["by_topic"].items()]
    lines += ["", "## 优势 Strengths", ""]
    lines += [f"- {p}" for p in s["strengths"]] or ["- （暂无）"]
    lines += ["", "## 待加强 Gaps", ""]
    lines += [f"- {p}" for p in s["gaps"]] or ["- （暂无）"]
    if s["study_next"]:
        lines += ["", "## 下一步学习 Study next", ""]
        for item in s["study_next"]:
            links = ", ".join(f"[{r['title']}]({r['url']})" for r in item["reading"])
            lines.append(f"- **{item['topic']}**: {links or '复习本主题的参考答案'}")
    path = report.get("difficulty_path", [])
    steps = [str(p["next_difficulty"]) for p in path if "next_difficulty" in p]
    starts = [str(p["difficulty"]) for p in path if "difficulty" in p]
    if starts:
        lines += [
            "",
            f"难度路径 Difficulty path: {' → '.join(starts)}"
            + (f"（调整 steps: {' → '.join(steps)}）" if steps else ""),
        ]
    lines += ["", "## 逐题 Questions", ""]
    for t in report["turns"]:
        g = t["grade"]
        kind = "主问题" if t["kind"] == "main" else "追问"
        sc = g.get("score")
        lines += [
            f"### {t['index'] + 1}. [{kind}] {t['question']}",
            "",
            f"`{t['question_id']}` · {t['topic']} · 难度 {t['difficulty']} · "
            f"得分 **{sc if sc is not None else 'pending'}**"
            + (f" · flags: {', '.join(g['flags'])}" if g.get("flags") else ""),
            "",
            "**回答 Answer:** " + (t["answer"] or ("（跳过）" if t["skipped"] else "（空）")),
            "",
        ]
        for p in g.get("points", []):
            mark = _VERDICT_MARK.get(p.get("verdict", ""), "·")
            ev = f" — “{p['evidence']}”" if p.get("evidence") else ""
            lines.append(f"- {mark} {p['point']} ({p.get('confidence', 0):.2f}){ev}")
        if g.get("feedback"):
            lines += ["", f"**反馈 Feedback:** {g['feedback']}"]
        if t.get("reference_answer"):
            lines += ["", f"**参考答案 Reference:** {t['reference_answer']}"]
        if t.get("speech"):
            sp = t["speech"]
            lines += [
                "",
                "**语音 Speech:** "
                + ", ".join(f"{k}={v}" for k, v in sp.items() if not isinstance(v, dict | list)),
            ]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
