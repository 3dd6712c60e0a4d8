"""Make the README's sweep figures (small enough for a laptop: about ten minutes on two cores).

    .venv/bin/python docs/sweep_figures.py

1. Stiles's survival and his chance of being hurt alone against his autonomy
   (Beacon Hills, autonomy 0 to 1 by 0.1, 1,000 worlds x 365 days a point);
2. a Sobol analysis of four parameters for the Hale pack's survival
   (`docs/experiments/pack-survival.toml`: Saltelli N = 64, 150 worlds a point).

Both sweeps run through the command line on a local Dask cluster, into a
throwaway database; the figures go to ``docs/images/``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"


def sweep(db: str, *args: str) -> None:
    command = [sys.executable, "-m", "packlaw.cli.main", "sweep", *args, "--db", db]
    print("$ packlaw sweep", " ".join(args), flush=True)
    subprocess.run(command, check=True)


def main() -> int:
    from packlaw.store import Store, resolve_url
    from packlaw.sweep.figures import write_sweep_report

    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{Path(folder) / 'sweeps.db'}"
        sweep(db, "beacon-hills", "--vary", "Stiles.autonomy=0:1:0.1", "--worlds", "1000")
        sweep(db, str(HERE / "experiments" / "pack-survival.toml"))
        with Store(resolve_url(db)) as store:
            (autonomy,) = write_sweep_report(
                store, 1, folder, outputs=["Stiles.alive", "Stiles.hurt_alone"]
            )
            *_, indices = write_sweep_report(store, 2, folder, outputs=["Hale.survival"])
        shutil.copy(autonomy, IMAGES / "sweep-stiles-autonomy.png")
        shutil.copy(indices, IMAGES / "sweep-pack-survival-sobol.png")
    print(
        f"wrote {IMAGES / 'sweep-stiles-autonomy.png'} and {IMAGES / 'sweep-pack-survival-sobol.png'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
