"""Vietnamese that a reader of the English interface would meet (no tests here).

`test_crawl.test_the_english_interface_shows_no_vietnamese_beyond_the_data` follows the
provincial officer's and a citizen's links with the language switch on English and
reads every page with `EnglishPage`: the text a user sees or hears (text, and the
attributes read aloud or shown: title, aria-label, placeholder, alt, a button's value,
the labels the scripts take from `data-` attributes), leaving out what is not
interface text — scripts, styles, what a text box holds (a field's value) and any
element marked as Vietnamese (`lang="vi"`: the language switch's "Tiếng Việt"). What
holds a Vietnamese letter (or a common Vietnamese word written without its marks) is
then checked against `Data`: what the database holds (names of organisations and
staff, the catalogue's clauses — Vietnamese by design, see test_i18n —, plans and
tasks, what people typed, audit summaries, which are the record) is data, however a
page cuts it ("…") or joins it (" · "). What is left is a leak.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Final

from django.apps import apps
from django.db import models

VIETNAMESE_LETTER: Final = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE
)
#: Vietnamese words that are no English words, as a hard-coded text typed without its
#: marks would hold them ("Khong tim thay"); short ones that English has ("so", "ban",
#: "can", "do") are left out.
UNACCENTED: Final = frozenset(
    [
        "khong",
        "nguoi",
        "duoc",
        "nhung",
        "cua",
        "cac",
        "mot",
        "thang",
        "ngay",
        "trong",
        "theo",
        "voi",
        "hoac",
        "neu",
        "chua",
        "xin",
        "vui",
        "luu",
        "huy",
        "xoa",
        "kiem",
        "thong",
        "nhap",
        "dang",
        "chon",
        "gui",
        "sua",
        "tao",
        "nhiem",
        "danh",
        "phuong",
    ]
)
#: Vietnamese on an English page by design, in a text: a quoted term (“Hướng dẫn”, the
#: name of the import file's instructions sheet), an official document's number
#: (1847/QĐ-TTg, 86/KH-UBND), the product's name, and the examples of a search in a
#: Vietnamese catalogue ("vòi vĩnh": the clauses are Vietnamese, see test_i18n).
BY_DESIGN: Final = re.compile(
    r"“[^”]*”|\b\d+/[A-ZĐ0-9-]+\b|Công vụ|vòi vĩnh|rượu bia|xin chào|voi vinh|ruou bia"
    # A language named in itself (the switch); the kiosk's switch named in both languages
    # for whoever reads neither.
    r"|Tiếng Việt|Ngôn ngữ / Language"
)
#: Whole sentences so by design, taken out first: the import pages' help names the
#: columns and the values of the (Vietnamese) files.
BY_DESIGN_SENTENCES: Final = re.compile(
    r"STT, Nội dung nhiệm vụ, Cơ quan chủ trì, Cơ quan phối hợp, Thời gian thực hiện, Sản phẩm"
    r"|Ví dụ / Examples: .*"
    r"|Mã hồ sơ, Mã cán bộ xử lý, Quầy, Thủ tục, Ngày tiếp nhận"
)
#: A number the page puts before a task's title ("1. Tổ chức quán triệt…").
NUMBERED: Final = re.compile(r"^\d+\.\s+")
#: Attributes a user sees or hears; the scripts' labels (`data-label-open`…) become
#: aria-labels and hints.
READ_ATTRIBUTES: Final = frozenset(
    ["title", "aria-label", "placeholder", "alt", "aria-description", "data-placeholder"]
)
NOT_READ: Final = frozenset(["script", "style", "textarea", "template"])
#: Elements without an end tag: never open, so never hold text (also `test_crawl`'s parser).
VOID: Final = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
#: The part of a model's text that is worded again when read, in the reader's language
#: (core.notices): its stored Vietnamese is a record, never shown to an English reader.
WORDED_WHEN_READ: Final = {("core", "notification")}


class EnglishPage(HTMLParser):
    """The language of a page (`<html lang>`) and the texts it shows outside elements
    marked as in another language."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.language = ""
        #: (text, where): where is "" for a text, "<tag> <attribute>" for an attribute.
        self.texts: list[tuple[str, str]] = []
        self._open: list[tuple[str, str, bool]] = []  # (tag, language, read)

    def _reading(self) -> bool:
        return all(read for _, _, read in self._open)

    def _language(self) -> str:
        return next((lang for _, lang, _ in reversed(self._open) if lang), self.language)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "html":
            self.language = a.get("lang", "")
            return
        lang = a.get("lang", "")
        read = tag not in NOT_READ
        if self._reading() and (lang or self._language()).startswith("en"):
            for name, value in a.items():
                if value.strip() and (
                    name in READ_ATTRIBUTES
                    or name.startswith("data-label")
                    or (name == "value" and a.get("type") in {"submit", "button", "reset"})
                ):
                    self.texts.append((" ".join(value.split()), f"<{tag}> {name}"))
        if tag not in VOID:
            self._open.append((tag, lang, read))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and self._reading() and self._language().startswith("en"):
            self.texts.append((text, ""))


def reads_vietnamese(text: str) -> bool:
    if VIETNAMESE_LETTER.search(text):
        return True
    return any(word in UNACCENTED for word in re.findall(r"[a-z]+", text.lower()))


class Data:
    """Every text the database holds that reads Vietnamese: what a page may show in
    Vietnamese in English too, being data, not interface."""

    def __init__(self, typed: list[str]) -> None:
        """`typed`: what the crawl typed into forms, which a page may show back."""
        found = {" ".join(text.split()) for text in typed}
        for model in apps.get_models():
            meta = model._meta
            if (meta.app_label, meta.model_name) in WORDED_WHEN_READ:
                continue
            for column in meta.concrete_fields:
                if not isinstance(column, (models.CharField, models.TextField)):
                    continue
                if column.choices:  # a slug; the page shows its translated label
                    continue
                values = model._default_manager.values_list(column.attname, flat=True)
                found.update(
                    " ".join(value.split())
                    for value in values.distinct()
                    if value and reads_vietnamese(value)
                )
        #: Longest first: "Sở Tư pháp" is removed before "Tư pháp" could cut it.
        self.texts = sorted((text for text in found if len(text) > 1), key=len, reverse=True)
        self.exact = frozenset(self.texts)
        self._seen: dict[str, str] = {}

    def left(self, text: str) -> str:
        """What of `text` reads Vietnamese once the data and what is so by design are
        taken out ("" when nothing does)."""
        if text not in self._seen:
            self._seen[text] = self._left(text)
        return self._seen[text]

    def _left(self, text: str) -> str:
        if not reads_vietnamese(text) or text in self.exact:
            return ""
        left = []
        # A page joins data (" · ", " — ") and cuts it short ("Tổ chức quán triệt, phổ…"):
        # each piece is looked for whole first, inside a text (a start cut short), and
        # then for the data it holds ("Reason: <what the officer typed>").
        for piece in re.split(r"…|\s[·|—]\s", BY_DESIGN_SENTENCES.sub(" ", text)):
            whole = NUMBERED.sub("", piece.strip(" ,.;:()"))
            if not reads_vietnamese(whole) or self._inside(whole):
                continue
            for data in self.texts:
                if data in piece:
                    piece = piece.replace(data, " ")
            piece = " ".join(BY_DESIGN.sub(" ", piece).split())
            if reads_vietnamese(piece):
                left.append(piece)
        return " … ".join(left)

    def _inside(self, piece: str) -> bool:
        return piece in self.exact or any(piece in data for data in self.texts)
