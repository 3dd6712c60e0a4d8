"""Numba kernels: the eleven phases of a day, and `day`, which runs them all in one call.

Read beside `territory-model.md` ("One day, in this order"): each phase is
one function below, under its number, and `day` calls them in that order.
`phases.py` calls the same functions one at a time when a world is traced
(so the chronicle sees each phase's outcome) and from the tests.

Random draws are counter-based: draw ``j`` of actor ``i`` (a being's row,
a pack's row or a world) in phase ``q`` of day ``d`` is a hash of
``(seed, d, q, i, j)`` (`uniform`). No generator state is carried, so a
run gives the same numbers whether a phase runs serially or in parallel,
alone or inside `day`, and a draw costs a few nanoseconds, with no arrays
of draws in memory.

Phases return what happened (who attacked whom, who died, ...) in small
arrays, for the chronicle of a traced world; `day` drops them.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from packlaw.sim.grid import (
    accumulate,
    axis_buckets,
    build_index,
    entry_row,
    entry_x,
    entry_y,
    index_rows,
    narrowest,
    torus_distance,
    wrap,
)
from packlaw.sim.metrics import (
    EVENT_METRICS,
    M_ATTACKS,
    M_ATTACKS_ALONE,
    M_ATTACKS_ON,
    M_BEINGS,
    M_BEINGS_OMEGA_HOSTILE,
    M_DEATHS,
    M_DEATHS_OF,
    M_HITS,
    M_HITS_ALONE,
    M_HITS_ON,
    M_HUNTS,
    M_KILLS,
    M_PACK_SIZE_MEAN,
    M_PACKS_ESTABLISHED,
    M_TASKS_PATROL,
    M_TASKS_RESEARCH,
    summarise_figures,
)
from packlaw.sim.state import (
    ALLY,
    ALPHA,
    HUMAN,
    MEMBER,
    MILLI,
    NO_TASK,
    NOBODY,
    OMEGA,
    PATROL,
    RESEARCH,
    UNAFFILIATED,
    WEREWOLF,
    initial_theta_patrol,
)

# ------------------------------------------------------------------ draws

TASKS, ORDERS, MOVEMENT, ATTACKS, DEATHS, HUNTS, CARE, BITES, JOINING, LEAVING, ARRIVALS = range(
    1, 12
)
"""Phase numbers, as in the model page; each phase draws under its own `stream`."""


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
DRAWS_PER_ACTOR = 8
"""Draws one actor may take in one phase (the most any phase takes is 5)."""


@njit(cache=True, inline="always")
def _mix(z):
    # SplitMix64's finaliser: every input bit reaches every output bit.
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def stream(seed, day, phase):
    """The key of one phase's draws on one day of a run."""
    z = _mix(np.uint64(seed) * _GOLDEN + np.uint64(day))
    return _mix(z + np.uint64(phase) * _GOLDEN)


@njit(cache=True, inline="always")
def bits(key, actor, draw):
    """The 53 random bits of draw ``draw`` (0 .. 7) of ``actor`` under ``key``."""
    z = _mix(key + (np.uint64(actor) * np.uint64(DRAWS_PER_ACTOR) + np.uint64(draw)) * _GOLDEN)
    return z >> np.uint64(11)


@njit(cache=True, inline="always")
def uniform(key, actor, draw):
    """Draw ``draw`` (0 .. 7) of ``actor`` under ``key``: uniform in [0, 1) (`bits` / 2**53)."""
    return np.float64(bits(key, actor, draw)) * _TO_UNIT


@njit(cache=True)
def uniform_each(key, actors, draw):
    """`uniform` of each of ``actors``."""
    drawn = np.empty(actors.shape[0])
    for k in range(actors.shape[0]):
        drawn[k] = uniform(key, actors[k], draw)
    return drawn


@njit(cache=True, inline="always")
def pick(key, actor, draw, count):
    """A uniform choice among ``count`` things (0 .. count - 1) by draw ``draw`` of ``actor``.

    It is ``min(int(uniform(key, actor, draw) * count), count - 1)``, worked
    out in whole numbers (``bits * count >> 53``: no conversions, 2 ns of a
    being's 7 ns move): the two differ only where the exact product lies
    within half a unit in the last place below a whole number, which the
    floating-point product rounds up to; there (for a choice among 9,
    about once in 2**49 draws) it is computed as written.
    """
    return pick_of_bits(bits(key, actor, draw), count)


@njit(cache=True, inline="always")
def pick_of_bits(m, count):
    """`pick` from the draw's 53 bits ``m`` (in whole numbers below 2**11 things: no overflow)."""
    t = m * np.uint64(count)
    q = t >> np.uint64(53)
    if count >= 2048 or ((q + np.uint64(1)) << np.uint64(53)) - t <= np.uint64(2 * count):
        return min(int(np.float64(m) * _TO_UNIT * count), count - 1)
    return np.int64(q)


# ------------------------------------------------------------------ lists


@njit(cache=True)
def by_standing(b, wanted):
    """Living beings of the standings in ``wanted`` (a bit mask, ``1 << standing``), grouped.

    Rows of standing ``s`` are ``rows[start[s]:start[s + 1]]``, oldest first.
    """
    return standing_lists(b.alive, b.standing, wanted)


@njit(cache=True)
def standing_lists(alive, standing, wanted):
    """`by_standing` over the two columns it reads.

    For each wanted standing, a count (a sum of comparisons, which
    vectorises), then the rows, found eight at a time: a 64-bit word holds
    eight beings' standings, and `matching_bytes` marks those of that
    standing and alive. Most words of a sparse standing mark none and are
    passed over at once.
    """
    n = alive.shape[0]
    start = np.zeros(UNAFFILIATED + 2, np.int64)
    for s in range(UNAFFILIATED + 1):
        count = 0
        if (wanted >> s) & 1:
            for i in range(n):
                count += (standing[i] == s) & alive[i]
        start[s + 1] = start[s] + count
    rows = np.empty(start[-1], np.int32)
    words = n // 8
    standing8 = standing[: 8 * words].view(np.uint64)
    alive8 = alive[: 8 * words].view(np.uint64)
    for s in range(UNAFFILIATED + 1):
        if not (wanted >> s) & 1:
            continue
        k = start[s]
        for j in range(words):
            marks = matching_bytes(standing8[j], alive8[j], s)
            while marks:
                rows[k] = 8 * j + lowest_byte(marks)
                k += 1
                marks &= marks - np.uint64(1)
        for i in range(8 * words, n):
            if standing[i] == s and alive[i]:
                rows[k] = i
                k += 1
    return start, rows


_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_BYTES = np.uint64(0x0101010101010101)
_BYTE_NUMBERS = np.uint64(0x0001020304050607)


@njit(cache=True, inline="always")
def matching_bytes(word, alive, value):
    """The top bit of each byte of ``word`` equal to ``value`` whose byte in ``alive`` is 1.

    ``word`` and ``alive`` hold eight one-byte values of a column, the first in the
    lowest byte (x86 and ARM are little-endian); the
    comparison of all eight at once is exact (no carry crosses a byte).
    """
    x = word ^ (_BYTES * np.uint64(value))  # a zero byte where equal
    zero = ~(((x & _LOW7) + _LOW7) | x | _LOW7)  # 0x80 in exactly the zero bytes
    return zero & (alive << np.uint64(7))


@njit(cache=True, inline="always")
def lowest_byte(marks):
    """The place (0 .. 7) of the lowest byte with its top bit set in ``marks`` (not 0)."""
    lowest = marks & (~marks + np.uint64(1))  # that byte's top bit alone: 2 ** (8 * place + 7)
    return np.int64(((lowest >> np.uint64(7)) * _BYTE_NUMBERS) >> np.uint64(56))


@njit(cache=True)
def rows_standing(b, standing):
    """Rows of the living beings with that standing, oldest first."""
    return by_standing(b, 1 << standing)[1]


@njit(cache=True)
def count_betas(b, members, n_packs):
    """Living werewolf betas (werewolf members) of each pack, from its living ``members``."""
    betas = np.zeros(n_packs, np.int32)
    for i in members:
        betas[b.pack[i]] += b.kind[i] == WEREWOLF
    return betas


# Helpers called for one being at a time take the columns they read, not the beings'
# tuple: passing its 21 arrays costs about 200 ns a call, inlined or not (each is
# reference-counted), more than the work of most such calls.


@njit(cache=True, inline="always")
def in_pack(standing, i):
    """An alpha or a member: one who belongs to a pack."""
    return standing[i] == ALPHA or standing[i] == MEMBER


@njit(cache=True, inline="always")
def power_of(strength, kind, standing, betas, health, bonus, half):
    """Effective strength (R8) times health, of one being's values; ``betas``: its pack's.

    A werewolf alpha or member gains from its pack's other werewolf betas.
    """
    s = np.float64(strength)
    if kind == WEREWOLF and (standing == ALPHA) | (standing == MEMBER):
        n = betas - (standing == MEMBER)  # a member does not count itself
        s *= 1.0 + bonus * n / (n + half)
    return s * health / MILLI


@njit(cache=True, inline="always")
def power(strength, kind, standing, pack, health, i, betas, p):
    """`power_of` being ``i``, read from its columns (``betas``: of each pack)."""
    pack_betas = betas[pack[i]] if pack[i] != NOBODY else 0
    return power_of(strength[i], kind[i], standing[i], pack_betas, health[i], p.bonus, p.half)


@njit(cache=True)
def powers(b, rows, betas, p):
    """`power` of each of ``rows``, in one call: no columns handed over for each being."""
    strength, kind, standing, pack, health = b.strength, b.kind, b.standing, b.pack, b.health
    bonus, half = p.bonus, p.half
    found = np.empty(rows.shape[0])
    for k in range(rows.shape[0]):
        i = rows[k]
        pack_betas = betas[pack[i]] if pack[i] != NOBODY else 0
        found[k] = power_of(strength[i], kind[i], standing[i], pack_betas, health[i], bonus, half)
    return found


@njit(cache=True)
def near_each(alive, g, worlds, xs, ys, r):
    """The living beings within distance ``r`` of each place ``(worlds[k], xs[k], ys[k])``.

    Every neighbour query goes through here, many at a time: it reads only
    the buckets the square of side ``2r + 1`` touches, and of the beings
    only ``alive``. Returns ``(first, found)``: the beings near place ``k``
    are ``found[first[k]:first[k + 1]]``, in the index's order (by bucket,
    then oldest first). One call answers all of a phase's queries because
    each array handed to a function is reference-counted, which costs more
    than a small query's work: the index's arrays are taken out once here.
    """
    start, entries, bucket_x, bucket_y = g.start, g.entries, g.bucket_x, g.bucket_y
    nbx, nby, width, height = g.nbx, g.nby, g.width, g.height
    m = xs.shape[0]
    first = np.empty(m + 1, np.int64)
    found = np.empty(max(64, 8 * m), np.int32)
    n = 0
    for k in range(m):
        first[k] = n
        x, y = np.int64(xs[k]), np.int64(ys[k])
        bx0, cx = axis_buckets(x, r, width, bucket_x, nbx)
        by0, cy = axis_buckets(y, r, height, bucket_y, nby)
        base = worlds[k] * nbx * nby
        for jy in range(cy):
            row = base + wrap(by0 + jy, nby) * nbx
            for jx in range(cx):
                key = row + wrap(bx0 + jx, nbx)
                if n + start[key + 1] - start[key] > found.shape[0]:
                    grown = np.empty(2 * (n + start[key + 1] - start[key]), np.int32)
                    grown[:n] = found[:n]
                    found = grown
                for q in range(start[key], start[key + 1]):
                    # distance from the index's own copy of the cell: the row is read only when in range
                    e = entries[q]
                    if torus_distance(x, y, entry_x(e), entry_y(e), width, height) <= r:
                        j = entry_row(e)
                        if alive[j]:
                            found[n] = j
                            n += 1
    first[m] = n
    return first, found


@njit(cache=True)
def near_beings(b, g, rows, r):
    """`near_each` around the cells of the beings ``rows``."""
    return near_each(b.alive, g, b.world[rows], b.x[rows], b.y[rows], r)


@njit(cache=True)
def hostile_by_world(b, worlds):
    """Living hostile omegas grouped by world: ``(start, rows, alive per world)``, oldest first."""
    return group_hostile(b, rows_standing(b, OMEGA), worlds)


@njit(cache=True)
def group_hostile(b, omegas, worlds):
    """`hostile_by_world` from the living ``omegas`` (oldest first): work in proportion to them."""
    start = np.zeros(worlds + 2, np.int64)
    for i in omegas:
        if b.hostile[i]:
            start[b.world[i] + 2] += 1
    accumulate(start, 2)
    rows = np.empty(start[-1], np.int32)
    for i in omegas:
        if b.hostile[i]:
            rows[start[b.world[i] + 1]] = i
            start[b.world[i] + 1] += 1
    alive = start[1 : worlds + 1] - start[:worlds]
    return start, rows, alive


@njit(cache=True, inline="always")
def around_ring(v, size):
    """``v % size`` by additions: a ring of buckets is rarely wider than the axis (``%`` divides)."""
    while v < 0:
        v += size
    while v >= size:
        v -= size
    return v


@njit(cache=True)
def nearest_hostiles(alive, xs, ys, worlds, h, g, rows):
    """`nearest_hostile` of each of ``rows`` (in its world, from its cell), in one call."""
    found = np.empty(rows.shape[0], np.int32)
    for k in range(rows.shape[0]):
        i = rows[k]
        found[k] = nearest_hostile(alive, xs, ys, h, g, worlds[i], xs[i], ys[i])
    return found


@njit(cache=True, inline="always")
def nearest_hostile(alive, xs, ys, h, g, w, x, y):
    """The living hostile omega of world ``w`` nearest to ``(x, y)``; ties: lowest row.

    ``h`` is `hostile_by_world`'s (its counts kept up to date as hunts kill),
    ``g`` the index of those omegas alone (`index_rows`, about one a
    bucket); ``alive``, ``xs`` and ``ys`` are the beings' columns. With few hostile
    omegas alive in the world it looks at each; with many, it searches
    rings of buckets outwards from ``(x, y)`` and stops once no unsearched
    bucket can hold anyone nearer than the best found. Either way:
    O(min(omegas, buckets / omegas)).
    """
    h_start, h_rows, h_alive = h
    best = NOBODY
    best_d = 1 << 40
    if h_alive[w] == 0:
        return NOBODY
    if h_alive[w] * h_alive[w] <= g.nbx * g.nby:
        for q in range(h_start[w], h_start[w + 1]):
            j = h_rows[q]
            if not alive[j]:
                continue
            d = torus_distance(x, y, xs[j], ys[j], g.width, g.height)
            if d < best_d or (d == best_d and j < best):
                best, best_d = j, d
        return best
    base = w * g.nbx * g.nby
    bx, by = g.bucket_x[x], g.bucket_y[y]
    width = narrowest(g)
    for ring in range(max(g.nbx, g.nby) // 2 + 1):
        for dy in range(-ring, ring + 1):
            row = base + around_ring(by + dy, g.nby) * g.nbx
            edge_y = dy == -ring or dy == ring
            # a top or bottom row of the ring: all its buckets; between them: its two ends
            step = 1 if edge_y or ring == 0 else 2 * ring
            kx = around_ring(bx - ring, g.nbx)
            for _ in range(0, 2 * ring + 1, step):
                key = row + kx
                kx = around_ring(kx + step, g.nbx)
                for q in range(g.start[key], g.start[key + 1]):
                    e = g.entries[q]
                    d = torus_distance(x, y, entry_x(e), entry_y(e), g.width, g.height)
                    if d > best_d:
                        continue  # not nearer: the row need not be read
                    j = entry_row(e)
                    if d == best_d and j > best:
                        continue
                    if alive[j]:
                        best, best_d = j, d
        # anyone in a bucket of the next ring is at least ring * width + 1 away
        if best != NOBODY and best_d <= ring * width:
            break
    return best


# ------------------------------------------------------ changes of standing


@njit(cache=True, inline="always")
def change_standing(b, i, standing, pack):
    """Every change of standing resets defiance and clears the task (and an ally's lead)."""
    b.defiance[i] = 0
    b.task[i] = NO_TASK
    b.lead[i] = NOBODY
    b.knowledge[i] = 0.0
    b.standing[i] = standing
    b.pack[i] = pack
    if standing == OMEGA:
        b.hostile[i] = False


@njit(cache=True, inline="always")
def leave_pack(b, i, human_becomes):
    """A being leaves its pack: a werewolf becomes a non-hostile omega, a human ``human_becomes``.

    A human who becomes an ally stays with the pack (R7); one who becomes
    unaffiliated leaves it.
    """
    if b.kind[i] == WEREWOLF:
        change_standing(b, i, OMEGA, NOBODY)
    elif human_becomes == ALLY:
        change_standing(b, i, ALLY, b.pack[i])
    else:
        change_standing(b, i, UNAFFILIATED, NOBODY)


# ------------------------------------------------------------- 1. tasks


@njit(cache=True, inline="always")
def _response(s, theta):
    s2 = s * s
    denominator = s2 + theta * theta
    return s2 / denominator if denominator > 0 else 0.0


@njit(cache=True)
def tasks(b, packs, p, key):
    """1. Stimuli follow yesterday's work; each member takes research, else patrol, else nothing."""
    assign_tasks(b, packs, p, key, rows_standing(b, MEMBER))


@njit(cache=True)
def assign_tasks(b, packs, p, key, members):
    """`tasks`, given the living ``members`` (oldest first)."""
    n_packs = packs.alpha.shape[0]
    n = np.zeros(n_packs, np.int64)
    done = np.zeros((n_packs, 3), np.int64)  # by task: none, research, patrol
    for i in members:
        n[b.pack[i]] += 1
        done[b.pack[i], b.task[i]] += 1
    for q in range(n_packs):
        if packs.alpha[q] != NOBODY and n[q] > 0:
            s_r = packs.s_research[q] + p.delta - p.alpha_s * done[q, RESEARCH] / n[q]
            s_p = packs.s_patrol[q] + p.delta - p.alpha_s * done[q, PATROL] / n[q]
            packs.s_research[q] = max(0.0, s_r)
            packs.s_patrol[q] = max(0.0, s_p)
    for i in members:
        q = b.pack[i]
        tr = np.float64(b.theta_research[i])
        tp = np.float64(b.theta_patrol[i])
        # research, else patrol, else nothing; both draws taken (they are keyed, so the
        # second changes nothing when unused) and no branch: the choice is a coin toss
        research = uniform(key, i, 0) < _response(packs.s_research[q], tr)
        patrol = (not research) & (uniform(key, i, 1) < _response(packs.s_patrol[q], tp))
        b.task[i] = RESEARCH if research else PATROL if patrol else NO_TASK
        tr += -p.xi if research else p.phi  # the work done grows easier, the rest harder
        tp += -p.xi if patrol else p.phi
        b.theta_research[i] = min(max(tr, p.theta_min), p.theta_max)
        b.theta_patrol[i] = min(max(tp, p.theta_min), p.theta_max)


# ------------------------------------------------------------ 2. orders

# outcome codes of an order, for the chronicle
NO_ORDER, OBEYED, DEFIED, OBEYED_ILL, DEFIED_ILL = 0, 1, 2, 3, 4


@njit(cache=True)
def orders(b, packs, p, key):
    """2. Orders, obedience and defiance (R3, R5, R7).

    Returns the members, what happened to each (``NO_ORDER`` .. ``DEFIED_ILL``)
    and each one's alpha. At the defiance limit the member is out (R7): a
    werewolf becomes a non-hostile omega, a human an ally of the same pack.
    """
    return give_orders(b, packs, p, key, rows_standing(b, MEMBER))


@njit(cache=True)
def give_orders(b, packs, p, key, members):
    """`orders`, given the living ``members`` (oldest first)."""
    outcome = np.zeros(members.shape[0], np.int8)
    alphas = np.empty(members.shape[0], np.int32)
    for k in range(members.shape[0]):
        i = members[k]
        alpha = packs.alpha[b.pack[i]]
        alphas[k] = alpha
        if uniform(key, i, 0) >= p.order_rate:
            continue
        if uniform(key, i, 1) < b.ill_rate[alpha]:
            outcome[k] = DEFIED_ILL if uniform(key, i, 2) < p.resist_ill else OBEYED_ILL
        elif uniform(key, i, 2) < b.autonomy[i]:
            outcome[k] = DEFIED
            b.defiance[i] += 1
            if b.defiance[i] >= p.defiance_limit:
                leave_pack(b, i, ALLY)
        else:
            outcome[k] = OBEYED
            b.defiance[i] = max(0, b.defiance[i] - 1)
    return members, outcome, alphas


# ---------------------------------------------------------- 3. movement


@njit(cache=True, inline="always")
def step_toward(a, target, size):
    """One cell along the shorter way round; + on a tie; none if aligned.

    In arithmetic, not branches: which way a follower goes is a coin toss
    to the processor, and a mispredicted branch costs more than the step.
    """
    d = np.int64(target) - np.int64(a)
    d += size * np.int64(d < 0)  # the way forward, 0 .. size - 1
    moving = np.int64(d != 0)
    back = moving & np.int64(d > size - d)
    moved = a + moving - 2 * back
    return moved + size * np.int64(moved < 0) - size * np.int64(moved >= size)


def _wander(alive, xs, ys, key, width, height, nx, ny):
    # Columns, not the `Beings` tuple: Numba's prange can lose writes made
    # through arrays taken from a tuple argument. Two plain loops, not one:
    # each is vectorised (8 beings an instruction), the two together are not.
    n = alive.shape[0]
    steps = np.empty(n, np.int8)
    for i in prange(n):
        steps[i] = pick(key, i, 0, 9)
    for i in prange(n):
        s = np.int64(steps[i])
        x, y = np.int64(xs[i]), np.int64(ys[i])
        still = np.int64(alive[i])  # the dead stay where they fell: no branch, a product
        nx[i] = wrap(x + (s % 3 - 1) * still, width)
        ny[i] = wrap(y + (s // 3 - 1) * still, height)


wander_serial = njit(cache=True)(_wander)
wander_parallel = njit(cache=True, parallel=True)(_wander)
"""Every living being's random step to one of the nine cells around it (its own included).

Into ``nx`` and ``ny``, from where all stood; `follow` then sets the steps
of those who walk toward someone instead. In parallel (called from
Python) for large runs.
"""


@njit(cache=True)
def follow(alive, standing, pack, lead, xs, ys, pack_alpha, cohesion, width, height, nx, ny):
    """A member farther than ``cohesion`` from its alpha, and an ally with a lead, step toward them.

    Over `wander`'s steps, toward where the other stood (``xs``, ``ys``):
    they are few, and the rows of the rest are passed over on their
    standing alone.
    """
    for i in range(alive.shape[0]):
        s = standing[i]
        if (s != MEMBER and s != ALLY) or not alive[i]:
            continue
        target = pack_alpha[pack[i]] if s == MEMBER else lead[i]
        if target == NOBODY:
            continue
        x, y = np.int64(xs[i]), np.int64(ys[i])
        tx, ty = np.int64(xs[target]), np.int64(ys[target])
        if s == ALLY or torus_distance(x, y, tx, ty, width, height) > cohesion:
            nx[i] = step_toward(x, tx, width)
            ny[i] = step_toward(y, ty, height)


@njit(cache=True)
def move_serial(
    alive, standing, pack, lead, xs, ys, pack_alpha, key, cohesion, width, height, nx, ny
):
    """Everyone's new cell into ``nx`` and ``ny`` (`wander`, then `follow`), serially."""
    wander_serial(alive, xs, ys, key, width, height, nx, ny)
    follow(alive, standing, pack, lead, xs, ys, pack_alpha, cohesion, width, height, nx, ny)


@njit(cache=True)
def movement(b, packs, p, key, spare, worlds):
    """3. Members close on their alpha, allies with a lead walk to it, the rest wander.

    Everyone moves at once, from where all stood: new positions go to the
    ``spare`` columns (`settle` then copies them over the old). Nobody moves
    again today, so the spatial index built by `settle` serves the rest of
    the day; it is returned.
    """
    n = b.alive.shape[0]
    move_serial(
        b.alive, b.standing, b.pack, b.lead, b.x, b.y, packs.alpha, key, p.cohesion,
        p.width, p.height, spare[0][:n], spare[1][:n],
    )  # fmt: skip
    return settle(b, p, spare, worlds)


@njit(cache=True)
def settle(b, p, spare, worlds):
    """Movement's end: the new positions replace the old, and the spatial index is built."""
    n = b.alive.shape[0]
    b.x[:] = spare[0][:n]
    b.y[:] = spare[1][:n]
    return build_index(b, worlds, p.width, p.height)


# ----------------------------------------------------------- 4. attacks


@njit(cache=True)
def attacks(b, packs, p, t, key, g):
    """4. R10: each hostile omega attacks a uniform non-omega within distance 1.

    Everything is read at the phase's start; wounds are applied at the end,
    so several attacks on one target add up. Returns the omegas and per
    omega its target (or NOBODY), whether it hit, and how many defended.
    """
    start, rows = by_standing(b, (1 << OMEGA) | (1 << MEMBER))
    omegas = rows[start[OMEGA] : start[OMEGA + 1]]
    omegas = omegas[b.hostile[omegas]]
    betas = count_betas(b, rows[start[MEMBER] : start[MEMBER + 1]], packs.alpha.shape[0])
    m = omegas.shape[0]
    target = np.full(m, NOBODY, np.int32)
    hit = np.zeros(m, np.bool_)
    defenders = np.zeros(m, np.int32)
    reach = max(p.protect_radius, p.patrol_radius)
    strength, kind, standing, pack, health = b.strength, b.kind, b.standing, b.pack, b.health
    first, around = near_beings(b, g, omegas, 1)
    for k in range(m):
        eligible = first[k]
        for q in range(first[k], first[k + 1]):  # candidates: the non-omegas, kept at the front
            if standing[around[q]] != OMEGA:
                around[eligible] = around[q]
                eligible += 1
        if eligible > first[k]:
            target[k] = around[first[k] + pick(key, omegas[k], 0, eligible - first[k])]
    # defenders: the target's pack's other living werewolf alpha/members nearby
    attacked = np.flatnonzero(target != NOBODY)
    guarded = attacked[
        (standing[target[attacked]] == ALPHA) | (standing[target[attacked]] == MEMBER)
    ]
    first, around = near_beings(b, g, target[guarded], reach)
    target_power = powers(b, target[attacked], betas, p)
    omega_power = powers(b, omegas[attacked], betas, p)
    z = 0  # the next of the guarded
    for y in range(attacked.shape[0]):
        k = attacked[y]
        o, tg = omegas[k], target[k]
        d_power = target_power[y]
        n_def = 0
        if z < guarded.shape[0] and guarded[z] == k:
            for j in around[first[z] : first[z + 1]]:
                if j == tg or pack[j] != pack[tg] or kind[j] != WEREWOLF:
                    continue
                if not in_pack(standing, j):
                    continue
                radius = p.patrol_radius if b.task[j] == PATROL else p.protect_radius
                if torus_distance(b.x[tg], b.y[tg], b.x[j], b.y[j], g.width, g.height) <= radius:
                    n_def += 1
                    d_power += power(strength, kind, standing, pack, health, j, betas, p)
            z += 1
        defenders[k] = n_def
        a_power = omega_power[y]
        total = a_power + d_power
        hit[k] = uniform(key, o, 1) < (a_power / total if total > 0 else 0.0)
    tally_attacks(t, b.world, standing, omegas, target, hit, defenders)
    # wounds, after every decision was taken
    for k in range(m):
        tg = target[k]
        if tg == NOBODY:
            continue
        if hit[k]:
            if b.standing[tg] == ALLY:
                b.wounded_as_ally[tg] = True
            b.health[tg] = max(0, b.health[tg] - p.wound)
        else:
            o = omegas[k]
            b.health[o] = max(0, b.health[o] - p.repel_wound)
    return omegas, target, hit, defenders


@njit(cache=True)
def tally_attacks(t, world, standing, omegas, target, hit, defenders):
    """The phase's attacks (`tally_attack`), in the omegas' order, before the wounds."""
    for k in range(omegas.shape[0]):
        tg = target[k]
        if tg != NOBODY:
            tally_attack(t, world[omegas[k]], tg, standing[tg], defenders[k] == 0, hit[k])


@njit(cache=True, inline="always")
def tally_attack(t, w, target, standing, alone, hit):
    """An attack in the day's metrics, and a named target's wounds in the run's."""
    t.today[w, M_ATTACKS] += 1
    t.today[w, M_ATTACKS_ON + standing] += 1
    if alone:
        t.today[w, M_ATTACKS_ALONE] += 1
    if not hit:
        return
    t.today[w, M_HITS] += 1
    t.today[w, M_HITS_ON + standing] += 1
    if alone:
        t.today[w, M_HITS_ALONE] += 1
    if target < t.named_slot.shape[0] * t.wounded.shape[0]:
        slot = t.named_slot[target % t.named_slot.shape[0]]
        if slot >= 0:
            t.wounded[w, slot] += 1
            if alone:
                t.wounded_alone[w, slot] += 1


# ------------------------------------------------------------ 5. deaths


@njit(cache=True)
def deaths(b, packs, t):
    """5. Every being at health 0 dies; dead alphas are succeeded or their packs dissolve.

    Returns the rows that died, then ``(pack, new alpha)`` for each
    succession and the packs dissolved.
    """
    dead = rows_below(b.alive, b.health, 1)
    orphaned = np.zeros(packs.alpha.shape[0], np.bool_)
    for i in dead:
        b.alive[i] = False
        w = b.world[i]
        t.today[w, M_DEATHS] += 1
        t.today[w, M_DEATHS_OF + b.standing[i]] += 1
        if b.standing[i] == ALPHA:
            orphaned[b.pack[i]] = True
    succession = np.empty((0, 2), np.int32)
    dissolved = np.empty(0, np.int32)
    if orphaned.any():
        succession, dissolved = _succeed(b, packs, orphaned)
    # a dead member leaves its pack; a dead ally's alliance ends
    for i in dead:
        b.task[i] = NO_TASK
        b.lead[i] = NOBODY
        b.pack[i] = NOBODY
    return dead, succession, dissolved


@njit(cache=True)
def rows_below(alive, health, level):
    """Rows of the living whose health is below ``level``, in order.

    A count, which vectorises, then the rows: no temporary column
    (`np.flatnonzero` of a mask makes three). The dying (below 1) and the
    injured (below full health) are a small part of the beings, so the
    phases that act on them pass over the rest in this scan.
    """
    count = 0
    for i in range(alive.shape[0]):
        count += alive[i] & (health[i] < level)
    found = np.empty(count, np.int32)
    k = 0
    for i in range(alive.shape[0] if count else 0):
        if alive[i] and health[i] < level:
            found[k] = i
            k += 1
    return found


@njit(cache=True)
def _succeed(b, packs, orphaned):
    n_packs = packs.alpha.shape[0]
    heir = np.full(n_packs, NOBODY, np.int32)
    # the living werewolf beta with the highest base strength; lowest row on a tie
    for i in rows_standing(b, MEMBER):
        q = b.pack[i]
        if not orphaned[q] or b.kind[i] != WEREWOLF:
            continue
        if heir[q] == NOBODY or b.strength[i] > b.strength[heir[q]]:
            heir[q] = i
    succession = np.empty((n_packs, 2), np.int32)
    gone = np.zeros(n_packs, np.bool_)
    n_s = 0
    for q in np.flatnonzero(orphaned):
        h = heir[q]
        if h != NOBODY:
            change_standing(b, h, ALPHA, q)
            packs.alpha[q] = h
            succession[n_s, 0] = q
            succession[n_s, 1] = h
            n_s += 1
        else:
            packs.alpha[q] = NOBODY
            packs.knowledge[q] = 0.0
            gone[q] = True
    dissolved = np.flatnonzero(gone).astype(np.int32)
    if dissolved.shape[0]:
        # human members and allies become unaffiliated, werewolf allies omegas (the heirs,
        # members before, are alphas now)
        start, rows = by_standing(b, (1 << MEMBER) | (1 << ALLY))
        for i in rows[start[MEMBER] : start[ALLY + 1]]:
            if gone[b.pack[i]] and (b.standing[i] == MEMBER or b.standing[i] == ALLY):
                leave_pack(b, i, UNAFFILIATED)
                b.wounded_as_ally[i] = False
    return succession[:n_s], dissolved


# ----------------------------------------------- 6. research and hunts


@njit(cache=True)
def research_and_hunts(b, packs, p, t, key, g, worlds):
    """6. Research, hunts, leads, deaths, in this order (R9).

    Returns per hunting pack (in pack order) the omega hunted (or NOBODY),
    whether it died and the hunter wounded on a failure (or NOBODY); then
    what `deaths` returns.
    """
    start, rows = by_standing(b, (1 << MEMBER) | (1 << ALLY) | (1 << OMEGA))
    members = rows[start[MEMBER] : start[MEMBER + 1]]
    allies = rows[start[ALLY] : start[ALLY + 1]]
    for i in members:  # a product, not a branch: who researched is a coin toss
        packs.knowledge[b.pack[i]] += b.research[i] * (b.task[i] == RESEARCH)
    for i in allies:
        if b.lead[i] == NOBODY:
            b.knowledge[i] += b.research[i]
    h = group_hostile(b, rows[start[OMEGA] : start[OMEGA + 1]], worlds)
    # the hostile omegas' own index: the nearest is searched among them, not among everyone
    most = h[2].max() if worlds else 0
    hg = index_rows(b, h[1], most, worlds, g.width, g.height)
    hunting = np.flatnonzero(
        (packs.alpha != NOBODY) & (packs.knowledge >= p.lead_threshold) & (h[2][packs.world] > 0)
    ).astype(np.int32)
    prey = np.full(hunting.shape[0], NOBODY, np.int32)
    killed = np.zeros(hunting.shape[0], np.bool_)
    hurt = np.full(hunting.shape[0], NOBODY, np.int32)
    if hunting.shape[0]:
        _hunt(b, packs, p, t, key, hg, h, members, hunting, prey, killed, hurt)
    _follow_leads(b, packs, p, hg, h, allies)
    return hunting, prey, killed, hurt, deaths(b, packs, t)


@njit(cache=True)
def _hunt(b, packs, p, t, key, g, h, members, hunting, prey, killed, hurt):
    # hunters: each pack's living werewolf alpha and betas, oldest first
    n_packs = packs.alpha.shape[0]
    betas = count_betas(b, members, n_packs)
    first = np.zeros(n_packs + 1, np.int64)
    first[1:] = np.cumsum(betas + 1)
    hunters = np.empty(first[-1], np.int32)
    filled = first[:-1].copy()
    for q in range(n_packs):
        if packs.alpha[q] != NOBODY:
            hunters[filled[q]] = packs.alpha[q]
            filled[q] += 1
    for i in members:
        if b.kind[i] == WEREWOLF:
            hunters[filled[b.pack[i]]] = i
            filled[b.pack[i]] += 1
    for k in range(hunting.shape[0]):
        q = hunting[k]
        alpha = packs.alpha[q]
        w = b.world[alpha]
        o = nearest_hostile(b.alive, b.x, b.y, h, g, w, b.x[alpha], b.y[alpha])
        if o == NOBODY:
            continue  # knowledge keeps growing while there is no one to hunt
        prey[k] = o
        team = hunters[first[q] : filled[q]]
        strength = 0.0
        for j in team:
            strength += power(b.strength, b.kind, b.standing, b.pack, b.health, j, betas, p)
        total = strength + power(b.strength, b.kind, b.standing, b.pack, b.health, o, betas, p)
        t.today[w, M_HUNTS] += 1
        if total > 0 and uniform(key, q, 0) < strength / total:
            killed[k] = True
            b.health[o] = 0
            b.alive[o] = False
            h[2][w] -= 1
            t.today[w, M_KILLS] += 1
            t.today[w, M_DEATHS] += 1
            t.today[w, M_DEATHS_OF + OMEGA] += 1
        else:
            j = team[pick(key, q, 1, team.shape[0])]
            hurt[k] = j
            b.health[j] = max(0, b.health[j] - p.wound)
        packs.knowledge[q] = 0.0


@njit(cache=True)
def _follow_leads(b, packs, p, g, h, allies):
    # a lead on a dead omega ends; an ally who knows enough takes one; one beside its target
    # confirms it. No ally's steps change another's, so the searches are done together first.
    seeking = np.zeros(allies.shape[0], np.bool_)
    for k in range(allies.shape[0]):
        i = allies[k]
        if not b.alive[i] or b.standing[i] != ALLY:
            continue
        if b.lead[i] != NOBODY and not b.alive[b.lead[i]]:
            b.lead[i] = NOBODY
        seeking[k] = b.lead[i] == NOBODY and b.knowledge[i] >= p.lead_threshold
    seekers = allies[seeking]
    found = nearest_hostiles(b.alive, b.x, b.y, b.world, h, g, seekers)
    for k in range(seekers.shape[0]):
        if found[k] != NOBODY:
            b.lead[seekers[k]] = found[k]
            b.knowledge[seekers[k]] = 0.0
    for i in allies:
        if not b.alive[i] or b.standing[i] != ALLY:
            continue
        o = b.lead[i]
        if o != NOBODY and torus_distance(b.x[i], b.y[i], b.x[o], b.y[o], g.width, g.height) <= 1:
            q = b.pack[i]
            packs.knowledge[q] = max(packs.knowledge[q], p.lead_threshold)
            b.lead[i] = NOBODY


# ---------------------------------------------------- 7. care and healing


def _heal(alive, health, kind, cared, heal_werewolf, heal_human):
    for i in prange(alive.shape[0]):
        if not alive[i] or health[i] >= MILLI:
            continue
        rate = heal_werewolf if kind[i] == WEREWOLF else heal_human
        if cared[i]:
            rate *= 2
        health[i] = min(MILLI, health[i] + rate)


heal_parallel = njit(cache=True, parallel=True)(_heal)
"""Healing of every being after `care`, in parallel (called from Python) for large runs."""


@njit(cache=True, inline="always")
def cared_for(standing, health, alpha, pride, key, i):
    """R10: an injured member of a pack whose alpha lives, or such a pack's injured ally who asks.

    Of being ``i``'s values (plain numbers, not its columns: see `powers`):
    its standing, health, its pack's alpha (NOBODY if none) and pride.
    """
    if (standing != MEMBER and standing != ALLY) or health >= MILLI or alpha == NOBODY:
        return False
    return standing == MEMBER or uniform(key, i, 0) >= pride


@njit(cache=True)
def care(b, packs, key):
    """7. Who is cared for today (`cared_for`): alphas, omegas and the unaffiliated are not."""
    start, rows = by_standing(b, (1 << MEMBER) | (1 << ALLY))
    cared = np.zeros(b.alive.shape[0], np.bool_)
    for i in rows[start[MEMBER] : start[ALLY + 1]]:
        alpha = packs.alpha[b.pack[i]]  # a member's or an ally's pack
        cared[i] = cared_for(b.standing[i], b.health[i], alpha, b.pride[i], key, i)
    return cared


@njit(cache=True)
def care_and_healing(b, packs, p, key):
    """7. Care (`cared_for`), then healing (R14): each heals at its kind's rate, doubled if cared for.

    Over the injured alone (`rows_below`). Returns who was cared for.
    """
    alive, health, kind, standing, pack, pride = (
        b.alive,
        b.health,
        b.kind,
        b.standing,
        b.pack,
        b.pride,
    )
    pack_alpha = packs.alpha
    cared = np.zeros(alive.shape[0], np.bool_)
    for i in rows_below(alive, health, MILLI):
        rate = p.heal_werewolf if kind[i] == WEREWOLF else p.heal_human
        alpha = pack_alpha[pack[i]] if pack[i] != NOBODY else NOBODY
        if cared_for(standing[i], health[i], alpha, pride[i], key, i):
            cared[i] = True
            rate *= 2
        health[i] = min(MILLI, health[i] + rate)
    return cared


# ------------------------------------------------------------- 8. bites

# outcome codes of a bite
NO_BITE, BITE_KILLED, BITE_WELCOMED, BITE_OMEGA = 0, 1, 2, 3


@njit(cache=True)
def bites(b, packs, p, t, key, g):
    """8. R1, R12: alphas, one after another, may bite a consenting unaffiliated human nearby.

    Returns the alphas (oldest first), whom each bit (or NOBODY) and how it went.
    """
    alphas = np.sort(packs.alpha[packs.alpha != NOBODY])
    m = alphas.shape[0]
    bitten = np.full(m, NOBODY, np.int32)
    outcome = np.zeros(m, np.int8)
    # the alphas who would bite today, and everyone near each (bites kill no alpha)
    biting = np.flatnonzero(b.alive[alphas] & (uniform_each(key, alphas, 0) < p.bite_rate))
    first, around = near_beings(b, g, alphas[biting], 1)
    for z in range(biting.shape[0]):
        k = biting[z]
        a = alphas[k]
        eligible = 0
        for j in around[first[z] : first[z + 1]]:  # unaffiliated humans, kept at the front
            # (alive now: an alpha before may have killed one)
            if b.alive[j] and b.kind[j] == HUMAN and b.standing[j] == UNAFFILIATED:
                around[first[z] + eligible] = j
                eligible += 1
        if eligible == 0 or uniform(key, a, 2) >= p.consent:
            continue
        chosen = around[first[z] + pick(key, a, 1, eligible)]
        bitten[k] = chosen
        if uniform(key, a, 3) < p.bite_lethality:
            outcome[k] = BITE_KILLED
            b.alive[chosen] = False
            b.health[chosen] = 0
            w = b.world[chosen]
            t.today[w, M_DEATHS] += 1
            t.today[w, M_DEATHS_OF + UNAFFILIATED] += 1
            continue
        b.kind[chosen] = WEREWOLF
        b.strength[chosen] = p.bitten_strength
        b.theta_patrol[chosen] = initial_theta_patrol(p.bitten_strength)
        if uniform(key, a, 4) < p.submit_after_bite:
            outcome[k] = BITE_WELCOMED
            change_standing(b, chosen, MEMBER, b.pack[a])
        else:
            outcome[k] = BITE_OMEGA
            change_standing(b, chosen, OMEGA, NOBODY)
    return alphas, bitten, outcome


# ----------------------------------------------------------- 9. joining


@njit(cache=True)
def joining(b, packs, p, key, g):
    """9. R4, R13: omegas near an alpha submit to the nearest; allies may come back.

    Returns the non-hostile omegas, the alpha each submitted to (or NOBODY)
    and whether insincerely (refused); then the allies and who came back.
    """
    start, rows = by_standing(b, (1 << OMEGA) | (1 << ALLY))
    omegas = rows[start[OMEGA] : start[OMEGA + 1]]
    omegas = omegas[~b.hostile[omegas]]
    allies = rows[start[ALLY] : start[ALLY + 1]].copy()
    m = omegas.shape[0]
    submitted = np.full(m, NOBODY, np.int32)
    insincere = np.zeros(m, np.bool_)
    # decide first, change after: the standings read are the phase's start
    trying = np.flatnonzero(uniform_each(key, omegas, 0) < p.join_rate)
    first, around = near_beings(b, g, omegas[trying], 1)
    for z in range(trying.shape[0]):
        k = trying[z]
        o = omegas[k]
        best = NOBODY
        best_d = 2
        for j in around[first[z] : first[z + 1]]:
            if b.standing[j] != ALPHA:
                continue
            d = torus_distance(b.x[o], b.y[o], b.x[j], b.y[j], g.width, g.height)
            if d < best_d or (d == best_d and j < best):
                best, best_d = j, d
        if best != NOBODY:
            submitted[k] = best
            insincere[k] = uniform(key, o, 1) < p.insincerity
    for k in range(m):
        if submitted[k] != NOBODY and not insincere[k]:
            change_standing(b, omegas[k], MEMBER, b.pack[submitted[k]])
    back = np.zeros(allies.shape[0], np.bool_)
    for k in range(allies.shape[0]):
        i = allies[k]
        rate = p.wounded_return_rate if b.wounded_as_ally[i] else p.return_rate
        if uniform(key, i, 0) < rate:
            back[k] = True
            change_standing(b, i, MEMBER, b.pack[i])
            b.wounded_as_ally[i] = False
    return omegas, submitted, insincere, allies, back


# ----------------------------------------------------------- 10. leaving


@njit(cache=True)
def leaving(b, p, key):
    """10. R6: each member may leave; a werewolf becomes an omega, a human unaffiliated."""
    members = rows_standing(b, MEMBER)
    left = np.zeros(members.shape[0], np.bool_)
    for k in range(members.shape[0]):
        i = members[k]
        if uniform(key, i, 0) < p.leave_rate:
            left[k] = True
            leave_pack(b, i, UNAFFILIATED)
    return members, left


# ---------------------------------------------------------- 11. arrivals


@njit(cache=True)
def arriving(p, key, worlds):
    """11. The worlds where a hostile omega appears today, and its uniform cell in each."""
    chosen = np.zeros(worlds, np.bool_)
    for w in range(worlds):
        chosen[w] = uniform(key, w, 0) < p.omega_arrival_rate
    where = np.flatnonzero(chosen).astype(np.int32)
    x = np.empty(where.shape[0], np.int16)
    y = np.empty(where.shape[0], np.int16)
    for k in range(where.shape[0]):
        x[k] = pick(key, where[k], 1, p.width)
        y[k] = pick(key, where[k], 2, p.height)
    return where, x, y


# --------------------------------------------------------------- the day


@njit(cache=True)
def day(b, packs, p, t, spare, seed, number, worlds):
    """Day ``number``: phases 1 to 10 in order, then who arrives (`arriving`).

    Arrivals are appended by the caller (the columns may have to grow),
    which then closes the day (`close_day`); a day with no arrival is closed
    here. Returns the arrivals.
    """
    t.today[:] = 0.0
    members = rows_standing(b, MEMBER)  # tasks change no standing: orders start from the same
    assign_tasks(b, packs, p, stream(seed, number, TASKS), members)
    give_orders(b, packs, p, stream(seed, number, ORDERS), members)
    g = movement(b, packs, p, stream(seed, number, MOVEMENT), spare, worlds)
    attacks(b, packs, p, t, stream(seed, number, ATTACKS), g)
    deaths(b, packs, t)
    research_and_hunts(b, packs, p, t, stream(seed, number, HUNTS), g, worlds)
    care_and_healing(b, packs, p, stream(seed, number, CARE))
    bites(b, packs, p, t, stream(seed, number, BITES), g)
    joining(b, packs, p, stream(seed, number, JOINING), g)
    leaving(b, p, stream(seed, number, LEAVING))
    arrived = arriving(p, stream(seed, number, ARRIVALS), worlds)
    if arrived[0].shape[0] == 0:
        close_day(b, packs, t, number)
    return arrived


@njit(cache=True)
def days(b, packs, p, t, spare, seed, first, count, worlds):
    """Days ``first``, ``first + 1``, ... (at most ``count``), until one has arrivals.

    Returns how many days ran and the last one's arrivals (see `day`): a
    small world runs for weeks in one call.
    """
    for ran in range(1, count + 1):
        arrived = day(b, packs, p, t, spare, seed, first + ran - 1, worlds)
        if arrived[0].shape[0]:
            return ran, arrived
    return count, arrived


# ------------------------------------------------------- end of the day


@njit(cache=True)
def close_day(b, packs, t, number):
    """The day's counts (`count_day`), its summary over worlds, and the run's totals."""
    count_day(b, packs, t)
    t.daily[number] = summarise_figures(np.ascontiguousarray(t.today.T))
    for w in range(t.today.shape[0]):
        for j in range(EVENT_METRICS.shape[0]):
            t.totals[w, j] += t.today[w, EVENT_METRICS[j]]
        for m in range(M_BEINGS, M_BEINGS + 2 * (UNAFFILIATED + 1)):
            t.being_days[0] += t.today[w, m]


@njit(cache=True)
def count_day(b, packs, t):
    """Counts by standing and kind, tasks, established packs, mean pack size; named beings' days."""
    n_packs = packs.alpha.shape[0]
    today = t.today
    worlds = today.shape[0]
    size = np.zeros(n_packs, np.int64)
    betas = np.zeros(n_packs, np.int64)
    # whole counts, in two halves (even and odd rows): neighbouring rows, often alike, then
    # add to different places and need not wait for each other
    span = M_TASKS_PATROL + 1 - M_BEINGS
    counts = np.zeros((2, worlds, span), np.int64)
    alive, world, standing, kind, hostile = b.alive, b.world, b.standing, b.kind, b.hostile
    for i in range(alive.shape[0]):
        if not alive[i]:
            continue
        w = world[i]
        s = standing[i]
        half = i & 1
        counts[half, w, 2 * s + kind[i]] += 1
        if s == OMEGA and hostile[i]:
            counts[half, w, M_BEINGS_OMEGA_HOSTILE - M_BEINGS] += 1
        elif s == MEMBER:
            size[b.pack[i]] += 1
            betas[b.pack[i]] += kind[i] == WEREWOLF
            # added, not branched on: a member's task is a coin toss to the processor
            counts[half, w, M_TASKS_RESEARCH - M_BEINGS] += b.task[i] == RESEARCH
            counts[half, w, M_TASKS_PATROL - M_BEINGS] += b.task[i] == PATROL
    for w in range(worlds):
        for j in range(span):
            today[w, M_BEINGS + j] += counts[0, w, j] + counts[1, w, j]
    packs_alive = np.zeros(worlds, np.int64)
    for q in range(n_packs):
        if packs.alpha[q] == NOBODY:
            continue
        w = packs.world[q]
        packs_alive[w] += 1
        today[w, M_PACK_SIZE_MEAN] += 1 + size[q]
        if betas[q] > 0:
            today[w, M_PACKS_ESTABLISHED] += 1
    for w in range(worlds):
        if packs_alive[w] > 0:
            today[w, M_PACK_SIZE_MEAN] /= packs_alive[w]
    n0 = t.named_slot.shape[0]
    for w in range(worlds):
        for slot in range(t.named_rows.shape[0]):
            i = w * n0 + t.named_rows[slot]
            if b.alive[i]:
                t.named_days[w, slot, b.standing[i]] += 1
