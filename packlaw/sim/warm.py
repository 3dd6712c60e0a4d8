"""Compile the simulator's kernels into Numba's on-disk cache: ``python -m packlaw.sim.warm``.

`make run` and `make test` run it right after installing, so the first
``packlaw simulate`` loads the kernels instead of compiling them.
"""

from __future__ import annotations

import sys
import time


def main() -> int:
    """Warm the cache, saying what it does and how long it took (on stderr)."""
    from packlaw.sim.run import warm_up

    started = time.perf_counter()
    warm_up(
        notice=lambda line: print(f"packlaw: {line}", file=sys.stderr, flush=True), every_form=True
    )
    print(
        f"packlaw: simulator kernels ready ({time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
