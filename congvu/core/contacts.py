"""Contact details typed into free text, masked before the text is shown.

A citizen rating a staff member may write "gọi lại cho tôi 0912 345 678", an e-mail
address or their citizen ID number into the optional comment, and the comment is read
by the very person rated (Decree 13/2023 on personal data: shown only to who needs it;
and the rated person holding the rater's phone is a retaliation risk). The text is kept
as written; what is shown has those details replaced by MASK.

`mask_contacts` knows the shapes people type, not one person's details (that is
`cases.visibility.identity_pattern`, for a reporter whose name and number are known):

* Vietnamese phone numbers: mobiles 0[35789]x xxx xxxx (10 digits), landlines 02x…
  (11 digits: 024 3825 1234, 0227 3 831 234), the old 11-digit mobiles 01x…; with 0,
  +84, (+84), 84, 084 or 0084 in front (and "+84 (0) 912…"), the digits grouped by
  spaces, dots, hyphens or brackets; several joined ("0912345678-0987654321");
* e-mail addresses;
* citizen ID numbers: the 12-digit CCCD (it starts with 0, its province code; grouped
  or not) and any 12 or 9 digits written together (the old 9-digit CMND).

What must stay as it is: dates (09/12/2026), times (08:30), money grouped by dots
("500.000 đồng", "84.000.000 đồng") or followed by its unit ("500000000 đồng"), and
dossier codes ("000.00.20.H56-260105-0001", "H56.02.01-261126-00012"): a number does
not start right after a digit, nor after a digit and a dot or hyphen (the inner groups
of a code or an amount), and a grouped CCCD not right after a letter ("H08-260105-0001").
"""

from __future__ import annotations

import re
from typing import Final

#: What replaces a detail a reader may not see (the cases' reporter masking uses it too).
MASK: Final = "[…]"

# Between two digits of a number: up to three of space, dot, hyphen, dash, bracket.
_SEP = r"[\s.\-–·()]{0,3}"
# Not inside another number: not right after a digit, nor a digit and a dot or hyphen.
_START = r"(?<!\d)(?<!\d[.\-–])"
# An amount of money written with its unit: "500000000 đồng", "500000000đ", "… VND".
_NOT_MONEY = r"(?!\s*(?:đ\b|đồng|vn[dđ]\b|dong\b|d\b))"


def _more_digits(count: int) -> str:
    return rf"(?:{_SEP}\d){{{count}}}"


# The national number after the leading 0 or the country code 84.
_NATIONAL = (
    rf"(?:[35789]{_more_digits(8)}"  # mobile: 09x, 03x, 05x, 07x, 08x + 7 digits
    rf"|2{_more_digits(9)}"  # landline: 02 + area code + subscriber, 11 digits with the 0
    rf"|1{_more_digits(9)})"  # the mobiles of before 2018: 01x + 8 digits
)
# +84, + 84, (+84), 084, 0084, (084); a bare 84 only before a space, a digit or a
# bracket ("84.000.000 đồng" is money), and not glued to a word.
_COUNTRY = r"(?:\(\s*)?(?:\+|00?)\s?84(?:\s*\))?|(?<!\w)84(?=[\s\d(])"
_PHONE = rf"(?:(?:{_COUNTRY})(?:{_SEP}\(?0\)?)?|\(?0){_SEP}{_NATIONAL}(?!\d)"
# Glued to a word ("sđt0912 345 678"), not followed by the short group that ends a
# dossier code: "H03.00-260105-0001" is a code, not 03.00-260105 and a tail.
_NOT_A_CODE = r"(?![.\-–]\d{1,6}(?!\d))"
# CCCD: 0 + 11 digits, grouped by single spaces, dots or hyphens.
_CCCD = r"0(?:[\s.\-]?\d){11}(?!\d)"
_EMAIL = r"(?<![\w.%+\-])[\w.%+\-]+\s?@\s?[\w\-]+(?:\.[\w\-]+)+"
_DIGITS_12_OR_9 = rf"(?:\d{{12}}|\d{{9}})(?!\d){_NOT_MONEY}"
_NOT_AFTER_LETTER = r"(?<![^\W\d_])"


def _pattern(*numbers: str) -> re.Pattern[str]:
    """Every shape masked, the numbers tried in this order at one place; several numbers
    joined by a separator are one ("0912345678-0987654321": the second comes right after a
    digit and a hyphen, where a number alone does not start)."""
    number = "|".join(numbers)
    more = rf"(?:[\s,;/.\-–]{{1,3}}(?:{number}))*"
    return re.compile(
        rf"{_EMAIL}"
        rf"|{_START}{_NOT_AFTER_LETTER}(?:{number}){more}"
        rf"|{_START}(?:{_PHONE}{_NOT_A_CODE}{more}|{_DIGITS_12_OR_9})",
        re.IGNORECASE,
    )


#: Tried both ways: a grouped number may read as a CCCD and a phone number with a tail
#: ("0340 9001 23 45") or the other way round ("0084 30000000 0"); the union is masked.
CONTACT_PATTERNS: Final = (_pattern(_CCCD, _PHONE), _pattern(_PHONE, _CCCD))


#: Digits left right after a masked number, joined to it by a separator: two numbers
#: written "0841 180 888 - 024 4982 5676" may be read as one number and a tail (a
#: number's groups and the join look alike), and the tail is masked with it; not a lone
#: digit or two ("… 9 giờ"), nor the start of a code ("… 000.00.20.H56-…").
_TAIL: Final = re.compile(r"(?:[\s.\-–·()/]{1,3}\d+)+(?!\w|[.\-–]\w)")


def _with_tail(text: str, start: int, stop: int) -> tuple[int, int]:
    tail = _TAIL.match(text, stop)
    if tail is not None and sum(ch.isdigit() for ch in tail.group()) >= 3:
        return start, tail.end()
    return start, stop


def mask_contacts(text: str) -> str:
    """`text` with every phone number, e-mail address and ID number in it replaced by MASK."""
    if not text:
        return text
    spans = sorted(
        _with_tail(text, *m.span()) for pattern in CONTACT_PATTERNS for m in pattern.finditer(text)
    )
    if not spans:
        return text
    shown, end = [], 0
    merged: list[list[int]] = []
    for start, stop in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    for start, stop in merged:
        shown.append(text[end:start])
        shown.append(MASK)
        end = stop
    shown.append(text[end:])
    return "".join(shown)
