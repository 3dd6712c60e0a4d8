"""The store: chronicles and simulation runs, kept durably in a real database.

SQLite is the embedded default (``sqlite:///packlaw.db``); PostgreSQL for
teams and servers, by URL. One schema (`packlaw.store.schema`) and one set
of promises for both, checked by one contract test suite:

- an append is checked against the rulebook on top of what is stored, and an
  illegal batch is refused whole with `RefusedEvent` (the engine's
  `RuleViolation`, with the event's place in the batch);
- a batch is one transaction: all of it lands, or none;
- an append that returned survives the writer being killed;
- two writers never leave a gap or a duplicate: the one who comes second
  gets `ConcurrencyError` and may read the tail again and retry.

>>> from packlaw.store import Store, resolve_url
>>> store = Store(resolve_url("sqlite://"))
>>> run_id = store.start_run("beacon-hills", "worlds = 10", seed=1, worlds=10, days=365)
>>> store.finish_run(run_id, {"totals": {}}, [(1, "attacks", 2.0, 0.5, 1.0, 2.0, 3.0)])
>>> store.run(run_id).status
'done'
"""

from packlaw.store.engine import DEFAULT_URL, ENV_VAR, resolve_url
from packlaw.store.errors import (
    ChronicleExists,
    ConcurrencyError,
    ExpectationFailed,
    ForeignDatabase,
    MisplacedStatement,
    NoDatabase,
    RefusedEvent,
    StoreError,
    UnknownChronicle,
    UnknownRun,
    UnwritableStatement,
)
from packlaw.store.store import (
    ChronicleInfo,
    DailyMetric,
    RunInfo,
    Store,
    StoredStatement,
)

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "ChronicleExists",
    "ChronicleInfo",
    "ConcurrencyError",
    "DailyMetric",
    "ExpectationFailed",
    "ForeignDatabase",
    "MisplacedStatement",
    "NoDatabase",
    "RefusedEvent",
    "RunInfo",
    "Store",
    "StoreError",
    "StoredStatement",
    "UnknownChronicle",
    "UnknownRun",
    "UnwritableStatement",
    "resolve_url",
]
