"""Vietnamese text helpers: accent folding for search and collation for sorting.

Search stores a folded copy (marks stripped, đ→d, lower-case) beside the text,
because neither SQLite FTS5 nor unaccent folds đ/Đ, and "duc" must find "Đức".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})
_SPACE = re.compile(r"\s+")
#: The five tone marks (huyền, sắc, hỏi, ngã, nặng) as combining characters.
_TONE_MARKS = frozenset("\u0300\u0301\u0309\u0303\u0323")


def fold(text: str | None) -> str:
    """Lower-case `text`, strip every diacritic and map đ→d; collapse spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACE.sub(" ", stripped).strip().lower()


def name_key(text: str | None) -> str:
    """`text` as two names are compared: spaces collapsed, case folded, accents kept, the
    tone mark's place in a word ignored.

    "VĂN PHÒNG" and "văn phòng" give one key, "Hòa" and "Hóa" two. Vietnamese writes one
    tone mark a syllable, placed on one vowel or another by the old and the new
    conventions ("Hòa"/"Hoà", "Thủy"/"Thuỷ", both in official names): the key moves each
    word's tone marks to the word's end, so both spellings give one key. Typed with
    combining marks or precomposed letters, a name has the same key (NFC at the end).
    """
    words = unicodedata.normalize("NFD", (text or "").casefold()).split()
    keyed = []
    for word in words:
        tones = "".join(ch for ch in word if ch in _TONE_MARKS)
        keyed.append("".join(ch for ch in word if ch not in _TONE_MARKS) + tones)
    return unicodedata.normalize("NFC", " ".join(keyed))


#: Words of a search beyond these are ignored: a box takes 100–200 characters, and each
#: word is one more LIKE (SQLite refuses an expression tree deeper than 1,000).
MAX_SEARCH_WORDS = 32


def _bare(word: str) -> str:
    """`word` without the punctuation around it ("đức," → "đức", "(so" → "so"); the
    punctuation inside stays ("ii.1.c", "86/kh-ubnd")."""
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(word[end - 1]).startswith("P"):
        end -= 1
    return word[start:end]


def search_words(query: str | None) -> list[tuple[str, str]]:
    """Each word of a search box's input, as typed and folded: ("Đức", "duc").

    Control characters are dropped (a NUL would make PostgreSQL refuse the query) and so
    is the punctuation around a word: "Nguyễn, Văn" finds "Nguyễn Văn"; a query of
    punctuation only is no query. At most MAX_SEARCH_WORDS words.
    """
    text = "".join(ch for ch in (query or "") if unicodedata.category(ch) != "Cc" or ch.isspace())
    words = []
    for word in text.split():
        folded = _bare(fold(word))
        if folded:
            words.append((_bare(unicodedata.normalize("NFC", word)), folded))
    return words[:MAX_SEARCH_WORDS]


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search box's input, each to be matched as a substring
    (`search_words`: punctuation around a word and control characters dropped)."""
    return [folded for _typed, folded in search_words(query)]


# Vietnamese alphabetical order (TCVN 5712): ă and â follow a, đ follows d, and so on.
# f, j, w, z are not Vietnamese letters but appear in foreign names; they go where
# the Latin alphabet puts them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0301": 5, "\u0323": 6}  # huyền hỏi ngã sắc nặng
_BASE_MARKS = {"\u0306": "ă", "\u0302": "^", "\u031b": "ư"}
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _letter_parts(ch: str) -> tuple[str, int]:
    """Split one character into its Vietnamese base letter and its tone (1 = no tone)."""
    lowered = ch.lower()
    if lowered == "đ":
        return "đ", 1
    decomposed = unicodedata.normalize("NFD", lowered)
    base, marks = decomposed[0], decomposed[1:]
    tone = 1
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark == "\u0306":
            base = "ă"
        elif mark == "\u0302":
            base = {"a": "â", "e": "ê", "o": "ô"}.get(base, base)
        elif mark == "\u031b":
            base = {"o": "ơ", "u": "ư"}.get(base, base)
    return base, tone


def _rank(base: str) -> str:
    index = _ALPHABET.find(base)
    if index < 0:
        index = len(_ALPHABET) + (ord(base) % 200)
    return _DIGITS[1 + index // 36] + _DIGITS[index % 36]


@lru_cache(maxsize=8192)
def _char_key(ch: str) -> tuple[str, str]:
    """(primary rank, tone digit) of one character, or ("", "") for punctuation."""
    if not ch.isalnum():
        return "", ""
    base, tone = _letter_parts(ch)
    return _rank(base), str(tone)


def collation_key(text: str) -> str:
    """A key that sorts `text` in Vietnamese alphabetical order under any collation.

    Letters compare by base letter first and by tone only when the letters tie.
    The key uses only [0-9a-z], so PostgreSQL's locale collation and SQLite's
    byte order agree on it.
    """
    primary: list[str] = []
    secondary: list[str] = []
    for word in fold_spaces(text).split(" "):
        if not word:
            continue
        for ch in word:
            rank, tone = _char_key(ch)
            primary.append(rank)
            secondary.append(tone)
        primary.append("00")
    return "".join(primary) + "0" + "".join(secondary)


def fold_spaces(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def split_vietnamese_name(full_name: str) -> tuple[str, str, str]:
    """Split a name into (family, middle, given).

    "Nguyễn Thị Minh Khai" → ("Nguyễn", "Thị Minh", "Khai").
    """
    words = fold_spaces(full_name).split(" ")
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def name_sort_key(full_name: str) -> str:
    """Sort key for a Vietnamese personal name: given name, then family name, then middle name."""
    family, middle, given = split_vietnamese_name(full_name)
    return "0".join(collation_key(part) for part in (given, family, middle))


def bounded(value: Any, limit: int, field: str) -> str:
    """A service's free text: NUL bytes dropped (PostgreSQL refuses them; nobody types
    them on purpose), stripped, at most `limit` characters, else a ValidationError on
    `field` in both languages."""
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise ValidationError(
            {
                field: _(
                    "Nội dung quá dài (tối đa %(max)d ký tự). / The text is too long (at most "
                    "%(max)d characters)."
                )
                % {"max": limit}
            }
        )
    return text


#: The largest id a table can hold: a bigint (SQLite's INTEGER is as wide, and raises
#: OverflowError beyond it where PostgreSQL would answer no rows).
MAX_ID = 2**63 - 1


def as_id(text: str | None) -> int | None:
    """A positive id carried by a link or a form, None for anything else.

    Only ASCII digits: str.isdigit() also says yes to "²" or "١٢", which int() refuses
    or reads as another number; and no more than MAX_ID. Callers treat None as no such
    object (ignored, or a 404), never as a server error."""
    if not text or len(text) > len(str(MAX_ID)) or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
