"""Choose the misconception reading's threshold and margin on the calibration half.

The multiple-choice reading (``agent/grading/choice.py``) has two numbers: the
P(misconception) a point needs to count as contradicted, and by how much it must
exceed P(point). Both are chosen here on the 22 ``calibration`` questions of
``evals/grader/candidates.jsonl`` only (the held-out half is never read): every item
goes through ``Grader.assess`` once (token coverage of the points and the letter
probabilities of every reading, cached on disk with the eval's cache), then ``finish``
is applied for each (threshold, margin) on a grid, and for the design without the
reading. The grid point with the best QWK wins; ties go to the fewer fluent-wrong
answers above 3, then to the larger margin (the more conservative). Leave one question
out shows how the choice does on questions it was not chosen on.

Run: ``python -m evals.calibrate_choice [--write] [--base-url URL]``; ``--write`` stores
the chosen values as ``choice`` in ``agent/grading/calibration.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.bank import Entry, load_bank
from agent.grading import Grade, Grader, Signals, finish
from agent.grading.score import CALIBRATION_FILE, Calibration, ChoiceWeights, score
from agent.settings import load_settings
from evals.common import figures, git_short_sha, read_jsonl
from evals.grader_signals import CANDIDATES, LoglikCache, VerdictCache, connect_llm

THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5)
MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
OWN_WORDS = ("correct_written", "correct_spoken", "correct_mixed", "correct_english")


_BASE: dict[int, list[float]] = {}  # id(signals) -> each point's credit without the reading


def _base_credits(entry: Entry, signals: Signals, cal: Calibration) -> list[float]:
    """Each point's credit without the reading (the evidence rule applied), computed
    once per item: a grid point only zeroes the contradicted ones (as ``finish`` does)."""
    key = id(signals)
    if key not in _BASE:
        plain = finish(entry, signals, cal.model_copy(update={"choice": None}))
        weights = cal.likelihood
        assert weights is not None and signals.gain is not None
        _BASE[key] = [
            0.0 if p.verdict == "missing" else weights.credit(g, lex)
            for p, g, lex in zip(plain.points, signals.gain, signals.lexical, strict=True)
        ]
    return _BASE[key]


def _score(entry: Entry, assessed: Grade | Signals, cal: Calibration) -> tuple[float, int]:
    """(score, points contradicted) of one item under ``cal``; the same figure as
    ``finish(entry, assessed, cal).score`` (a unit test checks it), only faster."""
    if isinstance(assessed, Grade):
        return float(assessed.score or 0.0), 0
    credits = list(_base_credits(entry, assessed, cal))
    wrong = 0
    if cal.choice is not None:
        for i, reading in enumerate(assessed.choices or []):
            if (
                reading is not None
                and reading.contradicted(cal.choice.threshold, cal.choice.margin) is not None
            ):
                credits[i], wrong = 0.0, wrong + 1
    weights = [p.weight for p in assessed.rubric]
    return score(credits, weights), wrong


def evaluate(
    items: list[dict[str, Any]],
    entries: list[Entry],
    assessed: list[Grade | Signals],
    cal: Calibration,
) -> dict[str, Any]:
    scored = [_score(e, a, cal) for e, a in zip(entries, assessed, strict=True)]
    scores = [s for s, _n in scored]
    labels = [int(it["label"]) for it in items]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for it, s in zip(items, scores, strict=True):
        by_kind[str(it["kind"])].append(s)
    contradicted: dict[str, int] = defaultdict(int)
    for it, (_s, n) in zip(items, scored, strict=True):
        contradicted[str(it["kind"])] += n
    return {
        "figures": figures(labels, scores),
        "fluent_wrong_over_3": sum(s > 3 for s in by_kind["fluent_wrong"]),
        "fluent_wrong_mean": round(
            sum(by_kind["fluent_wrong"]) / max(1, len(by_kind["fluent_wrong"])), 2
        ),
        "own_words_under_7": sum(s < 7 for k in OWN_WORDS for s in by_kind[k]),
        "keyword_list_over_4": sum(s > 4 for s in by_kind["keyword_list"]),
        "contradicted_points": dict(contradicted),
        "kind_means": {k: round(sum(v) / len(v), 2) for k, v in sorted(by_kind.items())},
    }


def _key(r: dict[str, Any], margin: float) -> tuple[float, int, float]:
    return (float(r["figures"]["qwk"]), -int(r["fluent_wrong_over_3"]), margin)


def choose(
    items: list[dict[str, Any]],
    entries: list[Entry],
    assessed: list[Grade | Signals],
    base: Calibration,
) -> tuple[tuple[float, float], dict[tuple[float, float], dict[str, Any]]]:
    """The best (threshold, margin) and every grid point's evaluation."""
    grid: dict[tuple[float, float], dict[str, Any]] = {}
    for t in THRESHOLDS:
        for m in MARGINS:
            cal = base.model_copy(update={"choice": ChoiceWeights(threshold=t, margin=m)})
            grid[(t, m)] = evaluate(items, entries, assessed, cal)
    best = max(grid, key=lambda tm: _key(grid[tm], tm[1]))
    return best, grid


def leave_one_question_out(
    items: list[dict[str, Any]],
    entries: list[Entry],
    assessed: list[Grade | Signals],
    base: Calibration,
) -> dict[str, Any]:
    """Each question scored with the (threshold, margin) chosen on the other questions."""
    scores: list[float] = [0.0] * len(items)
    for q in sorted({str(it["question_id"]) for it in items}):
        rest = [i for i, it in enumerate(items) if it["question_id"] != q]
        (t, m), _grid = choose(
            [items[i] for i in rest], [entries[i] for i in rest], [assessed[i] for i in rest], base
        )
        cal = base.model_copy(update={"choice": ChoiceWeights(threshold=t, margin=m)})
        for i, it in enumerate(items):
            if it["question_id"] == q:
                scores[i] = _score(entries[i], assessed[i], cal)[0]
    return figures([int(it["label"]) for it in items], scores)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", help="an OpenAI-compatible endpoint (default: embedded)")
    ap.add_argument("--write", action="store_true", help="store the choice in calibration.json")
    ap.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    ap.add_argument("--cached-only", action="store_true", help="no model calls")
    ap.add_argument("--every", type=int, default=1, help="every k-th calibration question")
    args = ap.parse_args(argv)
    settings = load_settings()
    bank = load_bank()
    items = [it for it in read_jsonl(CANDIDATES) if it["split"] == "calibration"]
    keep = sorted({str(it["question_id"]) for it in items})[:: args.every]
    items = [it for it in items if it["question_id"] in keep]
    entries = [bank.get(str(it["question_id"])) for it in items]
    with contextlib.ExitStack() as stack:
        llm = connect_llm(stack, args.base_url, settings)
        verdicts = VerdictCache(
            llm, settings.cache_dir / "eval-grader-point-verdicts.json", offline=args.cached_only
        )
        logliks = LoglikCache(
            llm, settings.cache_dir / "eval-grader-point-logliks.json", offline=args.cached_only
        )
        grader = Grader(
            llm, settings, ask=verdicts.ask, loglik=logliks.loglik, scorer=logliks.point
        )
        base = grader.calibration.model_copy(update={"choice": None})
        grader.calibration = base.model_copy(update={"choice": ChoiceWeights()})  # read them
        assessed: list[Grade | Signals] = []
        for n, (it, entry) in enumerate(zip(items, entries, strict=True), start=1):
            assessed.append(grader.assess(entry, str(it["answer"])))
            print(f"[{n}/{len(items)}] {it['question_id']} {it['kind']}", flush=True)
        logliks.save()
        model = llm.model
    old = evaluate(items, entries, assessed, base)
    (t, m), grid = choose(items, entries, assessed, base)
    loqo = leave_one_question_out(items, entries, assessed, base)
    print(
        f"\n{'design':24} {'QWK':>6} {'Spear':>6} {'FW>3':>5} {'FWmean':>7} "
        f"{'own<7':>6} {'kw>4':>5}"
    )

    def row(name: str, r: dict[str, Any]) -> None:
        f = r["figures"]
        print(
            f"{name:24} {f['qwk']:6.3f} {f['spearman']:6.3f} {r['fluent_wrong_over_3']:>5} "
            f"{r['fluent_wrong_mean']:7.2f} {r['own_words_under_7']:>6} "
            f"{r['keyword_list_over_4']:>5}"
        )

    row("without the reading", old)
    for (th, mg), r in sorted(grid.items()):
        row(f"threshold={th:g} margin={mg:g}", r)
    print(f"\nchosen threshold={t:g} margin={m:g}; leave one question out: {loqo}")
    print(f"kind means, chosen: {grid[(t, m)]['kind_means']}")
    print(f"kind means, without: {old['kind_means']}")
    print(f"contradicted points per kind, chosen: {grid[(t, m)]['contradicted_points']}")
    if args.write:
        data = json.loads(args.out.read_text(encoding="utf-8"))
        data["choice"] = {
            "threshold": t,
            "margin": m,
            "fitted": {
                "model": model,
                "commit": git_short_sha(),
                "data": "evals/grader/candidates.jsonl (split=calibration)",
                "items": len(items),
                "questions": len(keep),
                "grid": {"threshold": list(THRESHOLDS), "margin": list(MARGINS)},
                "objective": "best QWK; ties: fewer fluent-wrong > 3, then the larger margin",
                "chosen": grid[(t, m)],
                "without_reading": old,
                "leave-one-question-out": loqo,
                "date": dt.date.today().isoformat(),
            },
        }
        args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote choice to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
