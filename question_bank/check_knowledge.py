"""``python -m question_bank.check_knowledge FILE [--ids IDS]``: check one curated
knowledge file (misconceptions, follow-ups' own key points) against the bank."""

from question_bank.build.knowledge import main

if __name__ == "__main__":
    raise SystemExit(main())
