"""Make the README's sweep figures (small enough for a laptop: about ten minutes on two cores).

    .venv/bin/python docs/sweep_figures.py [--db URL]

1. Stiles's survival and his chance of being hurt alone against his autonomy
   (Beacon Hills, autonomy 0 to 1 by 0.1, 1,000 worlds x 365 days a point);
2. a Sobol analysis of four parameters for the Hale pack's survival
   (`docs/experiments/pack-survival.toml`: Saltelli N = 64, 150 worlds a point).

Both sweeps run through the command line on a local Dask cluster, into a
throwaway database, or into ``--db URL``, where a second run finds every
point done and only draws; the figures go to ``docs/images/``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"


def sweep(db: str, *args: str) -> int:
    """Run `packlaw sweep` and return the number of the sweep it ran."""
    import json

    from packlaw.store.sweeps import sweep_number

    command = [sys.executable, "-m", "packlaw.cli.main", "sweep", *args, "--json", "--db", db]
    print("$ packlaw sweep", " ".join(args), flush=True)
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    name = json.loads(done.stdout)["sweep"]
    number = sweep_number(name)
    assert number is not None, name
    return number


def main(argv: list[str]) -> int:
    import argparse

    from packlaw.store import Store, resolve_url
    from packlaw.sweep.figures import write_sweep_report

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="keep the sweeps in this database (default: a throwaway one)")
    args = parser.parse_args(argv)
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or f"sqlite:///{Path(folder) / 'sweeps.db'}"
        first = sweep(db, "beacon-hills", "--vary", "Stiles.autonomy=0:1:0.1", "--worlds", "1000")
        second = sweep(db, str(HERE / "experiments" / "pack-survival.toml"))
        with Store(resolve_url(db)) as store:
            (autonomy,) = write_sweep_report(
                store, first, folder, outputs=["Stiles.alive", "Stiles.hurt_alone"]
            )
            *_, indices = write_sweep_report(store, second, folder, outputs=["Hale.survival"])
        shutil.copy(autonomy, IMAGES / "sweep-stiles-autonomy.png")
        shutil.copy(indices, IMAGES / "sweep-pack-survival-sobol.png")
    print(
        f"wrote {IMAGES / 'sweep-stiles-autonomy.png'} and {IMAGES / 'sweep-pack-survival-sobol.png'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
