"""Deterministic pre-checks: no model, milliseconds. They read the ``AnswerView``.

In order, the first that applies decides the grade (score 0–1, flagged):

- ``empty``: no content at all;
- ``dont_know``: 不知道/不会/没学过/skip … and (almost) nothing else;
- ``injection``: nothing is left once instructions to the grader are removed
  (``injection.screen``); an answer that mixes content with an instruction is graded
  on its content and flagged, never rejected;
- ``keyword_list``: the answer is (≥ 80 %) bare term lists — a list explains nothing;
  1 when it names some key point's terms, else 0;
- ``too_short``: fewer than ``TOO_SHORT_CHARS`` content characters;
- ``off_topic``: under ``OFF_TOPIC_OVERLAP`` of the answer's terms occur anywhere in
  the question's material (question, key points, reference, follow-ups), fewer than
  ``OFF_TOPIC_MIN_SHARED`` terms are shared at all, *and* no key point is covered
  lexically to ``OFF_TOPIC_POINT_COVERAGE``; answers mostly in Latin letters (English,
  heavy code-switching) are left to the model, and so are Chinese answers to English
  material (an English interview: they share only the glossary's terms with it).
  Answers to a different question overlap 0.03–0.13 on
  ``evals/grader/calibration.jsonl``, the least overlapping on-topic answer 0.17. Not
  for a project deep-dive (``Entry.about_the_candidate``): the candidate's own project
  is theirs to tell (its data, users, latency, memory …), and its curated points share
  few words with such answers — of four real-sounding answers to CV projects, six of
  eight pairings were called off-topic. The model grades them, and a missed point is
  probed.

``tests/unit/test_prechecks_bank.py`` runs them over every reference answer in the
bank: none may fire on the bank's own content.
"""

from __future__ import annotations

import re

from agent.bank import Entry, RubricPoint
from agent.grading.answer_view import AnswerView
from agent.grading.injection import without_placeholders
from agent.grading.lexical import point_coverage, terms, topic_overlap
from agent.text import content_key, normalize, sentences, similarity

TOO_SHORT_CHARS = 6
OFF_TOPIC_OVERLAP = 0.15
OFF_TOPIC_POINT_COVERAGE = 0.34
DONT_KNOW_MAX_REST = 8
KEYWORD_LIST_SHARE = 0.8
#: An answer sharing at least this many terms with the question's material is on topic
#: however much else it says (a long answer with an anecdote is not off-topic).
OFF_TOPIC_MIN_SHARED = 8
#: Answers with more than this share of Latin letters are not judged off-topic by
#: overlap: the material is Chinese, and the glossary does not know every term.
OFF_TOPIC_MAX_LATIN = 0.3

_DONT_KNOW = re.compile(
    r"不知道|不晓得|不会|没学过|没有学过|没接触过|没了解过|不清楚|不太清楚|不了解|不太了解|"
    r"不太懂|不懂|答不上|答不出|想不起|忘了|记不清|跳过|下一题|换一题|pass|skip|"
    r"no idea|not sure|don'?t know|do not know|dunno|can'?t answer|next question|"
    r"have(?:n'?t| not) (?:learned|studied)"
)
_FILLER = re.compile(
    r"不好意思|抱歉|对不起|sorry|这个|那个|问题|我|真的|确实|实在|暂时|目前|呃|嗯|啊|额|吧|了|呢|"
    r"的|太|也|还|可能|好像|好|谢谢|老师|面试官|请|吗|emm+|um+|uh+|hmm+|i|really|"
    r"the|this|one|please|let'?s|go|to|answer"
)


def too_long(answer: str, limit: int) -> str | None:
    """Why an answer is refused for its length (None: it is not): the one rule and the
    one message of the interview, the app and ``mianshi grade``."""
    if len(answer) <= limit:
        return None
    return (
        f"回答有 {len(answer)} 个字符，上限 {limit}，请精简后再发送 The answer is "
        f"{len(answer)} characters long; the limit is {limit} (MIANSHI_MAX_ANSWER_CHARS)"
    )


def is_dont_know(text: str) -> bool:
    norm = normalize(text)
    if not _DONT_KNOW.search(norm):
        return False
    rest = _FILLER.sub("", _DONT_KNOW.sub("", norm))
    return len(content_key(rest)) <= DONT_KNOW_MAX_REST


def coverage(rubric: list[RubricPoint], text: str) -> list[float]:
    """Lexical coverage of each key point by ``text``, in [0, 1]."""
    answer_terms = terms(text)
    return [round(point_coverage(p.point, answer_terms), 3) for p in rubric]


def topic_terms(entry: Entry, rubric: list[RubricPoint]) -> set[str]:
    follow = [f.question for f in entry.follow_ups] + [f.answer or "" for f in entry.follow_ups]
    parts = [entry.question, *(p.point for p in rubric), entry.reference_answer or "", *follow]
    return terms("\n".join(parts))


def is_off_topic(text: str, topic: set[str], cov: list[float]) -> bool:
    """See the module docstring; ``topic`` is ``topic_terms`` of the question."""
    key = content_key(text)
    if key and sum(ch.isascii() for ch in key) / len(key) > OFF_TOPIC_MAX_LATIN:
        return False  # English or mixed: the model judges it
    if sum(t.isascii() for t in topic) > len(topic) / 2:
        return False  # Chinese against English material (an English interview): the same
    answer_terms = terms(text)
    if len(answer_terms & topic) >= OFF_TOPIC_MIN_SHARED:
        return False
    overlap = topic_overlap(answer_terms, topic)
    return overlap < OFF_TOPIC_OVERLAP and max(cov, default=0.0) < OFF_TOPIC_POINT_COVERAGE


def precheck(
    entry: Entry, rubric: list[RubricPoint], view: AnswerView, topic: set[str] | None = None
) -> tuple[str, float] | None:
    """``(flag, score)`` when a deterministic check decides the grade, else None.
    ``topic``: ``topic_terms(entry, rubric)`` when the caller has it already."""
    if not content_key(view.original):
        return "empty", 0.0
    content = without_placeholders(view.text)
    if is_dont_know(content):
        return "dont_know", 0.0
    if view.screened.instructions and len(content_key(content)) < TOO_SHORT_CHARS:
        return "injection", 0.0
    cov = coverage(rubric, content)
    if view.list_share >= KEYWORD_LIST_SHARE:
        return "keyword_list", 1.0 if max(cov, default=0.0) > 0 else 0.0
    if len(content_key(content)) < TOO_SHORT_CHARS:
        return "too_short", 1.0 if max(cov, default=0.0) > 0 else 0.0
    if topic is None:
        topic = topic_terms(entry, rubric)
    if not entry.about_the_candidate and is_off_topic(view.model_text or content, topic, cov):
        return "injection" if view.screened.instructions else "off_topic", 0.0
    return None


#: A sentence of a follow-up answer this similar (character bigrams) to a sentence of
#: the previous answer repeats it and earns nothing new.
REPEATED_SENTENCE = 0.7


def new_content(answer: str, previous: str | None) -> str:
    """``answer`` without the sentences that repeat ``previous`` (the candidate's
    answer to the question before a follow-up): repeating it answers nothing new."""
    if not previous or not content_key(previous):
        return answer
    before = [s for s in sentences(previous) if content_key(s)]
    kept = [
        s
        for s in sentences(answer)
        if not any(similarity(s, b) >= REPEATED_SENTENCE for b in before)
    ]
    return "".join(kept).strip()


# ----------------------------------------------------------------- evidence


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


def keep_evidence(evidence: str, answer: str) -> str:
    """``evidence`` if it literally occurs in ``answer`` (ignoring whitespace, width,
    case and script), else "". Quotes the model or a heuristic made up are never shown."""
    evidence = evidence.strip().strip("\"'“”‘’「」")
    if len(content_key(evidence)) < 2:
        return ""
    return evidence if _squash(evidence) in _squash(answer) else ""


#: A partial credit needs evidence covering at least this share of the point's terms
#: (glossary-aware, homophones allowed): a sentence about another subject that shares
#: one word with the point (attention's softmax for cross-entropy's: 0.14) earns
#: nothing. Chosen on the calibration half among 0.15/0.2/0.25 (QWK 0.877/0.873/0.871;
#: without the rule 0.895, but a wrong-topic sentence then earns partial credit).
EVIDENCE_MIN_COVERAGE = 0.15


def states_point(point: str, evidence: str) -> bool:
    """Whether ``evidence`` (a sentence of the answer) is about ``point`` at all."""
    return bool(evidence) and point_coverage(point, terms(evidence)) >= EVIDENCE_MIN_COVERAGE


def best_sentence(point: str, text: str, max_chars: int = 120) -> str:
    """The sentence of ``text`` sharing most terms with ``point`` (a quote, never
    rewritten), or "" when no sentence shares any."""
    best, best_hits = "", 0.0
    for sentence in sentences(text):
        hits = point_coverage(point, terms(sentence))  # homophones count (lexical.py)
        if hits > best_hits:
            best, best_hits = sentence.strip(), hits
    return best[:max_chars]
