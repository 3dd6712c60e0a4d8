"""Run every benchmark in this folder, one after another (`make bench`).

Pass `--quick` for a short smoke run of each; the figures recorded in
`benchmarks/README.md` come from full runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = (
    "bench_check.py",
    "bench_store.py",
    "bench_sim.py",
    "bench_report.py",
    "bench_sweep.py",
    "bench_web.py",
)


def main(argv: list[str]) -> int:
    for script in BENCHMARKS:
        print(f"== {script}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *argv], check=False)
        if done.returncode != 0:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
