"""The report's own words, by the session's language (``report_markdown`` renders with
them; the UI's practice feedback shares the verdict marks)."""

from __future__ import annotations

TITLE = "# Mianshi 面试报告"

VERDICT_MARK = {"covered": "✅", "partial": "🟡", "missing": "❌", "contradicted": "❌"}
VERDICT_NAME = {"covered": "答到", "partial": "部分", "missing": "缺失", "contradicted": "说错"}

#: The report's own words by the session's language (``config.lang``). A Chinese
#: session keeps its bilingual labels; an English one is English throughout (the key
#: points and reference answers are shown as the bank has them: Chinese, said once).
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": TITLE,
        "overall": "总分 Overall",
        "session": "会话 Session",
        "setup": "岗位 Role: {role} · 级别 Level: {level} · 模式 Mode: {mode} · "
        "已评分 Graded: {graded}",
        "pending": "{n} 个评分未完成（模型不可用），未计入总分 — pending grades are not counted",
        "by_topic": "## 各主题得分 By topic",
        "topic_cols": "| 主题 Topic | 得分 Score |",
        "strengths": "## 优势 Strengths",
        "gaps": "## 待加强 Gaps",
        "none": "（暂无）",
        "study": "## 下一步学习 Study next",
        "study_default": "复习本主题的参考答案",
        "path": "难度路径 Difficulty path: {path}",
        "steps": "（调整 steps: {steps}）",
        "questions": "## 逐题 Questions",
        "no_answers": "（没有作答记录 no answers）",
        "main": "主问题",
        "follow_up": "追问",
        "project": "项目深挖 Project",
        "project_fu": "·追问",
        "difficulty": "难度",
        "score": "得分",
        "answer": "**回答 Answer:**",
        "skipped": "（跳过 skipped）",
        "empty": "（空 empty）",
        "feedback": "**反馈 Feedback:**",
        "reference": "**参考答案 Reference:**",
        "reading": "**延伸阅读 Reading:**",
        "speech": "**语音 Speech:**",
        "verdict_cols": "| 判定 Verdict | 要点 Key point | 证据 Evidence |",
        "misconception": "常见误区",
        "bank_note": "",
    },
    "en": {
        "title": "# Mianshi interview report",
        "overall": "Overall",
        "session": "Session",
        "setup": "Role: {role} · Level: {level} · Mode: {mode} · Graded: {graded}",
        "pending": "{n} grade(s) pending (the model was unavailable), not counted in the score",
        "by_topic": "## By topic",
        "topic_cols": "| Topic | Score |",
        "strengths": "## Strengths",
        "gaps": "## Gaps",
        "none": "(none)",
        "study": "## Study next",
        "study_default": "review this topic's reference answers",
        "path": "Difficulty path: {path}",
        "steps": " (steps: {steps})",
        "questions": "## Questions",
        "no_answers": "(no answers)",
        "main": "Main",
        "follow_up": "Follow-up",
        "project": "Project",
        "project_fu": " follow-up",
        "difficulty": "difficulty",
        "score": "score",
        "answer": "**Answer:**",
        "skipped": "(skipped)",
        "empty": "(empty)",
        "feedback": "**Feedback:**",
        "reference": "**Reference:**",
        "reading": "**Reading:**",
        "speech": "**Speech:**",
        "verdict_cols": "| Verdict | Key point | Evidence |",
        "misconception": "misconception",
        "bank_note": "",
    },
}
VERDICT_NAME_EN = {"covered": "covered", "partial": "partial", "missing": "missing",
                   "contradicted": "wrong"}  # fmt: skip
