"""Tracking codes read aloud over the phone: unambiguous symbols and a check symbol."""
import collections
import re

import pytest
from hypothesis import assume, given, strategies as st

from chalicelib.domain.tracking import (
    ALPHABET, ENTROPY_BITS, TRACKING_RANDOM_BYTES, new_tracking_code, normalize_tracking_code,
)

DISPLAY = re.compile(r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{4}")
enough_bytes = st.binary(min_size=TRACKING_RANDOM_BYTES, max_size=64).filter(
    lambda b: sum(x < 248 for x in b) >= 9)
codes = enough_bytes.map(new_tracking_code)


def test_alphabet_and_entropy():
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert not set("0O1IL") & set(ALPHABET)
    assert ENTROPY_BITS >= 44


@given(codes)
def test_code_is_displayed_in_groups_without_confusable_symbols(code):
    assert DISPLAY.fullmatch(code)
    assert not set("0O1IL") & set(code)


@given(enough_bytes)
def test_same_bytes_give_the_same_code(b):
    assert new_tracking_code(b) == new_tracking_code(bytes(b))


@given(codes, st.data())
def test_round_trip_as_typed(code, data):
    raw = code.replace("-", "")
    # random case, and random spaces or hyphens between symbols
    typed = "".join(
        (c.lower() if data.draw(st.booleans()) else c) + data.draw(st.sampled_from(["", " ", "-", "  "]))
        for c in raw)
    assert normalize_tracking_code(code) == code
    assert normalize_tracking_code(raw) == code
    assert normalize_tracking_code(code.lower()) == code
    assert normalize_tracking_code(f"  {typed} ") == code


@given(codes, st.integers(0, 9), st.data())
def test_any_single_wrong_symbol_is_rejected(code, pos, data):
    raw = list(code.replace("-", ""))
    raw[pos] = data.draw(st.sampled_from([c for c in ALPHABET if c != raw[pos]]))
    assert normalize_tracking_code("".join(raw)) is None


@given(codes, st.integers(0, 8))
def test_swapping_neighbours_is_rejected(code, pos):
    raw = list(code.replace("-", ""))
    assume(raw[pos] != raw[pos + 1])
    raw[pos], raw[pos + 1] = raw[pos + 1], raw[pos]
    assert normalize_tracking_code("".join(raw)) is None


@pytest.mark.parametrize("bad", [
    None, 12345, "", "ABC", "ABC-DEF-GHJKM", "ABC-DEF-GHJ", "ABO-DEF-GHJK", "AB1-DEF-GHJK",
    "ABC_DEF_GHJK", "ABCDEFGHß",
])
def test_not_a_code(bad):
    assert normalize_tracking_code(bad) is None


def test_full_width_input_from_chinese_keyboards_is_accepted():
    code = new_tracking_code(bytes(range(32)))
    full = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in code.lower())
    assert normalize_tracking_code(full) == code


def test_too_few_usable_bytes_raise():
    for b in (b"", bytes(8), bytes([255] * 64), bytes([248] * 5 + [1] * 8)):
        with pytest.raises(ValueError):
            new_tracking_code(b)


def test_rejection_sampling_skips_biased_bytes_and_is_uniform():
    assert new_tracking_code(bytes([250, 255, 248]) + bytes(range(9))) == new_tracking_code(bytes(range(9)))
    # every accepted byte value maps to each symbol exactly 8 times: no symbol is favoured
    counts = collections.Counter(new_tracking_code(bytes([b] * 9))[0] for b in range(248))
    assert set(counts) == set(ALPHABET) and set(counts.values()) == {8}
