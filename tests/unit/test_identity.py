"""Phone numbers and resident IDs as citizens type them."""
import datetime as dt

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.identity import (
    is_mainland_mobile, is_valid_resident_id, mask_id_number, mask_phone, normalize_phone,
)

PROVINCES = [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
             *range(61, 66), 71, 81, 82, 83, 91]


def check_char(first17: str) -> str:
    """Computed independently of the module's tables: ISO 7064 MOD 11-2 weights are 2^k mod 11."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@st.composite
def resident_ids(draw):
    province = draw(st.sampled_from(PROVINCES))
    area = draw(st.integers(0, 9999))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
    seq = draw(st.integers(0, 999))
    first17 = f"{province:02d}{area:04d}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


@pytest.mark.parametrize("typed", [
    "13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678",
    "8613812345678", "0086-138-1234-5678", " 13812345678 ", "１３８１２３４５６７８",
])
def test_phone_as_typed_is_normalised(typed):
    assert normalize_phone(typed) == "13812345678"
    assert is_mainland_mobile(typed)


@pytest.mark.parametrize("bad", [
    "", "1381234567", "138123456789", "12812345678", "23812345678", "10012345678",
    "0731-2222333", "1381234567a", "+1 415 555 0100", "８６", "١٣٨١٢٣٤٥٦٧٨",
])
def test_not_a_mainland_mobile(bad):
    assert not is_mainland_mobile(bad)


@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
def test_every_mobile_prefix_13_to_19_is_accepted(second, rest):
    assert is_mainland_mobile("1" + second + rest)


def test_masks_hide_the_middle():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_id_number("431002199001011234") == "431002********1234"
    assert mask_id_number("123") == "***"


@pytest.mark.parametrize("good", ["11010519491231002X", "11010519491231002x", "431002199001011233"])
def test_known_good_ids(good):
    assert is_valid_resident_id(good)


@pytest.mark.parametrize("bad", [
    "110105194912310021",   # wrong check char
    "11010519491231002",    # 17 characters
    "1101051949123100211",  # 19 characters
    "440524188001010014",   # a textbook ID, but born 1880: before 1900
    "A1010519491231002X",
    "",
    None, 110105194912310020,
])
def test_malformed_ids_rejected(bad):
    assert not is_valid_resident_id(bad)


@pytest.mark.parametrize("prefix", [
    "10010519491231002",  # province 10 does not exist
    "99010519491231002",  # nor 99
    "43100218991231002",  # born before 1900
    "43100220230229002",  # 2023 has no 29 February
    "43100219900431002",  # 31 April
    "43100219900001002",  # month 00
])
def test_ids_with_right_checksum_but_impossible_content_are_rejected(prefix):
    assert not is_valid_resident_id(prefix + check_char(prefix))


def test_leap_day_and_far_future_are_accepted_without_reading_the_clock():
    for prefix in ("43100220000229002", "43100220990101002"):
        assert is_valid_resident_id(prefix + check_char(prefix))


@given(resident_ids())
def test_generated_ids_are_accepted_in_either_case(rid):
    assert is_valid_resident_id(rid)
    assert is_valid_resident_id(rid.lower())


@given(resident_ids(), st.data())
def test_any_other_check_char_is_rejected(rid, data):
    wrong = data.draw(st.sampled_from([c for c in "0123456789X" if c != rid[-1]]))
    assert not is_valid_resident_id(rid[:-1] + wrong)


@given(resident_ids(), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_typo_is_rejected(rid, pos, delta):
    typo = str((int(rid[pos]) + delta) % 10)
    assert not is_valid_resident_id(rid[:pos] + typo + rid[pos + 1:])
