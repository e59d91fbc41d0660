# Traceback frames are data, one frame per line, as Python prints them.
# ruff: noqa: E501
"""Failure endings for simulated logs: the error line a tool logs and a real-looking traceback.

Each failure is what the tool writes when it dies: one ERROR log line, then the raw
traceback block (no timestamps, as `logging.exception` prints it), sometimes chained.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_SITE = "/opt/nekt/venv/lib/python3.11/site-packages"


@dataclass(frozen=True)
class Failure:
    """How a run dies: the ERROR message and the traceback lines."""

    message: str
    traceback: tuple[str, ...]
    summary: str


def _frames(*frames: tuple[str, int, str, str]) -> list[str]:
    lines = ["Traceback (most recent call last):"]
    for path, line, func, code in frames:
        full = path if path.startswith("/") else f"{_SITE}/{path}"
        lines.append(f'  File "{full}", line {line}, in {func}')
        lines.append(f"    {code}")
    return lines


def _singer_http(tool: str, item: str, rng: random.Random) -> Failure:
    host = {
        "tap-hubspot": "api.hubapi.com/crm/v3/objects",
        "tap-salesforce": "eu12.my.salesforce.com/services/data/v60.0/sobjects",
        "tap-stripe": "api.stripe.com/v1",
        "tap-zendesk": "acme.zendesk.com/api/v2",
        "tap-shopify": "acme-au.myshopify.com/admin/api/2024-10",
        "tap-google-ads": "googleads.googleapis.com/v17/customers/1234567890",
    }.get(tool, "api.example.com/v1")
    code, reason = rng.choice(
        [(401, "Unauthorized"), (403, "Forbidden"), (500, "Internal Server Error")]
    )
    url = f"https://{host}/{item.lower()}?limit=100&after=48213"
    exc = f"requests.exceptions.HTTPError: {code} Client Error: {reason} for url: {url}"
    if code >= 500:
        exc = exc.replace("Client Error", "Server Error")
    tb = _frames(
        ("singer_sdk/tap_base.py", 498, "sync_all", "stream.sync()"),
        (
            "singer_sdk/streams/core.py",
            1256,
            "sync",
            "for _ in self._sync_records(context=context):",
        ),
        (
            "singer_sdk/streams/core.py",
            1155,
            "_sync_records",
            "for record_result in self.get_records(current_context):",
        ),
        (
            "singer_sdk/streams/rest.py",
            628,
            "get_records",
            "for record in self.request_records(context):",
        ),
        (
            "singer_sdk/streams/rest.py",
            435,
            "request_records",
            "resp = decorated_request(prepared_request, context)",
        ),
        ("backoff/_sync.py", 105, "retry", "ret = target(*args, **kwargs)"),
        ("singer_sdk/streams/rest.py", 329, "_request", "self.validate_response(response)"),
        ("singer_sdk/streams/rest.py", 277, "validate_response", "raise FatalAPIError(msg)"),
    )
    tb.append(
        f"singer_sdk.exceptions.FatalAPIError: {code} Client Error: {reason} for path: /{item}"
    )
    return Failure(
        f"Stream '{item}' failed: {code} {reason}", tuple(tb), f"FatalAPIError: {code} {reason}"
    )


def _singer_db(tool: str, item: str, rng: random.Random) -> Failure:
    table = item.replace("-", ".", 1)
    tb = _frames(
        ("singer_sdk/tap_base.py", 498, "sync_all", "stream.sync()"),
        (
            "singer_sdk/streams/core.py",
            1256,
            "sync",
            "for _ in self._sync_records(context=context):",
        ),
        (
            "singer_sdk/streams/sql.py",
            212,
            "get_records",
            "for record in self.connector.execute(query):",
        ),
        ("sqlalchemy/engine/base.py", 1418, "execute", "return meth("),
        (
            "sqlalchemy/engine/default.py",
            924,
            "do_execute",
            "cursor.execute(statement, parameters)",
        ),
    )
    detail = rng.choice([
        "canceling statement due to conflict with recovery",
        "server closed the connection unexpectedly",
        f'permission denied for table {table.split(".")[-1]}',
    ])  # fmt: skip
    tb.append(f"psycopg2.errors.OperationalError: {detail}")
    chained = [
        "",
        "The above exception was the direct cause of the following exception:",
        "",
        *_frames(
            ("/opt/nekt/runner/extract.py", 88, "run_extraction", "tap.sync_all()"),
            (
                "singer_sdk/tap_base.py",
                502,
                "sync_all",
                "raise StreamSyncError(stream.name) from exc",
            ),
        ),
        f"singer_sdk.exceptions.StreamSyncError: {table}: (psycopg2.errors.OperationalError) {detail}",
    ]
    return Failure(
        f"Stream '{item}' failed while reading {table}",
        (*tb, *chained),
        f"OperationalError: {detail}",
    )


def _dbt(tool: str, item: str, rng: random.Random) -> Failure:
    column = rng.choice(["amount_cents", "customer_id", "currency_code", "closed_at"])
    tb = _frames(
        (
            "/opt/nekt/runner/transform.py",
            141,
            "run_dbt",
            'result = dbt.invoke(["build", "--target", "prod"])',
        ),
        ("dbt/cli/main.py", 116, "invoke", "raise DbtRuntimeError(result.exception)"),
    )
    tb.append(f"dbt.exceptions.DbtRuntimeError: Runtime Error in model {item} (models/{item}.sql)")
    tb.append(f'  Database Error: column "{column}" does not exist')
    return Failure(
        f'Database Error in model {item} (models/{item}.sql): column "{column}" does not exist',
        tuple(tb),
        "DbtRuntimeError: 1 model failed",
    )


def _spark(tool: str, item: str, rng: random.Random) -> Failure:
    tb = _frames(
        (
            "/opt/nekt/notebooks/marketing_attribution.py",
            57,
            "<module>",
            'touches = spark.table("analytics.touchpoints").join(spend, "campaign_id")',
        ),
        ("pyspark/sql/dataframe.py", 2443, "join", "jdf = self._jdf.join(other._jdf, on, how)"),
        ("py4j/java_gateway.py", 1322, "__call__", "return_value = get_return_value("),
        ("pyspark/errors/exceptions/captured.py", 185, "deco", "raise converted from None"),
    )
    tb.append(
        "pyspark.errors.exceptions.captured.AnalysisException: [UNRESOLVED_COLUMN.WITH_SUGGESTION] "
        "A column or function parameter with name `campaign_id` cannot be resolved. Did you "
        "mean one of the following? [`campaign_id_v2`, `campaign_name`]."
    )
    return Failure(f"Notebook failed at cell 7 ({item})", tuple(tb), "AnalysisException")


def _sql(tool: str, item: str, rng: random.Random) -> Failure:
    tb = _frames(
        ("/opt/nekt/runner/sql.py", 73, "run_statements", "cursor.execute(statement)"),
        ("trino/dbapi.py", 589, "execute", "self._query.execute()"),
        ("trino/client.py", 823, "execute", "self._result.rows += self.fetch()"),
        ("trino/client.py", 843, "fetch", "status = self._request.process(response)"),
        (
            "trino/client.py",
            611,
            "process",
            "raise self._process_error(response['error'], response.get('id'))",
        ),
    )
    tb.append(
        "trino.exceptions.TrinoUserError: TrinoUserError(type=USER_ERROR, name=DIVISION_BY_ZERO, "
        f'message="Division by zero", query_id=20260115_{rng.randrange(10**6):06d}_00042_x7k2p)'
    )
    return Failure(
        f"Statement building {item} failed", tuple(tb), "TrinoUserError: Division by zero"
    )


def _reverse(tool: str, item: str, rng: random.Random) -> Failure:
    tb = _frames(
        (
            "singer_sdk/target_base.py",
            384,
            "_process_record_message",
            "sink._add_record_to_batch(record)",
        ),
        (
            f"{tool.replace('-', '_')}/sinks.py",
            142,
            "process_batch",
            "result = self.client.bulk_upsert(self.stream_name, records)",
        ),
        (
            f"{tool.replace('-', '_')}/client.py",
            97,
            "bulk_upsert",
            "raise UpsertError(job_id, failed)",
        ),
    )
    tb.append(
        f"{tool.replace('-', '_')}.client.UpsertError: job 7503X00001aBcDe: 214 of 1000 {item} "
        "records failed (REQUIRED_FIELD_MISSING: [Name])"
    )
    return Failure(
        f"Bulk upsert into {item} failed", tuple(tb), "UpsertError: 214 records rejected"
    )


_BY_KIND = {"dbt": _dbt, "spark": _spark, "sql": _sql, "reverse": _reverse}


def make_failure(kind: str, tool: str, item: str, rng: random.Random) -> Failure:
    """A failure fitting a pipeline whose log is of `kind`, written by `tool`."""
    if kind == "singer":
        maker = _singer_db if tool in ("tap-postgres", "tap-mysql") else _singer_http
    else:
        maker = _BY_KIND.get(kind, _singer_http)
    return maker(tool, item, rng)
