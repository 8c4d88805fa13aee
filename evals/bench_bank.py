"""Load time of the whole question bank (a benchmark that prints, not a test).

    python -m evals.bench_bank [--bank PATH] [--runs N]

cold-yaml : first load after the bank changed (parses the YAML, writes the JSON cache)
import    : importing agent.bank (pydantic, PyYAML) in a fresh process
cold      : first load in a fresh process (reads the JSON cache, validates the schema)
warm      : later loads in the same process (memoised)
The budget is 200 ms for a cold load.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from agent.bank import DEFAULT_BANK_PATH, load_bank
from agent.bank import loader as bank_mod

_CHILD = (
    "import time, sys; t0 = time.perf_counter(); from agent.bank import load_bank; "
    "t1 = time.perf_counter(); b = load_bank(sys.argv[1]); t2 = time.perf_counter(); "
    "print(t1 - t0, t2 - t1, len(b))"
)


def _fresh_process(path: Path) -> tuple[float, float, int]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--bank", type=Path, default=DEFAULT_BANK_PATH)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bank.yaml"
        shutil.copy(args.bank, copy)
        yaml_times = []
        for _ in range(args.runs):
            shutil.rmtree(copy.parent / ".cache", ignore_errors=True)
            bank_mod._LOADED.clear()
            t = time.perf_counter()
            load_bank(copy)
            yaml_times.append(time.perf_counter() - t)
        cold = [_fresh_process(copy) for _ in range(args.runs)]
        warm = []
        for _ in range(args.runs):
            t = time.perf_counter()
            load_bank(copy)
            warm.append(time.perf_counter() - t)

    n = cold[0][2]
    ms = 1000
    print(f"bank: {args.bank} ({n} entries, {args.runs} runs, median)")
    print(f"  cold-yaml  {statistics.median(yaml_times) * ms:7.1f} ms  (YAML parse + cache write)")
    imp_ms = statistics.median(c[0] for c in cold) * ms
    cold_ms = statistics.median(c[1] for c in cold) * ms
    print(f"  import     {imp_ms:7.1f} ms  (fresh process: import agent.bank, pydantic, yaml)")
    print(f"  cold       {cold_ms:7.1f} ms  (fresh process: read JSON cache + validate schema)")
    print(f"  warm       {statistics.median(warm) * ms:7.3f} ms  (memoised)")
    print(f"  budget     {200:7.1f} ms  -> {'ok' if cold_ms <= 200 else 'OVER BUDGET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
