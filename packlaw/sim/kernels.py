"""Numba kernels behind the phases (`phases.py` says what each phase means).

Kernels never draw random numbers: the phase draws them with the run's
``numpy.random.Generator`` and passes them in, one row of draws per actor, so
a run is reproducible and the per-being kernels can run in parallel
(``prange``) without changing a single number. Kernels that act one after
another (attacks, hunts, bites) are serial; they touch few beings.

Kernels return what happened (who attacked whom, who died, ...) in small
arrays, for the day's metrics and for the chronicle of a traced world.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from packlaw.sim.grid import axis_buckets, torus_distance
from packlaw.sim.jit import per_being
from packlaw.sim.metrics import (
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
)

# ------------------------------------------------------------------ lists


@njit(cache=True)
def rows_standing(alive, standing, value):
    """Rows of the living beings with that standing, oldest first."""
    count = 0
    for i in range(alive.shape[0]):
        count += alive[i] & (standing[i] == value)  # no branch: the loop vectorises
    rows = np.empty(count, np.int32)
    k = 0
    for i in range(alive.shape[0]):
        rows[k] = i
        k += alive[i] & (standing[i] == value)
        if k == count:
            break
    return rows


@njit(cache=True)
def count_betas(b, n_packs):
    """Living werewolf betas (werewolf members) of each pack."""
    betas = np.zeros(n_packs, np.int32)
    for i in range(b.alive.shape[0]):
        if b.alive[i] and b.standing[i] == MEMBER and b.kind[i] == WEREWOLF:
            betas[b.pack[i]] += 1
    return betas


@njit(cache=True, inline="always")
def effective_strength(b, i, betas, bonus, half):
    """R8: a werewolf alpha or member gains from its pack's other werewolf betas."""
    s = np.float64(b.strength[i])
    if b.kind[i] == WEREWOLF and (b.standing[i] == ALPHA or b.standing[i] == MEMBER):
        n = betas[b.pack[i]]
        if b.standing[i] == MEMBER:
            n -= 1  # the being itself is not counted
        s *= 1.0 + bonus * n / (n + half)
    return s


@njit(cache=True, inline="always")
def power(b, i, betas, bonus, half):
    """Effective strength times health."""
    return effective_strength(b, i, betas, bonus, half) * b.health[i] / MILLI


@njit(cache=True)
def hostile_by_world(b, worlds):
    """Living hostile omegas grouped by world (CSR: ``start``, ``rows``, oldest first)."""
    start = np.zeros(worlds + 2, np.int64)
    for i in range(b.alive.shape[0]):
        if b.alive[i] and b.standing[i] == OMEGA and b.hostile[i]:
            start[b.world[i] + 2] += 1
    for k in range(2, start.shape[0]):
        start[k] += start[k - 1]
    rows = np.empty(start[-1], np.int32)
    for i in range(b.alive.shape[0]):
        if b.alive[i] and b.standing[i] == OMEGA and b.hostile[i]:
            rows[start[b.world[i] + 1]] = i
            start[b.world[i] + 1] += 1
    return start, rows


@njit(cache=True)
def nearest_hostile(
    b, h_start, h_rows, h_alive, grid_start, grid_rows, side, nbx, nby, w, x, y, width, height
):
    """The living hostile omega of world ``w`` nearest to ``(x, y)``; ties: lowest row.

    With few hostile omegas alive in the world (``h_alive[w]``) it looks at
    each (``h_start``, ``h_rows``: `hostile_by_world`); with many, it searches rings of buckets
    outwards from ``(x, y)`` and stops once no unsearched bucket can hold
    anyone nearer than the best found. Either way: O(min(omegas, buckets/omegas)).
    """
    best = NOBODY
    best_d = 1 << 40
    nb = nbx * nby
    hostile = h_alive[w]
    if hostile == 0:
        return NOBODY
    if hostile * hostile <= nb:
        for q in range(h_start[w], h_start[w + 1]):
            j = h_rows[q]
            if not b.alive[j]:
                continue
            d = torus_distance(x, y, b.x[j], b.y[j], width, height)
            if d < best_d or (d == best_d and j < best):
                best, best_d = j, d
        return best
    base = w * nb
    bx, by = x // side, y // side
    # the last bucket of an axis may be narrower: loosen the bound by the difference
    slack = side - min(width - (nbx - 1) * side, height - (nby - 1) * side)
    for ring in range(max(nbx, nby) // 2 + 1):
        for dy in range(-ring, ring + 1):
            edge_y = dy == -ring or dy == ring
            for dx in range(-ring, ring + 1):
                if not edge_y and dx != -ring and dx != ring:
                    continue  # inside the ring: searched already
                key = base + ((by + dy) % nby) * nbx + (bx + dx) % nbx
                for q in range(grid_start[key], grid_start[key + 1]):
                    j = grid_rows[q]
                    if not b.alive[j] or b.standing[j] != OMEGA or not b.hostile[j]:
                        continue
                    d = torus_distance(x, y, b.x[j], b.y[j], width, height)
                    if d < best_d or (d == best_d and j < best):
                        best, best_d = j, d
        # anyone in a bucket of the next ring is at least ring * side + 1 - slack away
        if best != NOBODY and best_d <= ring * side - slack:
            break
    return best


# ------------------------------------------------------------- 1. tasks


@njit(cache=True)
def count_tasks(b, members, n_packs):
    """Per pack: members, and how many did research / patrol (yesterday's task)."""
    n = np.zeros(n_packs, np.int64)
    n_r = np.zeros(n_packs, np.int64)
    n_p = np.zeros(n_packs, np.int64)
    for k in range(members.shape[0]):
        i = members[k]
        p = b.pack[i]
        n[p] += 1
        if b.task[i] == RESEARCH:
            n_r[p] += 1
        elif b.task[i] == PATROL:
            n_p[p] += 1
    return n, n_r, n_p


@njit(cache=True, inline="always")
def _response(s, theta):
    s2 = s * s
    denominator = s2 + theta * theta
    return s2 / denominator if denominator > 0 else 0.0


def assign_tasks(b, members, s_research, s_patrol, u, xi, phi, theta_min, theta_max):
    """Each member takes research, else patrol, else nothing; thresholds learn."""
    _assign_tasks(
        len(members), b.pack, b.task, b.theta_research, b.theta_patrol,
        members, s_research, s_patrol, u, xi, phi, theta_min, theta_max,
    )  # fmt: skip


# Parallel kernels take columns, not the `Beings` tuple: Numba's prange can
# lose writes made through arrays unpacked from a tuple argument.
@per_being
def _assign_tasks(
    pack, task, theta_research, theta_patrol,
    members, s_research, s_patrol, u, xi, phi, theta_min, theta_max,
):  # fmt: skip
    for k in prange(members.shape[0]):
        i = members[k]
        p = pack[i]
        tr = np.float64(theta_research[i])
        tp = np.float64(theta_patrol[i])
        if u[k, 0] < _response(s_research[p], tr):
            task[i] = RESEARCH
            tr -= xi
            tp += phi
        elif u[k, 1] < _response(s_patrol[p], tp):
            task[i] = PATROL
            tp -= xi
            tr += phi
        else:
            task[i] = NO_TASK
            tr += phi
            tp += phi
        theta_research[i] = min(max(tr, theta_min), theta_max)
        theta_patrol[i] = min(max(tp, theta_min), theta_max)


# ------------------------------------------------------------ 2. orders

# outcome codes of an order, for the chronicle
NO_ORDER, OBEYED, DEFIED, OBEYED_ILL, DEFIED_ILL = 0, 1, 2, 3, 4


@njit(cache=True, inline="always")
def leave_standing(b, i):
    """Every change of standing resets defiance and clears the task (and an ally's lead)."""
    b.defiance[i] = 0
    b.task[i] = NO_TASK
    b.lead[i] = NOBODY
    b.knowledge[i] = 0.0


def give_orders(b, members, pack_alpha, u, order_rate, resist_ill, defiance_limit, outcome):
    """Orders, obedience and defiance (R3, R5, R7); ``outcome[k]`` says what happened.

    At the defiance limit the member is out (R7): a werewolf becomes a
    non-hostile omega, a human an ally of the same pack.
    """
    _give_orders(
        len(members), b.pack, b.ill_rate, b.autonomy, b.defiance, b.kind,
        b.task, b.lead, b.knowledge, b.standing, b.hostile,
        members, pack_alpha, u, order_rate, resist_ill, defiance_limit, outcome,
    )  # fmt: skip


@per_being
def _give_orders(
    pack, ill_rate, autonomy, defiance, kind, task, lead, knowledge, standing, hostile,
    members, pack_alpha, u, order_rate, resist_ill, defiance_limit, outcome,
):  # fmt: skip
    for k in prange(members.shape[0]):
        i = members[k]
        if u[k, 0] >= order_rate:
            outcome[k] = NO_ORDER
            continue
        alpha = pack_alpha[pack[i]]
        ill = u[k, 1] < ill_rate[alpha]
        if ill:
            outcome[k] = DEFIED_ILL if u[k, 2] < resist_ill else OBEYED_ILL
            continue
        if u[k, 2] < autonomy[i]:
            outcome[k] = DEFIED
            defiance[i] += 1
            if defiance[i] >= defiance_limit:
                defiance[i] = 0
                task[i] = NO_TASK
                lead[i] = NOBODY
                knowledge[i] = 0.0
                if kind[i] == WEREWOLF:
                    standing[i] = OMEGA
                    hostile[i] = False
                    pack[i] = NOBODY
                else:
                    standing[i] = ALLY
        else:
            outcome[k] = OBEYED
            defiance[i] = max(0, defiance[i] - 1)


# ---------------------------------------------------------- 3. movement


@njit(cache=True, inline="always")
def step_toward(a, target, size):
    """One cell along the shorter way round; + on a tie; none if aligned."""
    d = (np.int64(target) - np.int64(a)) % size
    if d == 0:
        return a
    if d <= size - d:
        return (a + 1) % size
    return (a - 1 + size) % size


def move(b, pack_alpha, steps, cohesion, width, height, new_x, new_y):
    """Members close on their alpha, allies with a lead walk to it, the rest wander."""
    _move(
        len(b.alive), b.alive, b.standing, b.pack, b.lead, b.x, b.y,
        pack_alpha, steps, cohesion, width, height, new_x, new_y,
    )  # fmt: skip


@per_being
def _move(
    alive, standing, pack, lead, xs, ys,
    pack_alpha, steps, cohesion, width, height, new_x, new_y,
):  # fmt: skip
    for i in prange(alive.shape[0]):
        x, y = np.int64(xs[i]), np.int64(ys[i])
        new_x[i], new_y[i] = x, y
        if not alive[i]:
            continue
        target = NOBODY
        if standing[i] == MEMBER:
            alpha = pack_alpha[pack[i]]
            if torus_distance(x, y, xs[alpha], ys[alpha], width, height) > cohesion:
                target = alpha
        elif standing[i] == ALLY and lead[i] != NOBODY:
            target = lead[i]
        if target != NOBODY:
            new_x[i] = step_toward(x, xs[target], width)
            new_y[i] = step_toward(y, ys[target], height)
        else:
            s = np.int64(steps[i])
            new_x[i] = (x + s % 3 - 1 + width) % width
            new_y[i] = (y + s // 3 - 1 + height) % height


# ----------------------------------------------------------- 4. attacks


@njit(cache=True)
def attack(
    b,
    grid_start,
    grid_rows,
    side,
    nbx,
    nby,
    omegas,
    betas,
    u,
    bonus,
    half,
    protect_radius,
    patrol_radius,
    wound,
    repel_wound,
    width,
    height,
    today,
    named_slot,
    n_named_rows,
    n0,
    wounded,
    wounded_alone,
):
    """R10: each hostile omega attacks a uniform non-omega within distance 1.

    Everything is read at the phase's start; wounds are applied at the end,
    so several attacks on one target add up. Returns per omega its target
    (or NOBODY), whether it hit, and how many defended.
    """
    m = omegas.shape[0]
    target = np.full(m, NOBODY, np.int32)
    hit = np.zeros(m, np.bool_)
    defenders = np.zeros(m, np.int32)
    nb = nbx * nby
    reach = max(protect_radius, patrol_radius)
    for k in range(m):
        o = omegas[k]
        w = b.world[o]
        ox, oy = b.x[o], b.y[o]
        base = w * nb
        # candidates: living non-omegas within distance 1
        bx0, cx = axis_buckets(ox, 1, width, side, nbx)
        by0, cy = axis_buckets(oy, 1, height, side, nby)
        count = 0
        pick = -1
        for pass_ in range(2):
            if pass_ == 1:
                if count == 0:
                    break
                pick = int(u[k, 0] * count)
                count = 0
            for jy in range(cy):
                by = (by0 + jy) % nby
                for jx in range(cx):
                    key = base + by * nbx + (bx0 + jx) % nbx
                    for q in range(grid_start[key], grid_start[key + 1]):
                        j = grid_rows[q]
                        if not b.alive[j] or b.standing[j] == OMEGA:
                            continue
                        if torus_distance(ox, oy, b.x[j], b.y[j], width, height) > 1:
                            continue
                        if pass_ == 1 and count == pick:
                            target[k] = j
                        count += 1
        t = target[k]
        if t == NOBODY:
            continue
        # defenders: the target's pack's other living werewolf alpha/members nearby
        d_power = power(b, t, betas, bonus, half)
        n_def = 0
        if b.standing[t] == ALPHA or b.standing[t] == MEMBER:
            p = b.pack[t]
            tx, ty = b.x[t], b.y[t]
            bx0, cx = axis_buckets(tx, reach, width, side, nbx)
            by0, cy = axis_buckets(ty, reach, height, side, nby)
            for jy in range(cy):
                by = (by0 + jy) % nby
                for jx in range(cx):
                    key = base + by * nbx + (bx0 + jx) % nbx
                    for q in range(grid_start[key], grid_start[key + 1]):
                        j = grid_rows[q]
                        if j == t or not b.alive[j] or b.pack[j] != p:
                            continue
                        if b.kind[j] != WEREWOLF:
                            continue
                        if b.standing[j] != ALPHA and b.standing[j] != MEMBER:
                            continue
                        d = torus_distance(tx, ty, b.x[j], b.y[j], width, height)
                        radius = patrol_radius if b.task[j] == PATROL else protect_radius
                        if d <= radius:
                            n_def += 1
                            d_power += power(b, j, betas, bonus, half)
        defenders[k] = n_def
        a_power = power(b, o, betas, bonus, half)
        total = a_power + d_power
        chance = a_power / total if total > 0 else 0.0
        hit[k] = u[k, 1] < chance
        # metrics, by the target's standing at the phase's start
        standing = b.standing[t]
        today[w, M_ATTACKS] += 1
        today[w, M_ATTACKS_ON + standing] += 1
        if n_def == 0:
            today[w, M_ATTACKS_ALONE] += 1
        if hit[k]:
            today[w, M_HITS] += 1
            today[w, M_HITS_ON + standing] += 1
            if n_def == 0:
                today[w, M_HITS_ALONE] += 1
            if t < n_named_rows:
                slot = named_slot[t % n0]
                if slot >= 0:
                    wounded[w, slot] += 1
                    if n_def == 0:
                        wounded_alone[w, slot] += 1
    # wounds, after every decision was taken
    for k in range(m):
        t = target[k]
        if t == NOBODY:
            continue
        if hit[k]:
            if b.standing[t] == ALLY:
                b.wounded_as_ally[t] = True
            b.health[t] = max(0, b.health[t] - wound)
        else:
            o = omegas[k]
            b.health[o] = max(0, b.health[o] - repel_wound)
    return target, hit, defenders


# ------------------------------------------------------------ 5. deaths


@njit(cache=True)
def die(b, packs_alpha, packs_knowledge, today):
    """Every being at health 0 dies; dead alphas are succeeded or their packs dissolve.

    Returns the rows that died, then ``(pack, new alpha)`` for each
    succession and the packs dissolved.
    """
    count = 0
    for i in range(b.alive.shape[0]):
        if b.alive[i] and b.health[i] <= 0:
            count += 1
    dead = np.empty(count, np.int32)
    k = 0
    orphaned = 0
    for i in range(b.alive.shape[0]):
        if b.alive[i] and b.health[i] <= 0:
            dead[k] = i
            k += 1
            b.alive[i] = False
            w = b.world[i]
            today[w, M_DEATHS] += 1
            today[w, M_DEATHS_OF + b.standing[i]] += 1
            if b.standing[i] == ALPHA:
                orphaned += 1
    succession = np.empty((0, 2), np.int32)
    dissolved = np.empty(0, np.int32)
    if orphaned:
        succession, dissolved = _succeed(b, dead, packs_alpha, packs_knowledge, orphaned)
    # a dead member leaves its pack; a dead ally's alliance ends
    for k in range(dead.shape[0]):
        i = dead[k]
        b.task[i] = NO_TASK
        b.lead[i] = NOBODY
        b.pack[i] = NOBODY
    return dead, succession, dissolved


@njit(cache=True)
def _succeed(b, dead, packs_alpha, packs_knowledge, orphaned):
    n_packs = packs_alpha.shape[0]
    heir = np.full(n_packs, NOBODY, np.int32)
    needs = np.zeros(n_packs, np.bool_)
    for k in range(dead.shape[0]):
        i = dead[k]
        if b.standing[i] == ALPHA:
            needs[b.pack[i]] = True
    # the living werewolf beta with the highest base strength; lowest row on a tie
    for i in range(b.alive.shape[0]):
        if b.alive[i] and b.standing[i] == MEMBER and b.kind[i] == WEREWOLF:
            p = b.pack[i]
            if needs[p]:
                h = heir[p]
                if h == NOBODY or b.strength[i] > b.strength[h]:
                    heir[p] = i
    succession = np.empty((orphaned, 2), np.int32)
    dissolved = np.empty(orphaned, np.int32)
    n_s = 0
    n_d = 0
    for p in range(n_packs):
        if not needs[p]:
            continue
        h = heir[p]
        if h != NOBODY:
            leave_standing(b, h)
            b.standing[h] = ALPHA
            packs_alpha[p] = h
            succession[n_s, 0] = p
            succession[n_s, 1] = h
            n_s += 1
        else:
            packs_alpha[p] = NOBODY
            packs_knowledge[p] = 0.0
            dissolved[n_d] = p
            n_d += 1
    if n_d:
        # human members and allies become unaffiliated, werewolf allies omegas
        gone = np.zeros(n_packs, np.bool_)
        for k in range(n_d):
            gone[dissolved[k]] = True
        for i in range(b.alive.shape[0]):
            p = b.pack[i]
            if p == NOBODY or not gone[p] or not b.alive[i]:
                continue
            if b.standing[i] == MEMBER or b.standing[i] == ALLY:
                leave_standing(b, i)
                b.pack[i] = NOBODY
                b.wounded_as_ally[i] = False
                if b.kind[i] == WEREWOLF:
                    b.standing[i] = OMEGA
                    b.hostile[i] = False
                else:
                    b.standing[i] = UNAFFILIATED
    return succession[:n_s], dissolved[:n_d]


# ----------------------------------------------- 6. research and hunts


@njit(cache=True)
def research(b, members, allies, packs_knowledge):
    """Packs add their researchers' research; allies without a lead research alone."""
    for k in range(members.shape[0]):
        i = members[k]
        if b.task[i] == RESEARCH:
            packs_knowledge[b.pack[i]] += b.research[i]
    for k in range(allies.shape[0]):
        i = allies[k]
        if b.lead[i] == NOBODY:
            b.knowledge[i] += b.research[i]


@njit(cache=True)
def pack_roster(b, n_packs):
    """Living werewolf alphas and betas grouped by pack (CSR), the hunters."""
    start = np.zeros(n_packs + 2, np.int64)
    for i in range(b.alive.shape[0]):
        if (
            b.alive[i]
            and b.kind[i] == WEREWOLF
            and (b.standing[i] == ALPHA or b.standing[i] == MEMBER)
        ):
            start[b.pack[i] + 2] += 1
    for k in range(2, start.shape[0]):
        start[k] += start[k - 1]
    rows = np.empty(start[-1], np.int32)
    for i in range(b.alive.shape[0]):
        if (
            b.alive[i]
            and b.kind[i] == WEREWOLF
            and (b.standing[i] == ALPHA or b.standing[i] == MEMBER)
        ):
            rows[start[b.pack[i] + 1]] = i
            start[b.pack[i] + 1] += 1
    return start, rows


@njit(cache=True)
def hunt(
    b,
    hunting,
    packs_alpha,
    packs_knowledge,
    h_start,
    h_rows,
    h_alive,
    grid_start,
    grid_rows,
    side,
    nbx,
    nby,
    roster_start,
    roster_rows,
    betas,
    u,
    bonus,
    half,
    wound,
    width,
    height,
    today,
):
    """Packs whose knowledge reached the threshold hunt, in pack order.

    Returns per hunting pack the omega hunted (or NOBODY), whether it died,
    and the hunter wounded on a failure (or NOBODY).
    """
    m = hunting.shape[0]
    prey = np.full(m, NOBODY, np.int32)
    killed = np.zeros(m, np.bool_)
    hurt = np.full(m, NOBODY, np.int32)
    for k in range(m):
        p = hunting[k]
        alpha = packs_alpha[p]
        w = b.world[alpha]
        o = nearest_hostile(
            b,
            h_start,
            h_rows,
            h_alive,
            grid_start,
            grid_rows,
            side,
            nbx,
            nby,
            w,
            b.x[alpha],
            b.y[alpha],
            width,
            height,
        )
        if o == NOBODY:
            continue  # knowledge keeps growing while there is no one to hunt
        prey[k] = o
        strength = 0.0
        for q in range(roster_start[p], roster_start[p + 1]):
            strength += power(b, roster_rows[q], betas, bonus, half)
        o_power = power(b, o, betas, bonus, half)
        total = strength + o_power
        today[w, M_HUNTS] += 1
        if total > 0 and u[k, 0] < strength / total:
            killed[k] = True
            b.health[o] = 0
            b.alive[o] = False
            h_alive[w] -= 1
            today[w, M_KILLS] += 1
            today[w, M_DEATHS] += 1
            today[w, M_DEATHS_OF + OMEGA] += 1
        else:
            n = roster_start[p + 1] - roster_start[p]
            j = roster_rows[roster_start[p] + min(int(u[k, 1] * n), n - 1)]
            hurt[k] = j
            b.health[j] = max(0, b.health[j] - wound)
        packs_knowledge[p] = 0.0
    return prey, killed, hurt


@njit(cache=True)
def follow_leads(
    b,
    allies,
    packs_knowledge,
    h_start,
    h_rows,
    h_alive,
    grid_start,
    grid_rows,
    side,
    nbx,
    nby,
    lead_threshold,
    width,
    height,
):
    """Allies take leads on omegas, confirm them to their pack, or drop dead ones."""
    for k in range(allies.shape[0]):
        i = allies[k]
        if not b.alive[i] or b.standing[i] != ALLY:
            continue
        if b.lead[i] != NOBODY and not b.alive[b.lead[i]]:
            b.lead[i] = NOBODY
        if b.lead[i] == NOBODY and b.knowledge[i] >= lead_threshold:
            o = nearest_hostile(
                b,
                h_start,
                h_rows,
                h_alive,
                grid_start,
                grid_rows,
                side,
                nbx,
                nby,
                b.world[i],
                b.x[i],
                b.y[i],
                width,
                height,
            )
            if o != NOBODY:
                b.lead[i] = o
                b.knowledge[i] = 0.0
        o = b.lead[i]
        if o != NOBODY and torus_distance(b.x[i], b.y[i], b.x[o], b.y[o], width, height) <= 1:
            p = b.pack[i]
            packs_knowledge[p] = max(packs_knowledge[p], lead_threshold)
            b.lead[i] = NOBODY


# ---------------------------------------------------- 7. care and healing


def heal(b, cared, heal_werewolf, heal_human):
    """Everyone heals at its kind's rate, doubled when ``cared`` for today."""
    _heal(len(b.alive), b.alive, b.health, b.kind, cared, heal_werewolf, heal_human)


@per_being
def _heal(alive, health, kind, cared, heal_werewolf, heal_human):
    for i in prange(alive.shape[0]):
        if not alive[i] or health[i] >= MILLI:
            continue
        rate = heal_werewolf if kind[i] == WEREWOLF else heal_human
        if cared[i]:
            rate *= 2
        health[i] = min(MILLI, health[i] + rate)


@njit(cache=True)
def care(b, members, allies, packs_alpha, u, cared):
    """Phase 7's care: injured members of a pack whose alpha lives, and its injured allies who ask.

    An ally asks with probability ``1 - pride`` (``u[k]`` is ally ``k``'s
    draw). Alphas, omegas and the unaffiliated are never cared for.
    """
    for k in range(members.shape[0]):
        i = members[k]
        cared[i] = b.health[i] < MILLI and packs_alpha[b.pack[i]] != NOBODY
    for k in range(allies.shape[0]):
        i = allies[k]
        cared[i] = b.health[i] < MILLI and packs_alpha[b.pack[i]] != NOBODY and u[k] >= b.pride[i]


# ------------------------------------------------------------- 8. bites

# outcome codes of a bite
NO_BITE, BITE_KILLED, BITE_WELCOMED, BITE_OMEGA = 0, 1, 2, 3


@njit(cache=True)
def bite(
    b,
    alphas,
    grid_start,
    grid_rows,
    side,
    nbx,
    nby,
    u,
    bite_rate,
    consent,
    bite_lethality,
    bitten_strength,
    submit_after_bite,
    width,
    height,
    today,
):
    """R1, R12: alphas, one after another, may bite a consenting unaffiliated human nearby."""
    m = alphas.shape[0]
    bitten = np.full(m, NOBODY, np.int32)
    outcome = np.zeros(m, np.int8)
    nb = nbx * nby
    for k in range(m):
        a = alphas[k]
        if not b.alive[a] or u[k, 0] >= bite_rate:
            continue
        ax, ay = b.x[a], b.y[a]
        base = b.world[a] * nb
        bx0, cx = axis_buckets(ax, 1, width, side, nbx)
        by0, cy = axis_buckets(ay, 1, height, side, nby)
        count = 0
        pick = -1
        chosen = NOBODY
        for pass_ in range(2):
            if pass_ == 1:
                if count == 0:
                    break
                pick = int(u[k, 1] * count)
                count = 0
            for jy in range(cy):
                by = (by0 + jy) % nby
                for jx in range(cx):
                    key = base + by * nbx + (bx0 + jx) % nbx
                    for q in range(grid_start[key], grid_start[key + 1]):
                        j = grid_rows[q]
                        if not b.alive[j] or b.kind[j] != HUMAN or b.standing[j] != UNAFFILIATED:
                            continue
                        if torus_distance(ax, ay, b.x[j], b.y[j], width, height) > 1:
                            continue
                        if count == pick:
                            chosen = j
                        count += 1
        if chosen == NOBODY or u[k, 2] >= consent:
            continue
        bitten[k] = chosen
        if u[k, 3] < bite_lethality:
            outcome[k] = BITE_KILLED
            b.alive[chosen] = False
            b.health[chosen] = 0
            w = b.world[chosen]
            today[w, M_DEATHS] += 1
            today[w, M_DEATHS_OF + UNAFFILIATED] += 1
            continue
        b.kind[chosen] = WEREWOLF
        b.strength[chosen] = bitten_strength
        b.theta_patrol[chosen] = 10.0 * (1.5 - min(bitten_strength, 1.0))
        leave_standing(b, chosen)
        if u[k, 4] < submit_after_bite:
            outcome[k] = BITE_WELCOMED
            b.standing[chosen] = MEMBER
            b.pack[chosen] = b.pack[a]
        else:
            outcome[k] = BITE_OMEGA
            b.standing[chosen] = OMEGA
            b.hostile[chosen] = False
    return bitten, outcome


# ----------------------------------------------------------- 9. joining


@njit(cache=True)
def join(
    b,
    omegas,
    grid_start,
    grid_rows,
    side,
    nbx,
    nby,
    u,
    join_rate,
    insincerity,
    width,
    height,
):
    """R4, R13: non-hostile omegas near an alpha submit to the nearest; sincere ones are welcomed.

    Returns per omega the alpha it submitted to (or NOBODY) and whether the
    submission was insincere (and refused).
    """
    m = omegas.shape[0]
    submitted = np.full(m, NOBODY, np.int32)
    insincere = np.zeros(m, np.bool_)
    nb = nbx * nby
    # decide first, change after: the standings read are the phase's start
    for k in range(m):
        o = omegas[k]
        if u[k, 0] >= join_rate:
            continue
        ox, oy = b.x[o], b.y[o]
        base = b.world[o] * nb
        bx0, cx = axis_buckets(ox, 1, width, side, nbx)
        by0, cy = axis_buckets(oy, 1, height, side, nby)
        best = NOBODY
        best_d = 2
        for jy in range(cy):
            by = (by0 + jy) % nby
            for jx in range(cx):
                key = base + by * nbx + (bx0 + jx) % nbx
                for q in range(grid_start[key], grid_start[key + 1]):
                    j = grid_rows[q]
                    if not b.alive[j] or b.standing[j] != ALPHA:
                        continue
                    d = torus_distance(ox, oy, b.x[j], b.y[j], width, height)
                    if d < best_d or (d == best_d and j < best):
                        best, best_d = j, d
        if best == NOBODY:
            continue
        submitted[k] = best
        insincere[k] = u[k, 1] < insincerity
    for k in range(m):
        a = submitted[k]
        if a == NOBODY or insincere[k]:
            continue
        o = omegas[k]
        leave_standing(b, o)
        b.standing[o] = MEMBER
        b.pack[o] = b.pack[a]
    return submitted, insincere


@njit(cache=True)
def come_back(b, allies, u, return_rate, wounded_return_rate):
    """Allies submit back to their pack's alpha and are welcomed; returns who came back."""
    back = np.zeros(allies.shape[0], np.bool_)
    for k in range(allies.shape[0]):
        i = allies[k]
        rate = wounded_return_rate if b.wounded_as_ally[i] else return_rate
        if u[k] < rate:
            back[k] = True
            leave_standing(b, i)
            b.standing[i] = MEMBER
            b.wounded_as_ally[i] = False
    return back


# ----------------------------------------------------------- 10. leaving


def leave(b, members, u, leave_rate, left):
    """R6: a member may leave; a werewolf becomes an omega, a human unaffiliated."""
    _leave(
        len(members), b.pack, b.kind, b.standing, b.hostile, b.defiance, b.task, b.lead, b.knowledge,
        members, u, leave_rate, left,
    )  # fmt: skip


@per_being
def _leave(
    pack, kind, standing, hostile, defiance, task, lead, knowledge, members, u, leave_rate, left
):
    for k in prange(members.shape[0]):
        i = members[k]
        left[k] = u[k] < leave_rate
        if left[k]:
            defiance[i] = 0
            task[i] = NO_TASK
            lead[i] = NOBODY
            knowledge[i] = 0.0
            pack[i] = NOBODY
            if kind[i] == WEREWOLF:
                standing[i] = OMEGA
                hostile[i] = False
            else:
                standing[i] = UNAFFILIATED


# ------------------------------------------------------- end of the day


@njit(cache=True)
def count_day(b, packs_alpha, packs_world, betas, today):
    """Counts by standing and kind, tasks, established packs and mean pack size."""
    n_packs = packs_alpha.shape[0]
    size = np.zeros(n_packs, np.int64)
    for i in range(b.alive.shape[0]):
        if not b.alive[i]:
            continue
        w = b.world[i]
        s = b.standing[i]
        today[w, M_BEINGS + 2 * s + b.kind[i]] += 1
        if s == OMEGA and b.hostile[i]:
            today[w, M_BEINGS_OMEGA_HOSTILE] += 1
        elif s == MEMBER:
            size[b.pack[i]] += 1
            if b.task[i] == RESEARCH:
                today[w, M_TASKS_RESEARCH] += 1
            elif b.task[i] == PATROL:
                today[w, M_TASKS_PATROL] += 1
    worlds = today.shape[0]
    packs = np.zeros(worlds, np.int64)
    for p in range(n_packs):
        if packs_alpha[p] == NOBODY:
            continue
        w = packs_world[p]
        packs[w] += 1
        today[w, M_PACK_SIZE_MEAN] += 1 + size[p]
        if betas[p] > 0:
            today[w, M_PACKS_ESTABLISHED] += 1
    for w in range(worlds):
        if packs[w] > 0:
            today[w, M_PACK_SIZE_MEAN] /= packs[w]


@njit(cache=True)
def count_named_days(b, named_rows, n0, days):
    """Each named being alive at the end of the day adds a day to its standing."""
    worlds = days.shape[0]
    for w in range(worlds):
        for slot in range(named_rows.shape[0]):
            i = w * n0 + named_rows[slot]
            if b.alive[i]:
                days[w, slot, b.standing[i]] += 1
