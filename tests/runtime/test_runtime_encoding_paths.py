"""The fast paths of encoding and signing give what the plain rules give (issue 18)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from mwskit._runtime.encoding import format_datetime
from mwskit._runtime.signing import percent_encode


def _plain_datetime(value: datetime) -> str:
    utc = value.astimezone(UTC)
    text = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    )
    if utc.microsecond:
        text += f".{utc.microsecond // 1000:03d}"
    return text + "Z"


@pytest.mark.parametrize(
    "value",
    [
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, 0, 0, 0, 999, tzinfo=UTC),  # below a millisecond: ".000"
        datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # truncated, not rounded
        datetime(5, 3, 4, 5, 6, 7, tzinfo=UTC),  # a four-digit year
        datetime(2024, 1, 1, 1, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ],
)
def test_format_datetime_examples(value: datetime) -> None:
    assert format_datetime(value) == _plain_datetime(value)


def test_format_datetime_random() -> None:
    rng = random.Random(18)
    for _ in range(2000):
        zone = timezone(timedelta(minutes=rng.randint(-12 * 60, 14 * 60)))
        value = datetime(
            rng.randint(2, 9998),
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(0, 23),
            rng.randint(0, 59),
            rng.randint(0, 59),
            rng.choice([0, rng.randint(0, 999_999)]),
            tzinfo=zone,
        )
        assert format_datetime(value) == _plain_datetime(value), value


def test_percent_encode_equals_quote_on_random_text() -> None:
    rng = random.Random(18)
    alphabet = [chr(code) for code in range(128)] + ["é", "€", "😀"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert percent_encode(text) == quote(text, safe="-_.~"), repr(text)
    signature = "mF1mk5Ie+M8jWwM5B97hIn/etgxInpj94Hi9GBN1SMZq8="
    assert percent_encode(signature) == quote(signature, safe="-_.~")
