"""What simulated tools say while they run: endless streams of (level, logger, message).

Each generator writes the way its tool does: a Singer tap via the Meltano SDK, dbt, a
PySpark notebook, a SQL runner, a reverse-ETL target. They never end: the caller takes as
many lines as the run's duration and rate allow.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

Message = tuple[str, str, str]


def header(kind: str, tool: str, items: tuple[str, ...], rng: random.Random) -> list[Message]:
    """The lines a tool prints as it starts."""
    if kind == "singer":
        version = f"0.{rng.randrange(3, 9)}.{rng.randrange(0, 12)}"
        return [
            ("INFO", "meltano", f"Running extract & load: {tool} -> target-nekt-catalog"),
            ("INFO", tool, f"{tool} v{version}, Meltano Singer SDK v0.41.0, Python 3.11.9"),
            ("INFO", tool, f"Selected streams: {', '.join(items)}"),
            ("INFO", "target-nekt-catalog", "Target sink batch size: 10000 records"),
        ]
    if kind == "dbt":
        return [
            ("INFO", "dbt", "Running with dbt=1.8.7"),
            ("INFO", "dbt", "Registered adapter: trino=1.8.2"),
            (
                "INFO",
                "dbt",
                f"Found {len(items) * 6} models, {len(items) * 14} data tests, 12 sources, "
                "803 macros",
            ),
            ("INFO", "dbt", "Concurrency: 4 threads (target='prod')"),
        ]
    if kind == "spark":
        return [
            ("INFO", "nekt.transform", "Starting Spark session (driver 4g, 8 executors x 2 cores)"),
            (
                "WARNING",
                "py.warnings",
                "FutureWarning: `DataFrame.to_pandas_on_spark` is deprecated",
            ),
            ("INFO", "nekt.transform", f"Notebook has 12 cells; inputs: {', '.join(items[:2])}"),
        ]
    if kind == "sql":
        return [
            (
                "INFO",
                "sql",
                f"Connected to the catalog (trino, schema features); {len(items)} statements",
            ),
        ]
    return [
        ("INFO", "meltano", f"Running reverse ETL: tap-nekt-catalog -> {tool}"),
        ("INFO", tool, f"Objects to sync: {', '.join(items)}; mode upsert, batch size 1000"),
    ]


def body(
    kind: str, tool: str, items: tuple[str, ...], rng: random.Random, context: dict[str, str]
) -> Iterator[Message]:
    """An endless stream of the lines a tool prints while it works.

    `context["item"]` is kept at the stream/model being worked on, so a failure can name it.
    """
    maker = {"singer": _singer, "dbt": _dbt, "spark": _spark, "sql": _sql}.get(kind, _reverse)
    return maker(tool, items, rng, context)


def _singer(
    tool: str, items: tuple[str, ...], rng: random.Random, ctx: dict[str, str]
) -> Iterator[Message]:
    rounds = 0
    pid = rng.randrange(300, 30000)
    while True:
        rounds += 1
        for stream in items:
            ctx["item"] = stream
            yield ("INFO", tool, f"Syncing stream {stream}")
            if rounds > 1:
                yield ("INFO", tool, f"Resuming {stream} from bookmark (round {rounds})")
            total = 0
            for page in range(rng.randrange(10, 120)):
                count = rng.choice((100, 100, 100, 250, 500))
                total += count
                yield (
                    "INFO",
                    tool,
                    'METRIC: {"type": "counter", "metric": "record_count", '
                    f'"value": {count}, "tags": {{"stream": "{stream}", "pid": {pid}, '
                    f'"page": {page + 1}}}}}',
                )
                roll = rng.random()
                if roll < 0.04:
                    wait = rng.choice((2, 4, 8))
                    yield ("WARNING", tool, f"HTTP 429 from API, backing off {wait}.0s (attempt 1)")
                elif roll < 0.07:
                    yield (
                        "WARNING",
                        tool,
                        f"Property '{stream.lower()}_custom_{rng.randrange(1, 40)}' has no type; "
                        "emitting as string",
                    )
                elif roll < 0.10:
                    yield (
                        "DEBUG",
                        tool,
                        f"GET /{stream.lower()}?limit={count}&after={total} -> 200",
                    )
                if total % 1000 < count:
                    table = stream.lower().replace("-", "_")
                    yield (
                        "INFO",
                        "target-nekt-catalog",
                        f"Loaded batch of {total} records into raw.{table}",
                    )
            timer = {
                "type": "timer",
                "metric": "sync_duration",
                "value": round(rng.uniform(2, 90), 2),
                "tags": {"stream": stream, "status": "succeeded"},
            }
            yield ("INFO", tool, f"METRIC: {json.dumps(timer)}")
            yield ("INFO", tool, f"Finished syncing stream {stream}: {total} records")


def _dbt(
    tool: str, items: tuple[str, ...], rng: random.Random, ctx: dict[str, str]
) -> Iterator[Message]:
    total = len(items)
    n = 0
    while True:
        for k, item in enumerate(items, start=1):
            ctx["item"] = item
            n += 1
            name = f"analytics.{item}"
            dots = "." * max(3, 40 - len(name))
            yield ("INFO", "dbt", f"{k} of {total} START sql table model {name} {dots} [RUN]")
            rows = rng.randrange(100, 2_000_000)
            yield (
                "INFO",
                "dbt",
                f"{k} of {total} OK created sql table model {name} {dots} "
                f"[SELECT {rows} in {rng.uniform(0.4, 40):.2f}s]",
            )
            for test in ("not_null", "unique", "relationships"):
                if rng.random() < 0.05:
                    yield ("WARNING", "dbt", f"{k} of {total} WARN 3 {test}_{item}_id [WARN 3]")
                else:
                    secs = rng.uniform(0.1, 3)
                    yield (
                        "INFO",
                        "dbt",
                        f"{k} of {total} PASS {test}_{item}_id [PASS in {secs:.2f}s]",
                    )
        yield ("INFO", "dbt", f"Re-running {total} incremental models (round {n // total + 1})")


def _spark(
    tool: str, items: tuple[str, ...], rng: random.Random, ctx: dict[str, str]
) -> Iterator[Message]:
    stage = 0
    while True:
        for item in items:
            ctx["item"] = item
            stage += 1
            rows = rng.randrange(10_000, 50_000_000)
            yield ("INFO", tool, f"Reading {item} ({rows} rows, {rng.randrange(4, 400)} files)")
            for task in range(rng.randrange(2, 6)):
                yield (
                    "INFO",
                    "spark",
                    f"Stage {stage}.{task} finished in {rng.uniform(0.2, 30):.1f} s "
                    f"({rng.randrange(8, 200)} tasks)",
                )
            if rng.random() < 0.1:
                yield (
                    "WARNING",
                    "spark",
                    "Spilling 512.0 MiB to disk (memory pressure on executor 3)",
                )


def _sql(
    tool: str, items: tuple[str, ...], rng: random.Random, ctx: dict[str, str]
) -> Iterator[Message]:
    n = 0
    while True:
        for item in items:
            ctx["item"] = item
            n += 1
            yield ("INFO", tool, f"Statement {n}: CREATE OR REPLACE TABLE {item} AS SELECT ...")
            yield (
                "INFO",
                tool,
                f"Statement {n}: {rng.randrange(1_000, 5_000_000)} rows written in "
                f"{rng.uniform(0.5, 60):.1f}s",
            )
            if rng.random() < 0.1:
                yield (
                    "WARNING",
                    tool,
                    f"Statement {n}: full table scan on {item} (no partition filter)",
                )


def _reverse(
    tool: str, items: tuple[str, ...], rng: random.Random, ctx: dict[str, str]
) -> Iterator[Message]:
    batch = 0
    while True:
        for item in items:
            ctx["item"] = item
            batch += 1
            yield (
                "INFO",
                "tap-nekt-catalog",
                f"Reading rows {batch * 1000 - 999}-{batch * 1000} for {item}",
            )
            yield (
                "INFO",
                tool,
                f"Upserting batch {batch} (1000 records) into {item} via Bulk API 2.0",
            )
            rejected = rng.choice((0, 0, 0, 0, 1, 3))
            if rejected:
                yield (
                    "WARNING",
                    tool,
                    f"Batch {batch}: {rejected} records rejected (INVALID_EMAIL_ADDRESS)",
                )
            else:
                yield ("INFO", tool, f"Batch {batch}: 1000 records upserted")
