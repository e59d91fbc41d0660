"""The redactor: the key, its encodings, its fragments and token-looking values go."""

from __future__ import annotations

import base64
import logging
from urllib.parse import quote, quote_plus

import pytest

from nekt_tui.api.redact import REDACTED, RedactingFilter, Redactor, redact

KEY = "sk/live+H6=9f2c~4e7a1b3d5f60&a8c2"


@pytest.mark.parametrize(
    "form",
    [
        KEY,
        quote(KEY, safe=""),
        quote(KEY),
        quote_plus(KEY),
        base64.b64encode(KEY.encode()).decode(),
        base64.b64encode(KEY.encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(KEY.encode()).decode(),
        KEY[:14],  # a key cut short
        KEY[-14:],  # its tail
        KEY[5:25],
    ],
)
def test_the_key_in_each_form_is_redacted(form: str) -> None:
    text = f"invalid key {form}, check it"
    assert Redactor(KEY).redact(text) == f"invalid key {REDACTED}, check it"


@pytest.mark.parametrize("prefix", [b"Basic ", b"u:", b"user:", b"name:"])
def test_the_key_inside_longer_base64_is_redacted(prefix: bytes) -> None:
    encoded = base64.b64encode(prefix + KEY.encode() + b":tail").decode()
    out = Redactor(KEY).redact(f"got {encoded}")
    assert out.count(REDACTED) == 1
    # All the characters that stand for the key's bytes alone are gone.
    removed = len(f"got {encoded}") - len(out.replace(REDACTED, ""))
    assert removed >= 4 * len(KEY) // 3 - 2


def test_the_key_with_whitespace_around_is_redacted_trimmed() -> None:
    assert Redactor(f"  {KEY}\n").redact(f"[{KEY}]") == f"[{REDACTED}]"


@pytest.mark.parametrize(
    "token", ["nk_live_AbCdEf123456", "nk_test_ZZZZZZZZ", "nk_staging_0123456789abcdefXYZ"]
)
def test_token_looking_values_are_redacted_whoever_they_belong_to(token: str) -> None:
    assert redact(f"token {token}.") == f"token {REDACTED}."
    assert Redactor(KEY)(f"token {token}.") == f"token {REDACTED}."


@pytest.mark.parametrize(
    "text",
    [
        "Invalid API key.",
        "nk_live_short",  # too short to be a token
        "sk/live+",  # a few of the key's characters are ordinary text
        "",
        "é\ud800 \x1b[31m",
    ],
)
def test_other_text_is_left_alone(text: str) -> None:
    assert Redactor(KEY).redact(text) == text


def test_a_key_too_short_to_be_real_is_not_searched_for() -> None:
    assert Redactor("abc").redact("abcdef abc") == "abcdef abc"


def test_several_hits_and_overlaps_make_clean_text() -> None:
    text = f"{KEY}{KEY} and {KEY[:20]}nk_live_AAAAAAAAAA then {quote(KEY, safe='')}!"
    assert Redactor(KEY).redact(text) == f"{REDACTED} and {REDACTED} then {REDACTED}!"


def test_the_logging_filter_redacts_messages_arguments_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "key %s", (KEY,), None)
    try:
        raise ValueError(f"server echoed {KEY}")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter(Redactor(KEY)).filter(record)
    text = logging.Formatter().format(record)
    assert KEY not in text and KEY[:14] not in text and f"key {REDACTED}" in text
    assert "ValueError: server echoed [redacted]" in text


@pytest.mark.parametrize(
    "text",
    [
        "wrote bank_account_12345678 and chunk_id_a8f9c0d1e2",
        "INFO trunk_build_20261204 done",
    ],
)
def test_a_word_that_only_ends_like_a_token_is_left_alone(text: str) -> None:
    redactor = Redactor(KEY)
    assert redactor.redact(text) == text
    assert redactor.scrub(text) is text


def test_a_token_after_punctuation_or_glued_to_the_key_is_still_redacted() -> None:
    redactor = Redactor(KEY)
    for text in ("(nk_live_AbCdEf123456)", "_nk_live_AbCdEf123456", f"{KEY}nk_test_ZZZZZZZZ"):
        assert redactor.redact(text).replace(REDACTED, "").strip("()_") == ""
        assert redactor.scrub(text) == redactor.redact(text)
