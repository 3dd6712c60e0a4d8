"""A recorded world drawn day by day: frames as NumPy arrays, saved as GIF or MP4.

Each frame is the territory seen from above, ``scale`` pixels a cell, under
a three-line header (the day; the living by standing; the key). A being is
a square in its standing's colour, edged in its pack's colour when it has
a pack; a hostile omega carries a dark cross. A ring marks a being wounded
with no packmate near, and fades over `RING_DAYS` days.

What "wounded with no packmate near" means here: the being's health fell
that day, and no other living alpha or member of its pack stood within
``protect_radius`` cells (Chebyshev distance on the torus) of it. The film
knows only what was recorded, so this is the territory model's "attacked
alone" read from the recording: it cannot tell human members (who do not
defend) from werewolves, or see the wider radius of a member on patrol.

Frames are palette images: every pixel is an index into `PALETTE`, set by
NumPy fancy indexing, so a GIF needs no colour quantising and an MP4 frame
is one lookup. Pillow writes GIFs; imageio's ffmpeg (bundled by the
``imageio-ffmpeg`` wheel) writes MP4s (H.264).

>>> from packlaw.sim import load_scenario, simulate
>>> from packlaw.sim.recording import Recorder
>>> scenario, _, _ = load_scenario()
>>> recorder = Recorder(scenario, [0])
>>> _ = simulate(scenario, worlds=2, days=12, seed=1, watch=recorder.watches())
>>> film = recorder.recordings()[0].film()
>>> frames = list(render_frames(film, scale=6, protect_radius=2))
>>> len(frames), frames[0].shape, frames[0].dtype.name
(12, (304, 240), 'uint8')
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from packlaw.sim.recording import Film
from packlaw.sim.state import ALLY, ALPHA, MEMBER, NOBODY, OMEGA, STANDINGS, UNAFFILIATED

RING_DAYS = 8
FORMATS = (".gif", ".mp4")
FRAME_MS = 80  # 12.5 frames a second: a year in half a minute
MIN_SCALE, MAX_SCALE = 2, 32
MAX_SIDE = 4096  # pixels, either way
HEADER_LINES = 3
LINE_HEIGHT = 15
_BLOCK = 16  # MP4 frames are padded to a multiple of this (codec macroblocks)


class FilmError(ValueError):
    """A film that cannot be made as asked: one sentence."""


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


BACKGROUND = "#F7F7F2"
INK = "#1A1A1A"
# Okabe-Ito colours, told apart by colour-blind readers; ordered by standing.
STANDING_COLOURS = {
    ALPHA: "#D55E00",
    MEMBER: "#0072B2",
    ALLY: "#009E73",
    OMEGA: "#E69F00",
    UNAFFILIATED: "#BBBBBB",
}
PACK_COLOURS = ("#000000", "#CC79A7", "#56B4E9", "#F0E442", "#7F3C8D", "#11A579")
RING = "#CC0066"
# Drawn last on top: alphas over members over allies over omegas over the unaffiliated.
DRAW_RANK = np.zeros(len(STANDINGS), np.int64)
DRAW_RANK[[UNAFFILIATED, OMEGA, ALLY, MEMBER, ALPHA]] = np.arange(len(STANDINGS))

I_BACKGROUND, I_INK = 0, 1
I_STANDING = 2  # + standing
I_PACK = I_STANDING + len(STANDINGS)  # + pack % len(PACK_COLOURS)
I_RING = I_PACK + len(PACK_COLOURS)  # + age in days


def _palette() -> np.ndarray:
    colours = [_rgb(BACKGROUND), _rgb(INK)]
    colours += [_rgb(STANDING_COLOURS[s]) for s in range(len(STANDINGS))]
    colours += [_rgb(c) for c in PACK_COLOURS]
    ring, back = np.array(_rgb(RING)), np.array(_rgb(BACKGROUND))
    for age in range(RING_DAYS):
        fade = age / RING_DAYS
        red, green, blue = (int(v) for v in np.round(ring * (1 - fade) + back * fade))
        colours.append((red, green, blue))
    return np.array(colours, np.uint8)


PALETTE = _palette()
# The palette as one 32-bit RGBA word a colour: a frame becomes RGBA in one fast lookup.
_PALETTE_RGBA = np.zeros(len(PALETTE), np.uint32)
_PALETTE_RGBA.view(np.uint8).reshape(-1, 4)[:, :3] = PALETTE
_PALETTE_RGBA.view(np.uint8).reshape(-1, 4)[:, 3] = 255


@dataclass(frozen=True)
class Layout:
    """Where things go in a frame of a film at a scale."""

    scale: int
    width: int  # map, in cells
    height: int
    header: int  # pixels above the map

    @property
    def shape(self) -> tuple[int, int]:
        """Frame rows and columns, padded to whole codec blocks."""
        rows = self.header + self.height * self.scale
        columns = self.width * self.scale
        return -(-rows // _BLOCK) * _BLOCK, -(-columns // _BLOCK) * _BLOCK


def check_film_output(out: Path) -> None:
    """Refuse, before any work, a film path that is not a GIF or MP4 or cannot be written."""
    if out.suffix.lower() not in FORMATS:
        raise FilmError(
            f"{out}: a film is written as .gif or .mp4, not {out.suffix or 'no suffix'}"
        )
    parent = out.absolute().parent
    if out.is_dir():
        raise FilmError(f"{out}: cannot write the film there: it is a folder")
    if not parent.is_dir():
        raise FilmError(f"{out}: cannot write the film there: no folder {parent}")
    if not os.access(parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise FilmError(f"{out}: cannot write the film there: permission denied")


def check_scale(scale: int, width: int, height: int) -> None:
    """Refuse a scale that makes beings unreadable or frames too large."""
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise FilmError(f"--scale must be {MIN_SCALE} to {MAX_SCALE} pixels a cell, not {scale}")
    if max(width, height) * scale > MAX_SIDE:
        raise FilmError(
            f"--scale {scale} makes frames {width * scale} x {height * scale} pixels; "
            f"at most {MAX_SIDE} a side"
        )


def default_scale(width: int, height: int) -> int:
    """About 480 pixels across the larger side, within the allowed scales."""
    return max(MIN_SCALE, min(MAX_SCALE, 480 // max(width, height, 1)))


def _square(size: int, inset: int) -> np.ndarray:
    """Offsets (dy, dx) of a filled square of side ``size - 2 * inset``."""
    side = np.arange(inset, size - inset)
    dy, dx = np.meshgrid(side, side, indexing="ij")
    return np.stack([dy.ravel(), dx.ravel()])


def _outline(first: int, last: int, thickness: int) -> np.ndarray:
    """Offsets of a square ring from ``first`` to ``last`` (inclusive), ``thickness`` wide."""
    side = np.arange(first, last + 1)
    dy, dx = np.meshgrid(side, side, indexing="ij")
    inner = (
        (dy >= first + thickness)
        & (dy <= last - thickness)
        & (dx >= first + thickness)
        & (dx <= last - thickness)
    )
    return np.stack([dy[~inner], dx[~inner]])


def _cross(size: int) -> np.ndarray:
    """Offsets of the two diagonals of a cell (the hostile's mark)."""
    side = np.arange(1, size - 1) if size > 3 else np.arange(size)
    return np.concatenate([np.stack([side, side]), np.stack([side, size - 1 - side])], axis=1)


def alone_wounds(film: Film, protect_radius: int) -> np.ndarray:
    """``days x beings``: True where a being was wounded that day with no packmate near.

    Day 1 has no day before it in the film, so nobody is marked on it.
    """
    c = film.columns
    health = c["health"].astype(np.int32)
    fell = np.zeros_like(health, np.bool_)
    fell[1:] = health[1:] < health[:-1]
    marked = np.zeros_like(fell)
    days, beings = np.nonzero(fell)
    for d, i in zip(days, beings, strict=True):
        before = d - 1  # standings and packs as the attack found them
        standing, pack = c["standing"][before], c["pack"][before]
        core = (
            c["alive"][before].astype(np.bool_)
            & ((standing == ALPHA) | (standing == MEMBER))
            & (pack == pack[i])
        )
        core[i] = False
        if pack[i] == NOBODY or standing[i] not in (ALPHA, MEMBER) or not core.any():
            marked[d, i] = True
            continue
        dx = np.abs(c["x"][d][core].astype(np.int32) - int(c["x"][d, i]))
        dy = np.abs(c["y"][d][core].astype(np.int32) - int(c["y"][d, i]))
        dx = np.minimum(dx, film.width - dx)
        dy = np.minimum(dy, film.height - dy)
        marked[d, i] = not bool((np.maximum(dx, dy) <= protect_radius).any())
    return marked


def frame_counts(film: Film, day_index: int) -> dict[str, int]:
    """The living by standing (and the hostile among them) on a day of the film."""
    alive = film.columns["alive"][day_index].astype(np.bool_)
    standing = film.columns["standing"][day_index][alive]
    counts = {name: int((standing == s).sum()) for s, name in enumerate(STANDINGS)}
    counts["hostile"] = int((film.hostile & alive).sum())
    counts["alive"] = int(alive.sum())
    return counts


def render_frames(
    film: Film,
    scale: int,
    protect_radius: int,
    first: int | None = None,
    label: str = "",
) -> Iterator[np.ndarray]:
    """Palette-index frames (``uint8``, rows x columns) of the film's days from day ``first`` on.

    Days of the film before ``first`` are not shown but count: the rings
    still fading on ``first`` and the wounds so far (decode from day 1).
    """
    first = film.first_day if first is None else first
    layout = Layout(scale, film.width, film.height, HEADER_LINES * LINE_HEIGHT + 4)
    rows, columns = layout.shape
    map_rows, map_columns = film.height * scale, film.width * scale
    fill = _square(scale, 1 if scale >= 4 else 0)
    edge = _outline(0, scale - 1, 1)
    cross = _cross(scale)
    ring = _outline(-2, scale + 1, 2 if scale >= 6 else 1)
    letters = _Letters()
    key = _key(columns, letters)
    wounded = alone_wounds(film, protect_radius)
    last_hit = np.full(len(film.names), -RING_DAYS - 1)
    hits_so_far = 0
    c = film.columns
    for d in range(film.days):
        last_hit[wounded[d]] = d
        hits_so_far += int(wounded[d].sum())
        if film.first_day + d < first:
            continue
        frame = np.full((rows, columns), I_BACKGROUND, np.uint8)
        view = frame[layout.header : layout.header + map_rows, :map_columns]
        alive = np.flatnonzero(c["alive"][d])
        age = d - last_hit
        ringed = np.flatnonzero(age < RING_DAYS)
        if len(ringed):
            oy = c["y"][d][ringed].astype(np.int64) * scale
            ox = c["x"][d][ringed].astype(np.int64) * scale
            yy = (oy[:, None] + ring[0][None, :]) % map_rows
            xx = (ox[:, None] + ring[1][None, :]) % map_columns
            view[yy, xx] = (I_RING + age[ringed])[:, None]
        alive = alive[np.argsort(DRAW_RANK[c["standing"][d][alive]], kind="stable")]
        if len(alive):
            standing = c["standing"][d][alive].astype(np.int64)
            pack = c["pack"][d][alive].astype(np.int64)
            oy = c["y"][d][alive].astype(np.int64) * scale
            ox = c["x"][d][alive].astype(np.int64) * scale
            in_pack = pack != NOBODY
            outline = np.where(
                in_pack, I_PACK + np.maximum(pack, 0) % len(PACK_COLOURS), I_STANDING + standing
            )
            view[oy[:, None] + edge[0], ox[:, None] + edge[1]] = outline[:, None]
            view[oy[:, None] + fill[0], ox[:, None] + fill[1]] = (I_STANDING + standing)[:, None]
            hostile = alive[film.hostile[alive]]
            if len(hostile):
                hy = c["y"][d][hostile].astype(np.int64) * scale
                hx = c["x"][d][hostile].astype(np.int64) * scale
                view[hy[:, None] + cross[0], hx[:, None] + cross[1]] = I_INK
        counts = frame_counts(film, d)
        lines = [
            f"{label}day {film.first_day + d}",
            f"alive {counts['alive']}: alpha {counts['alpha']}, members {counts['member']}, "
            f"allies {counts['ally']}, omegas {counts['omega']} (hostile {counts['hostile']}), "
            f"others {counts['unaffiliated']}; wounded alone so far {hits_so_far}",
        ]
        text = np.zeros((layout.header, columns), np.bool_)
        for n, line in enumerate(lines):
            letters.write(text, 4, 2 + n * LINE_HEIGHT, line)
        frame[: layout.header][text] = I_INK
        frame[: layout.header][key > 0] = key[key > 0]
        yield frame


class _Letters:
    """Text set from glyphs that Pillow draws once each (drawing every frame's text is slow)."""

    def __init__(self) -> None:
        from PIL import ImageFont

        self.font = ImageFont.load_default()
        self._glyphs: dict[str, tuple[np.ndarray, float]] = {}

    def _glyph(self, char: str) -> tuple[np.ndarray, float]:
        if char not in self._glyphs:
            from PIL import Image, ImageDraw

            advance = float(self.font.getlength(char))
            picture = Image.new("L", (int(advance) + 3, LINE_HEIGHT + 2), 0)
            ImageDraw.Draw(picture).text((0, 0), char, fill=255, font=self.font)
            self._glyphs[char] = (np.asarray(picture) > 48, advance)
        return self._glyphs[char]

    def width(self, text: str) -> int:
        """Pixels the text takes across."""
        return round(sum(self._glyph(char)[1] for char in text))

    def write(self, target: np.ndarray, x: int, y: int, text: str) -> None:
        """Set ``text``'s pixels in the boolean ``target`` from (x, y), clipped at its edges."""
        at = float(x)
        rows, columns = target.shape
        for char in text:
            glyph, advance = self._glyph(char)
            left = round(at)
            if left >= columns:
                break
            height = min(glyph.shape[0], rows - y)
            width = min(glyph.shape[1], columns - left)
            target[y : y + height, left : left + width] |= glyph[:height, :width]
            at += advance


def _key(columns: int, letters: _Letters) -> np.ndarray:
    """The header's third line: each standing's colour and name, the hostile's cross, the ring."""
    key = np.zeros((HEADER_LINES * LINE_HEIGHT + 4, columns), np.uint8)
    text = np.zeros(key.shape, np.bool_)
    y = 2 + 2 * LINE_HEIGHT
    x = 4
    entries = [(I_STANDING + s, name) for s, name in enumerate(STANDINGS)]
    entries += [(I_INK, "hostile (x)"), (I_RING, "wounded alone (ring)")]
    for index, name in entries:
        if x + 10 >= columns:
            break
        key[y + 2 : y + 10, x : x + 8] = index
        letters.write(text, x + 11, y, name)
        x += 11 + letters.width(name) + 8
    key[text] = I_INK
    return key


def to_rgb(frame: np.ndarray) -> np.ndarray:
    """A palette frame as RGB (rows x columns x 3)."""
    rgb: np.ndarray = np.take(PALETTE, frame, axis=0)
    return rgb


def to_rgba(frame: np.ndarray) -> np.ndarray:
    """A palette frame as opaque RGBA (rows x columns x 4), the quickest way to a full-colour frame."""
    rgba: np.ndarray = np.take(_PALETTE_RGBA, frame).view(np.uint8).reshape(*frame.shape, 4)
    return rgba


def write_film(
    frames: Iterator[np.ndarray],
    out: Path,
    advance: Callable[[int], None] = lambda done: None,
) -> int:
    """Encode ``frames`` to ``out`` (.gif by Pillow, .mp4 by ffmpeg); return the frames written.

    The film is written to a temporary file beside ``out`` and moved into
    place only when complete.
    """
    check_film_output(out)
    suffix = out.suffix.lower()
    handle, name = tempfile.mkstemp(
        prefix=f".{out.name}.", suffix=suffix, dir=out.absolute().parent
    )
    os.close(handle)
    partial = Path(name)
    count = 0

    def counted() -> Iterator[np.ndarray]:
        nonlocal count
        for frame in frames:
            count += 1
            advance(count)
            yield frame

    try:
        if suffix == ".gif":
            _write_gif(counted(), partial)
        else:
            _write_mp4(counted(), partial)
        partial.chmod(0o644)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def _write_gif(frames: Iterator[np.ndarray], out: Path) -> None:
    from PIL import Image

    palette = PALETTE.ravel().tolist()

    def image(frame: np.ndarray) -> Image.Image:
        picture = Image.fromarray(frame, mode="P")
        picture.putpalette(palette)
        return picture

    first = next(frames, None)
    if first is None:
        raise FilmError("the film has no frames")
    image(first).save(
        out,
        format="GIF",
        save_all=True,
        append_images=(image(frame) for frame in frames),
        duration=FRAME_MS,
        loop=0,
        optimize=False,
    )


def _write_mp4(frames: Iterator[np.ndarray], out: Path) -> None:
    import imageio.v2 as imageio

    writer = imageio.get_writer(
        str(out),
        format="FFMPEG",
        fps=1000 / FRAME_MS,
        codec="libx264",
        pixelformat="yuv420p",
        macro_block_size=_BLOCK,
        ffmpeg_log_level="error",
        # Flat colours and few changes a frame: the fastest presets lose little here.
        output_params=["-preset", "veryfast", "-tune", "animation"],
    )
    try:
        for frame in frames:
            writer.append_data(to_rgba(frame))
    finally:
        writer.close()
