"""Regenerate the README's pictures of the story's experiment, with packlaw's own commands.

    .venv/bin/python docs/make_images.py

Runs Beacon Hills against "Stiles stays" (``packlaw simulate --compare``,
the scenario's 1,000 worlds x 365 days, seed 1, world 0 recorded) into a
throwaway SQLite store, draws both runs with ``packlaw report``, films the
recorded world with ``packlaw film``, and copies into ``docs/images/``:

- ``experiment-named-beings.png`` and ``experiment-attacks.png``: two of the
  report's figures, as the report drew them;
- ``film-still.png``: one frame of the film of world 0 (day `STILL_DAY`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
PACKLAW = str(Path(sys.executable).parent / "packlaw")
STILL_DAY = 325  # the hostile Arrival6 roams, two wounded alone ringed beside it


def packlaw(*args: str) -> None:
    print("$ packlaw", " ".join(args), flush=True)
    subprocess.run([PACKLAW, *args], check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = f"sqlite:///{folder / 'experiment.db'}"
        packlaw(
            "simulate", "beacon-hills", "--compare", "stiles-stays", "--record", "0", "--db", db
        )
        packlaw("report", "1", "2", "--out", str(folder / "report"), "--db", db)
        for name in ("named-beings", "attacks"):
            shutil.copyfile(folder / "report" / f"{name}.png", IMAGES / f"experiment-{name}.png")
        still = folder / "still.gif"
        day = f"{STILL_DAY}:{STILL_DAY}"
        packlaw("film", "1", "--world", "0", "--days", day, "--out", str(still), "--db", db)
        with Image.open(still) as frame:
            frame.convert("RGB").save(IMAGES / "film-still.png", optimize=True)
    print(f"wrote {', '.join(sorted(p.name for p in IMAGES.iterdir()))} to {IMAGES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
