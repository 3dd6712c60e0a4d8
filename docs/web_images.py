"""Copy the browser tests' screenshots of each page into ``docs/images/`` for the README.

    .venv/bin/pytest tests/test_web_browser.py   # takes them, in tests/artifacts/
    .venv/bin/python docs/web_images.py          # copies them here, small

Each page's desktop screenshot (1280x800; a whole page taller than that is
cut at 800) is saved as ``docs/images/web-PAGE.png`` with a palette of 256
colours, which keeps the text sharp and each file a few tens of KB.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
IMAGES = ROOT / "docs" / "images"
SIZE = (1280, 800)
# README picture -> the browser test's screenshot it is made from.
PAGES = {
    "web-home": "home-desktop",
    "web-chronicle": "chronicle-member",
    "web-run": "run-desktop",
    "web-world": "world",
    "web-sweep": "sweep",
}


def main() -> int:
    missing = [shot for shot in PAGES.values() if not (ARTIFACTS / f"{shot}.png").exists()]
    if missing:
        print(
            f"web_images: no screenshot {missing[0]}.png in tests/artifacts: "
            "run `.venv/bin/pytest tests/test_web_browser.py` first",
            file=sys.stderr,
        )
        return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, shot in PAGES.items():
        with Image.open(ARTIFACTS / f"{shot}.png") as image:
            width, height = SIZE
            cut = image.convert("RGB").crop((0, 0, width, min(height, image.height)))
            small = cut.quantize(
                colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
            )
            out = IMAGES / f"{name}.png"
            small.save(out, optimize=True)
            print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
