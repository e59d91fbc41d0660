"""Run IDs are validated, and pulled out of any pasted text."""

from __future__ import annotations

import pytest

from nekt_tui.api.errors import InvalidRunIdError
from nekt_tui.api.ids import parse_run_ids, validate_run_id

A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
B = "9b2f9a53-4a26-4a53-9f64-3e1f26b1d7c2"


def test_validate_canonicalises() -> None:
    assert validate_run_id(f"  {A.upper()} ") == A


@pytest.mark.parametrize("bad", ["", "x", A[:-1], A + "f", A.replace("-", ""), "{" + A + "}"])
def test_validate_rejects(bad: str) -> None:
    with pytest.raises(InvalidRunIdError) as err:
        validate_run_id(bad)
    assert repr(bad) in str(err.value)


def test_parse_takes_urls_several_per_line_dedup_in_order() -> None:
    text = f"""see https://app.nekt.ai/pipelines/x/runs/{B}/ and
    {A.upper()}, {B}
    {A}"""
    assert parse_run_ids(text) == [B, A]


def test_parse_ignores_uuid_lookalikes_inside_longer_hex() -> None:
    assert parse_run_ids(f"ff{A} {B}") == [B]


def test_parse_without_any_id_quotes_the_text() -> None:
    with pytest.raises(InvalidRunIdError) as err:
        parse_run_ids("run 42 please")
    assert "'run 42 please'" in str(err.value)
