"""Running a sweep's points on Dask distributed, the store as its ledger.

- Without a scheduler address the points run on a `distributed.LocalCluster`
  sized to the machine (one single-threaded worker process per core); with
  one (``--scheduler`` or ``$PACKLAW_SCHEDULER``) on that cluster. A
  scheduler that does not answer within 10 s is one sentence, before any
  point runs.
- Points go out in batches (`packlaw.sweep.work.run_points`) sized from the
  time points take, so that each task is about a second of work or more:
  the first tasks hold one point each, and once a few have come back the
  batch grows to ``ceil(1 s / seconds a point)``, never so large that the
  cores would idle at the end.
- At most a window of tasks (twice the cluster's threads) is in flight
  (`distributed.as_completed`); new tasks are submitted as old ones finish,
  so a sweep of 100,000 points holds a few dozen futures, not 100,000.
- The client writes each finished point as it arrives, in its own
  transaction (`packlaw.store.sweeps.SweepLedger.finish`). A point that
  fails is tried once more, then left ``failed`` with its traceback. A lost
  worker's tasks are rescheduled by Dask; a point that comes back twice is
  stored once.
"""

from __future__ import annotations

import logging
import math
import os
import statistics
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from packlaw.store.sweeps import NewPoint, PointInfo, SweepInfo, SweepLedger
from packlaw.sweep.design import design, point_id, point_seed, sweep_key
from packlaw.sweep.experiment import Experiment
from packlaw.sweep.work import daily_rows, run_points

SCHEDULER_ENV = "PACKLAW_SCHEDULER"
CONNECT_TIMEOUT_S = 10
TASK_SECONDS = 1.0
"""Aim for tasks of at least this much work: Dask costs about a millisecond a task."""
TRIES = 2  # a failing point is tried once more, then left failed


class SchedulerUnreachable(Exception):
    """The Dask scheduler named by address did not answer in time."""


@dataclass
class Tally:
    """What a sweep run did: points run, stored, failed; and the work done."""

    total: int
    reused: int = 0
    done: int = 0
    failed: int = 0
    being_days: float = 0.0
    worker_seconds: float = 0.0
    tasks: int = 0
    failures: list[str] = field(default_factory=list)


def planned_points(experiment: Experiment) -> tuple[str, list[NewPoint]]:
    """The sweep's key and the design's distinct points, each with its id and seed."""
    key = sweep_key(experiment)
    points: dict[str, NewPoint] = {}
    for row in design(experiment.factors, experiment.sample, experiment.seed):
        pid = point_id(key, row)
        points.setdefault(pid, NewPoint(pid, row, point_seed(experiment.seed, row)))
    return key, list(points.values())


def record_experiment(
    ledger: SweepLedger, experiment: Experiment, key: str, points: list[NewPoint]
) -> int:
    """Open the experiment's sweep in the ledger (made if new) and add its new points."""
    sweep_id = ledger.open(
        key,
        experiment.scenario.name,
        experiment.scenario_text,
        worlds=experiment.worlds,
        days=experiment.days,
        seed=experiment.seed,
        experiment=experiment.document(),
    )
    ledger.add_points(sweep_id, points)
    return sweep_id


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Dask client: on the scheduler at ``scheduler`` (or ``$PACKLAW_SCHEDULER``), else local.

    The local cluster has ``workers`` single-threaded worker processes
    (default: one per core the machine gives this process).
    """
    from dask.system import CPU_COUNT
    from distributed import Client, LocalCluster

    # Dask's own notices (a slow event loop on a busy machine, say) are not the user's business.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    address = scheduler_address(scheduler)
    if address is not None:
        try:
            client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise SchedulerUnreachable(
                f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT_S} s: {reason}"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=workers or CPU_COUNT,
        threads_per_worker=1,
        processes=True,
        # The scheduler's HTTP endpoints on loopback, on a free port: never 8787 taken from
        # another cluster (and a warning), never every interface.
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    )
    client = Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def scheduler_address(scheduler: str | None) -> str | None:
    """The scheduler to connect to (``scheduler``, else ``$PACKLAW_SCHEDULER``), or None: local.

    What is not a scheduler's address is refused (`SchedulerUnreachable`)
    before anything connects: a client that fails to start on one reports
    it again, as noise, when it is collected.
    """
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address is not None:
        _check_address(address)
    return address


def _check_address(address: str) -> None:
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        _, port = parse_host_port(parse_address(address)[1])
    except ValueError as error:
        port, reason = 0, str(error)
    else:
        reason = f"port {port} is not 1 to 65535"
    if not 1 <= port <= 65535:
        raise SchedulerUnreachable(
            f"{address!r} is not a Dask scheduler's address ({reason}); give tcp://HOST:PORT"
        )


def cluster_threads(client: Any) -> int:
    """How many tasks the cluster runs at once."""
    return max(1, sum(client.nthreads().values()))


def run_sweep(
    client: Any,
    ledger: SweepLedger,
    sweep: SweepInfo,
    scenario: dict[str, Any],
    paths: list[tuple[str, str]],
    names: list[str],
    todo: list[PointInfo],
    worlds: int,
    days: int,
    tally: Tally,
    on_point: Callable[[Tally], None] = lambda tally: None,
    daily: bool = True,
) -> Tally:
    """Run ``todo`` on the cluster, storing each point as it comes back.

    ``daily=False`` stores each point's run without its daily table.
    """
    from distributed import as_completed

    sweep_id = sweep.id
    queue: deque[PointInfo] = deque(todo)
    tries: dict[str, int] = {}
    in_flight: dict[Any, list[PointInfo]] = {}
    per_point: deque[float] = deque(maxlen=50)  # recent seconds a point
    threads = cluster_threads(client)
    window = max(4, 2 * threads)
    finished = as_completed(loop=client.loop)

    def batch_size() -> int:
        if len(per_point) < min(threads, 3):
            return 1
        size = math.ceil(TASK_SECONDS / max(statistics.median(per_point), 1e-6))
        # Never so large that some threads would have nothing left to do.
        return max(1, min(size, math.ceil(len(queue) / threads)))

    def submit() -> None:
        while queue and len(in_flight) < window:
            batch = [queue.popleft() for _ in range(min(batch_size(), len(queue)))]
            ledger.mark_running(sweep_id, [p.point_id for p in batch])
            future = client.submit(
                run_points,
                scenario,
                paths,
                [(p.point_id, [p.values[n] for n in names], p.seed) for p in batch],
                worlds,
                days,
                daily,
                pure=False,
            )
            in_flight[future] = batch
            finished.add(future)
            tally.tasks += 1

    by_id: dict[str, PointInfo] = {p.point_id: p for p in todo}
    try:
        submit()
        for future in finished:
            batch = in_flight.pop(future)
            try:
                results = future.result()
            except Exception:  # the whole task was lost (a worker died too often, say)
                error = traceback.format_exc()
                results = [_lost(p.point_id, error) for p in batch]
            for result in results:
                tally.worker_seconds += result.seconds
                if result.error is None:
                    per_point.append(result.seconds)
                    run_id = ledger.finish(
                        sweep,
                        by_id[result.point_id],
                        result.summary or {},
                        daily_rows(result.daily) if result.daily is not None else [],
                        result.outputs or {},
                    )
                    if run_id is not None:
                        tally.done += 1
                        tally.being_days += result.being_days
                else:
                    ledger.fail(sweep_id, result.point_id, result.error)
                    tries[result.point_id] = tries.get(result.point_id, 0) + 1
                    if tries[result.point_id] < TRIES:
                        queue.append(by_id[result.point_id])
                    else:
                        tally.failed += 1
                        tally.failures.append(result.point_id)
                on_point(tally)
            submit()
    except BaseException:
        # Stopping (Ctrl-C, a store error): what was in flight goes back to pending, the
        # batch in hand too (the stop may land between taking it and storing it); only
        # running points move. The ledger first: cancelling talks to a scheduler that a
        # stop may have caught mid-call, and must not keep the points running. Best
        # effort: the error that stopped the sweep is the one to report, and a point
        # left running is run again by --resume all the same.
        with suppress(Exception):
            ledger.release(sweep_id, [p.point_id for p in todo])
        with suppress(Exception):
            client.cancel(list(in_flight))
        raise
    return tally


def _lost(point_id: str, error: str) -> Any:
    from packlaw.sweep.work import PointResult

    return PointResult(point_id, error, None, None, None, 0.0, 0.0)
