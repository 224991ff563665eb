"""Contact details typed into free text are masked; ordinary text is left as written."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from congvu.core.contacts import MASK, mask_contacts

digit = st.sampled_from("0123456789")
# Words around a number: Vietnamese letters, spaces and punctuation, never a digit
# (a digit glued to a number makes another number) nor "@" or "+".
words = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáạảãệộữ ,;:!?", max_size=30)
separator = st.sampled_from(["", " ", ".", "-", "  ", " - ", ". "])


@st.composite
def grouped(draw: st.DrawFn, digits: str, separators: st.SearchStrategy[str] = separator) -> str:
    """`digits` cut in groups of 1–5, joined by separators people use."""
    out, rest = [], digits
    while rest:
        size = draw(st.integers(1, 5))
        out.append(rest[:size])
        rest = rest[size:]
    text = out[0]
    for group in out[1:]:
        text += draw(separators) + group
    return text


@st.composite
def phones(draw: st.DrawFn) -> str:
    """A Vietnamese phone number in one of the spellings people type."""
    kind = draw(st.sampled_from(["mobile", "landline", "old mobile"]))
    if kind == "mobile":
        national = draw(st.sampled_from("35789")) + "".join(draw(digit) for _ in range(8))
    elif kind == "landline":
        national = "2" + "".join(draw(digit) for _ in range(9))
    else:
        national = "1" + draw(st.sampled_from("2689")) + "".join(draw(digit) for _ in range(8))
    number = draw(grouped(national))
    prefix = draw(
        st.sampled_from(
            [
                "0",
                "0 ",
                "(0",
                "+84",
                "+84 ",
                "+84.",
                "+84 (0) ",
                "(+84) ",
                "084 ",
                "0084",
                "84",
                "84 ",
            ]
        )
    )
    if prefix == "(0":
        return f"(0{national[:2]}) {draw(grouped(national[2:]))}"
    if prefix in ("84", "84 ") and number[:1] in ".-":
        number = number.lstrip(".- ")
    return prefix + number


@st.composite
def emails(draw: st.DrawFn) -> str:
    name = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-+", min_size=1, max_size=15)
    label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)
    local = draw(name).strip(".")
    domain = ".".join(draw(st.lists(label, min_size=2, max_size=3)))
    return f"{local or 'a'}@{domain}"


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    """A 12-digit CCCD (province code first, so a 0), grouped or not, or a 9-digit CMND."""
    if draw(st.booleans()):
        cccd = "0" + "".join(draw(digit) for _ in range(11))
        return (
            draw(grouped(cccd, st.sampled_from(["", " ", ".", "-"])))
            if draw(st.booleans())
            else cccd
        )
    return "".join(draw(digit) for _ in range(9))


@given(before=words, detail=st.one_of(phones(), emails(), id_numbers()), after=words)
@settings(max_examples=400, deadline=None)
@example(before="gọi lại cho tôi ", detail="0912 345 678", after="")
@example(before="sđt: ", detail="+84 912 345 678", after=" nhé")
@example(before="", detail="084912345678", after="")
@example(before="số bàn ", detail="(024) 3825 1234", after="")
@example(before="cccd ", detail="034 090 012 345", after="")
def test_no_phone_email_or_id_number_is_left_in_a_text(
    before: str, detail: str, after: str
) -> None:
    # Nine digits and a unit are an amount of money: "123456789 đ".
    assume(not re.match(r"(?i)\s*(?:đ\b|đồng|d\b)", after))
    text = f"{before} {detail} {after}"
    assert mask_contacts(text) == f"{before} {MASK} {after}"


@given(first=phones(), second=phones(), join=st.sampled_from(["-", " - ", "/", ", ", " hoặc "]))
@settings(max_examples=100, deadline=None)
@example(first="(084) 1180  888", join=" - ", second="0 24  49825 - 6. 76")
@example(first="08415 20339", join="-", second="(018) 914 - 74555")
def test_two_numbers_one_after_the_other_are_both_masked(
    first: str, second: str, join: str
) -> None:
    masked = mask_contacts(f"gọi {first}{join}{second}")
    assert masked.startswith("gọi ") and sum(ch.isdigit() for ch in masked) == 0


day = st.dates().map(lambda d: f"{d:%d/%m/%Y}")
time_of_day = st.times().map(lambda t: st.sampled_from([f"{t:%H:%M}", f"{t.hour}h{t.minute:02d}"]))
money = st.integers(1, 10**13).map(lambda n: f"{n:,}".replace(",", "."))
money_unit = st.sampled_from([" đồng", "đ", " VND", " vnđ", " triệu đồng", ""])
dossier = st.one_of(
    # The national service portal's codes: unit code, yymmdd, a running number.
    st.from_regex(r"\A000\.00\.[0-9]{2}\.H[0-9]{2}-[0-9]{6}-[0-9]{4}\Z"),
    st.from_regex(r"\A[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.H[0-9]{2}-[0-9]{6}-[0-9]{4,5}\Z"),
    # This project's own: organisation code, yymmdd, a running number (feedback/demo.py).
    st.from_regex(r"\AH[0-9]{2}(\.[0-9]{2}){0,3}-[0-9]{6}-[0-9]{4,5}\Z"),
)
small = st.integers(1, 9999).map(str)


@st.composite
def ordinary(draw: st.DrawFn) -> str:
    """A sentence of words, dates, times, amounts of money, dossier codes and small numbers."""
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        parts.append(draw(st.sampled_from(["ngày", "lúc", "hồ sơ", "phí", "quầy", "chờ"])))
        item = draw(st.one_of(day, time_of_day.flatmap(lambda s: s), dossier, small))
        if draw(st.booleans()):
            item = draw(money) + draw(money_unit)
        parts.append(item)
    return " ".join(parts) + draw(st.sampled_from(["", ".", ",", "!"]))


@given(text=ordinary())
@settings(max_examples=400, deadline=None)
@example(text="Nộp hồ sơ 000.00.12.H56-241126-0001 ngày 26/11/2024 lúc 08:30, phí 500.000 đồng.")
@example(text="hồ sơ H56.02.01-261126-00012 chờ 3 ngày, phí 84.000.000 đồng")
@example(text="hồ sơ H08-260105-0001 phí 500000000 đồng")
def test_dates_times_money_and_dossier_codes_are_left_as_written(text: str) -> None:
    assert mask_contacts(text) == text


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Gọi lại cho tôi 0912 345 678 nhé", f"Gọi lại cho tôi {MASK} nhé"),
        ("sđt0912.345.678, mail: an.nguyen@gmail.com.", f"sđt{MASK}, mail: {MASK}."),
        ("CCCD 034090012345, CMND 123456789", f"CCCD {MASK}, CMND {MASK}"),
        ("0912345678-0987654321", MASK),
        ("+84 (0) 912 345 678", MASK),
        ("(024) 3825 1234", MASK),
        ("gọi 0912345678 lúc 9 giờ", f"gọi {MASK} lúc 9 giờ"),
        ("0912345678 - 000.00.20.H56-260105-0001", f"{MASK} - 000.00.20.H56-260105-0001"),
        ("", ""),
        ("Cán bộ nhiệt tình, hướng dẫn rõ ràng.", "Cán bộ nhiệt tình, hướng dẫn rõ ràng."),
    ],
)
def test_what_a_reader_sees_of_a_comment(text: str, shown: str) -> None:
    assert mask_contacts(text) == shown


def test_a_long_text_of_digits_and_separators_is_masked_quickly() -> None:
    import time

    started = time.perf_counter()
    for text in ("0 " * 500, "0." * 500, "8 4" * 333, "+84 " * 250, "1-" * 500, "a" * 1000):
        mask_contacts(text)
    assert time.perf_counter() - started < 0.5
