"""Follow rules: what parses, what is refused (one line naming the bad term), what matches."""

from __future__ import annotations

from typing import Any

import pytest

from nekt_tui.api.models import Run
from nekt_tui.discover.rules import RuleError, first_match, parse_rule, parse_rules


def run(
    status: str = "failed", slug: str | None = "hubspot-to-catalog", kind: str = "extractor"
) -> Run:
    body: dict[str, Any] = {"id": "3f1c2d4e-0000-4000-8000-000000000001", "status": status}
    if slug is not None:
        body["pipeline"] = {"slug": slug, "type": kind}
    return Run.model_validate(body)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("statu:failed", "statu:failed"),
        ("status:failed,exploded", "exploded"),
        ("status:", "status:"),
        ("status:failed,", "status:failed,"),
        ("pipeline:", "pipeline:"),
        ("type:lake", "lake"),
        ("failed", "failed"),
        ("status:failed nonsense", "nonsense"),
        ("status:failed\x1b[31m", "status:failed"),
    ],
)
def test_a_bad_term_is_one_line_naming_it(text: str, term: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(text)
    message = str(caught.value)
    assert term in message
    assert "\n" not in message and "\x1b" not in message


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_rule_is_refused(text: str) -> None:
    with pytest.raises(RuleError, match="empty follow rule"):
        parse_rule(text)


def test_the_first_bad_rule_of_many_is_named() -> None:
    with pytest.raises(RuleError, match="statu:failed"):
        parse_rules(["status:failed", "statu:failed"])


def test_every_term_must_match() -> None:
    rule = parse_rule("status:failed,running pipeline:HubSpot-* type:extractor")
    assert rule.matches(run("failed"))
    assert rule.matches(run("running"))
    assert not rule.matches(run("success"))
    assert not rule.matches(run(slug="stripe-to-catalog"))
    assert not rule.matches(run(kind="destination"))


def test_a_run_without_pipeline_matches_only_status_terms() -> None:
    assert parse_rule("status:failed").matches(run(slug=None))
    assert not parse_rule("pipeline:*").matches(run(slug=None))
    assert not parse_rule("type:extractor").matches(run(slug=None))


def test_an_unknown_status_from_the_server_matches_no_status_term() -> None:
    assert not parse_rule("status:failed").matches(run("exploded"))


def test_any_rule_may_match_and_the_first_is_named() -> None:
    rules = parse_rules(["pipeline:stripe-*", "status:failed", "status:failed"])
    assert len(rules) == 2
    matched = first_match(rules, run("failed"))
    assert matched is not None and matched.text == "status:failed"
    assert first_match(rules, run("success")) is None
