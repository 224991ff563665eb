"""Every page a user can reach by following links, and every form on it fed bad input.

A small demo province is built once for the module; then, for each demo user
and for a citizen without an account, a crawler starts from the pages they
would open (the home page, a badge link, the public pages), follows the
links it is shown and checks what a user would notice:

* a link on a page never leads to an error page (404, 403 or 500): a user
  should not be shown a link they cannot use;
* every table that scrolls sideways on a phone (`.table-scroll`, made by
  `{% scrolltable %}`) can take the keyboard's focus and is a region named by
  text on the page, so that a keyboard or switch user can scroll it and a
  screen reader announces it (WCAG 2.1.1, 4.1.2);
* no two landmarks of a page (sections named by their heading, the scrolling tables'
  regions, navigations, forms with a name…) share a role and a name, which a screen
  reader's list of landmarks would read twice (axe-core's landmark-unique);
* every form on those pages, sent with hostile values (empty, far too long,
  control characters, markup, impossible dates and numbers, choices that
  are not offered), is answered without a server error — with the form again
  and its errors, or a redirect;
* no page's <title> or <h1> says the same words twice in a row, for the provincial
  officer in Vietnamese and in English (`test_page_titles.py` has the check and its
  crawl; the test is here, on this module's demo);
* in English, the provincial officer's and a citizen's pages — and the answers to their
  search forms, and to the citizen's forms, sent empty and hostile — show no Vietnamese
  but the data (`language_leaks.py` tells one from the other);
* every form the provincial officer is shown, filled in as the user left it
  (and made valid where it can be), with one date or number at a time set
  to a value that parses but no one means (year 1, year 9999, a number too
  big for the database): no server error, neither from the form nor from the
  page it leads to once saved (each such submission is rolled back).

Each URL pattern is visited a few times per user (not every staff member's
page), which keeps the module to a few seconds per user.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, get_urlconf, resolve

from congvu.accounts.models import User
from congvu.feedback.models import Counter, Dossier
from congvu.organisations.models import Organisation, StaffMember

from . import test_page_titles
from .language_leaks import VOID, Data, EnglishPage

#: Visits of one URL pattern per user: enough to see list, detail and a filtered list.
VISITS_PER_ROUTE = 2
#: A bound on one user's crawl, far above what the demo links to.
MAX_PAGES = 400
#: Not crawled: Django's own admin, the static files, the session's end, and the
#: language switch (tested on its own: it would turn the rest of the crawl English).
SKIPPED = re.compile(r"^/(admin/|static/|media/|accounts/logout|i18n/)")
#: PDFs are made by WeasyPrint (seconds for a badge sheet): their own tests fetch them.
PDF = re.compile(r"\.pdf$|/pdf/?$")

HOSTILE_TEXT = "<script>alert(1)</script>\x00 " + "Đ" * 5000
HOSTILE_VALUES = {
    "text": HOSTILE_TEXT,
    "search": "%' OR 1=1 --\x00",
    "textarea": HOSTILE_TEXT * 4,
    "number": "-1e309",
    "date": "31/02/2026",
    "datetime-local": "2026-13-45T25:61",
    "email": "khong-phai-email@",
    "url": "javascript:alert(1)",
    "tel": "\x00" * 40,
    "month": "2026-00",
    "password": "",
    "select": "khong-co-lua-chon",
    "radio": "khong-co-lua-chon",
    "checkbox": "khong-co-lua-chon",
}


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> input type
    hidden: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    #: What a browser sends when the user changes nothing: values shown, the selected
    #: (or first) option, the checked boxes.
    shown: dict[str, str] = field(default_factory=dict)
    lowest: dict[str, str] = field(default_factory=dict)  # a number input's `min`


@dataclass
class ScrollingTable:
    """A `.table-scroll` box: its attributes, where it starts and the table it holds."""

    attrs: dict[str, str]
    line: int
    table: str = ""


@dataclass
class Landmark:
    """An element a screen reader lists among the page's landmarks, if it has a name where
    its role needs one (a region, a form): its role, attributes and where it starts."""

    role: str
    attrs: dict[str, str]
    line: int


#: Explicit roles that are landmarks (WAI-ARIA 1.2).
LANDMARK_ROLES = frozenset(
    ["banner", "complementary", "contentinfo", "form", "main", "navigation", "region", "search"]
)
#: Implicit roles; a header or footer is the page's banner or contentinfo only outside
#: these sectioning elements (HTML-AAM), and a section or form only when named.
IMPLICIT_ROLES = {
    "main": "main",
    "nav": "navigation",
    "aside": "complementary",
    "header": "banner",
    "footer": "contentinfo",
    "section": "region",
    "form": "form",
    "search": "search",
}
SECTIONING = frozenset(["article", "aside", "main", "nav", "section"])
NAMED_ONLY = frozenset(["region", "form"])


class Page(HTMLParser):
    """The links and forms of one HTML page, its scrolling tables and the text of each id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.tables: list[ScrollingTable] = []
        self.landmarks: list[Landmark] = []
        #: The <table>s of the page, each with whether its <caption> holds text.
        self.captions: list[tuple[str, bool]] = []
        self.id_text: dict[str, list[str]] = {}
        self.id_count: dict[str, int] = {}
        self._open: list[tuple[str, str]] = []  # (tag, id or "") of the elements not yet closed
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        form = self._form
        role = self._landmark_role(tag, a)
        if role:
            self.landmarks.append(Landmark(role, a, self.getpos()[0]))
        if tag == "table":
            self.captions.append((_table_name(a), False))
        if tag not in VOID:
            self._open.append((tag, a.get("id", "")))
        if a.get("id"):
            self.id_count[a["id"]] = self.id_count.get(a["id"], 0) + 1
            self.id_text.setdefault(a["id"], [])
        if "table-scroll" in a.get("class", "").split():
            self.tables.append(ScrollingTable(a, self.getpos()[0]))
        elif tag == "table" and self.tables and not self.tables[-1].table:
            self.tables[-1].table = _table_name(a)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif form is not None and tag == "option" and self._select is not None:
            value = a.get("value", "")
            if value and (self._select not in form.shown or "selected" in a):
                form.shown[self._select] = value
        elif form is not None and tag in {"input", "textarea", "select", "button"}:
            name = a.get("name")
            kind = a.get("type", "text").lower() if tag == "input" else tag
            if "data-date-input" in a:
                kind = "date"  # core.forms.DateInput: a text box that holds a date
            if not name or kind in {"submit", "button", "reset", "image"}:
                return
            if kind == "hidden":
                form.hidden[name] = a.get("value", "")
            elif kind == "file":
                form.files.append(name)
            else:
                form.fields[name] = kind
                if kind in {"checkbox", "radio"}:
                    if "checked" in a or (kind == "radio" and name not in form.shown):
                        form.shown[name] = a.get("value", "on")
                elif kind == "select":
                    self._select = name
                elif kind == "textarea":
                    self._textarea = name
                    form.shown[name] = ""
                elif a.get("value"):
                    form.shown[name] = a["value"]
                if kind == "number" and a.get("min"):
                    form.lowest[name] = a["min"]

    def _landmark_role(self, tag: str, a: dict[str, str]) -> str:
        explicit = a.get("role", "").split()
        if explicit:
            return explicit[0] if explicit[0] in LANDMARK_ROLES else ""
        role = IMPLICIT_ROLES.get(tag, "")
        if tag in {"header", "footer"} and any(t in SECTIONING for t, _ in self._open):
            return ""
        if tag == "aside" and any(t in SECTIONING - {"main"} for t, _ in self._open):
            return ""  # an aside inside a section or an article is not complementary
        return role

    def handle_data(self, data: str) -> None:
        if data.strip() and any(t == "caption" for t, _ in self._open) and self.captions:
            self.captions[-1] = (self.captions[-1][0], True)
        if self._form is not None and self._textarea is not None:
            self._form.shown[self._textarea] += data
        for _, id_ in self._open:
            if id_:
                self.id_text[id_].append(data)

    def handle_endtag(self, tag: str) -> None:
        # An end tag closes the last element of its name and whatever the page left open
        # inside it (<p>, <li> without their end tags).
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _table_name(a: dict[str, str]) -> str:
    return (
        f"data-testid={a['data-testid']}"
        if a.get("data-testid")
        else f"class={a.get('class', '')!r}"
    )


def landmark_name(page: Page, landmark: Landmark) -> str:
    """The name a screen reader gives the landmark: the text of the elements its
    aria-labelledby names, else its aria-label, else its title; spaces collapsed."""
    ids = landmark.attrs.get("aria-labelledby", "").split()
    text = " ".join("".join(page.id_text.get(id_, [])) for id_ in ids)
    if not text.strip():
        text = landmark.attrs.get("aria-label", "") or landmark.attrs.get("title", "")
    return " ".join(text.split())


def repeated_landmarks(page: Page) -> list[str]:
    """The landmarks of `page` that share their role and name with another (names compared
    as axe-core's landmark-unique does, regardless of case): a screen reader's list of
    landmarks reads them alike. A region or a form without a name is no landmark."""
    seen: dict[tuple[str, str], list[Landmark]] = {}
    for landmark in page.landmarks:
        name = landmark_name(page, landmark)
        if landmark.role in NAMED_ONLY and not name:
            continue
        seen.setdefault((landmark.role, name.casefold()), []).append(landmark)
    return [
        f"{len(alike)} landmarks {role} named {landmark_name(page, alike[0])!r}, lines "
        + ", ".join(str(landmark.line) for landmark in alike)
        for (role, _), alike in seen.items()
        if len(alike) > 1
    ]


def uncaptioned_tables(page: Page) -> list[str]:
    """The tables of `page` without a caption that says something."""
    return [name for name, captioned in page.captions if not captioned]


def unreachable_tables(page: Page) -> list[str]:
    """What keeps each scrolling table of `page` from a keyboard or a screen reader."""
    faults = []
    for number, box in enumerate(page.tables, 1):
        a = box.attrs
        wrong = []
        if a.get("tabindex") != "0":
            wrong.append('no tabindex="0"')
        if a.get("role") != "region":
            wrong.append('no role="region"')
        ids = a.get("aria-labelledby", "").split()
        if a.get("aria-label", "").strip():
            pass
        elif not ids:
            wrong.append("no aria-label nor aria-labelledby")
        else:
            for id_ in ids:
                if page.id_count.get(id_, 0) != 1:
                    found = page.id_count.get(id_, 0)
                    wrong.append(f'aria-labelledby="{id_}" but {found} elements have that id')
            if not "".join("".join(page.id_text.get(id_, [])) for id_ in ids).strip():
                wrong.append(f'aria-labelledby="{" ".join(ids)}" names it with no text')
        if wrong:
            faults.append(f"table {number} ({box.table}, line {box.line}): " + "; ".join(wrong))
    return faults


def route_of(path: str) -> str | None:
    """The URL pattern `path` matches, None if none. A crawl meets the same links on page
    after page (7,000 links for 160 pages): each path is resolved once per URLconf."""
    return _route_of(path, get_urlconf() or settings.ROOT_URLCONF)


@functools.cache
def _route_of(path: str, urlconf: str) -> str | None:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return match.route


@dataclass
class Crawl:
    client: Client
    visited: set[str] = field(default_factory=set)
    per_route: dict[str, int] = field(default_factory=dict)
    forms_sent: set[tuple[str, str]] = field(default_factory=set)
    broken: list[str] = field(default_factory=list)
    pages: int = 0
    #: Scrolling tables seen (each checked by `unreachable_tables`).
    tables: int = 0
    #: Send well-formed but absurd values one field at a time (`_send_absurd`) instead
    #: of hostile values in every field.
    absurd: bool = False
    variants: int = 0
    #: Values for text fields that must name something real (an organisation's code…).
    examples: dict[str, str] = field(default_factory=dict)

    def _wanted(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
            return None
        path = parts.path
        if not path.startswith("/") or SKIPPED.match(path) or PDF.search(path):
            return None
        target = path + (f"?{parts.query}" if parts.query else "")
        if target in self.visited:
            return None
        route = route_of(path) or path  # a path no pattern matches is visited: it is a 404
        if self.per_route.get(route, 0) >= VISITS_PER_ROUTE:
            return None
        return target

    def run(self, starts: list[str]) -> None:
        queue: deque[tuple[str, str]] = deque((start, "(start)") for start in starts)
        while queue and self.pages < MAX_PAGES:
            url, found_on = queue.popleft()
            target = self._wanted(url)
            if target is None:
                continue
            self.visited.add(target)
            route = route_of(urlsplit(target).path) or target
            self.per_route[route] = self.per_route.get(route, 0) + 1
            self.pages += 1
            response = self.client.get(target, follow=True)
            if response.status_code >= 400:
                self.broken.append(f"GET {target} → {response.status_code} (link on {found_on})")
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            final = response.request["PATH_INFO"]
            page = Page()
            page.feed(response.content.decode())
            self.tables += len(page.tables)
            for fault in unreachable_tables(page):
                self.broken.append(f"GET {target}: scrolling {fault}")
            for fault in repeated_landmarks(page):
                self.broken.append(f"GET {target}: {fault}")
            for href in page.links:
                queue.append((urljoin(final, href), final))
            for form in page.forms:
                self._send(form, final)

    def _send(self, form: Form, page: str) -> None:
        action = urljoin(page, form.action or page)
        path = urlsplit(action).path
        if SKIPPED.match(path):
            return
        key = (route_of(path) or path, form.method)
        if key in self.forms_sent:
            return
        self.forms_sent.add(key)
        if self.absurd:
            self._send_absurd(form, action, page)
            return
        data: dict[str, Any] = dict(form.hidden)
        for name, kind in form.fields.items():
            data[name] = HOSTILE_VALUES.get(kind, HOSTILE_TEXT)
        if form.method == "post":
            query = dict(parse_qsl(urlsplit(action).query))
            for name in form.files:
                data[name] = _hostile_file()
            response = self.client.post(action, {**query, **data})
        else:
            response = self.client.get(f"{path}?{urlencode(data)}")
        if response.status_code >= 500:
            self.broken.append(f"{form.method.upper()} form {action} on {page} → 500")

    def _send_absurd(self, form: Form, action: str, page: str) -> None:
        """The form as the user left it, valid where it can be, with one field at a time
        set to a value that parses but makes no sense (year 1, year 9999, a number too
        big for the database). Each submission is rolled back: one form's change must
        not hide the next form's page."""
        baseline = {**form.hidden, **form.shown}
        for name, kind in form.fields.items():
            if not baseline.get(name, "").strip():
                baseline[name] = (
                    self.examples.get(name) or form.lowest.get(name) or PLAUSIBLE.get(kind, "")
                )
            if kind == "checkbox" and name not in form.shown:
                baseline.pop(name, None)
        for name, kind in form.fields.items():
            for value in ABSURD.get(kind, ()):
                self.variants += 1
                data = {**baseline, name: value}
                with transaction.atomic():
                    if form.method == "post":
                        response = self.client.post(action, data, follow=True)
                    else:
                        response = self.client.get(urlsplit(action).path, data, follow=True)
                    transaction.set_rollback(True)
                if response.status_code >= 500:
                    self.broken.append(
                        f"{form.method.upper()} {action} ({page}) with {name}={value!r} → 500"
                    )


#: What fills an empty field so that the rest of the form can be valid.
PLAUSIBLE = {
    "text": "TN-2026-01",
    "textarea": "Nội dung thử, đủ dài để qua kiểm tra độ dài tối thiểu của biểu mẫu.",
    "date": "2026-11-27",
    "datetime-local": "2026-11-27T09:30",
    "time": "09:30",
    "number": "1",
    "email": "thu@example.vn",
    "url": "https://example.vn/",
    "tel": "0912345678",
    "month": "2026-11",
    "search": "",
}
#: Values that parse but no real user means: each 500 they cause is a bug.
ABSURD = {
    "date": ("0001-01-01", "9999-12-31"),
    "datetime-local": ("0001-01-01T00:00", "9999-12-31T23:59"),
    "month": ("0001-01", "9999-12"),
    "number": ("99999999999999999999", "-99999999999999999999", "0", "-1", "1e3"),
}


def _hostile_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("anh.jpg", b"<html><script>alert(1)</script>", "image/jpeg")


def citizen_starts() -> list[str]:
    """The home page and the QR codes a citizen scans: a badge, a counter, its kiosk
    and a dossier receipt not yet rated (the demo makes a few of each)."""
    staff = StaffMember.objects.filter(is_active=True).order_by("pk").first()
    counter = Counter.objects.filter(is_active=True).order_by("pk").first()
    dossier = Dossier.objects.filter(rating__isnull=True).order_by("pk").first()
    assert staff is not None and counter is not None and dossier is not None
    return [
        "/",
        f"/r/{staff.badge_token}",
        f"/q/{counter.qr_token}",
        f"/kiosk/{counter.kiosk_token}",
        f"/d/{dossier.rating_token}",
    ]


USERNAMES = ["noivu", "giamdoc.stp", "daumoi.xa", "xuly", "thanhtra", "xem", "canbo", "admin"]
#: Pages some users must reach by following links (a page nobody links to is never crawled).
REACHED = {"giamdoc.stp": ["org/<int:pk>/conduct-record/"]}


@pytest.mark.parametrize("username", USERNAMES)
def test_a_signed_in_user_meets_no_broken_link_and_no_server_error(
    demo: dict[str, str], username: str
):
    client = Client()
    client.force_login(User.objects.get(username=username))
    crawl = Crawl(client)
    crawl.run(["/"])
    assert crawl.pages > 5, "the crawl found almost nothing: the start page lost its links"
    assert crawl.tables > 0, "no scrolling table met: their check would pass whatever they are"
    assert crawl.broken == []
    assert "/accounts/sign-ins/" in crawl.visited  # linked from the account page
    for route in REACHED.get(username, []):
        assert route in crawl.per_route, f"{username} found no link to {route}"


def test_a_citizen_without_an_account_meets_no_broken_link_and_no_server_error(
    demo: dict[str, str],
):
    crawl = Crawl(Client())
    crawl.run(citizen_starts())
    assert crawl.pages > 3
    assert crawl.tables > 0  # the public satisfaction and rankings tables
    assert crawl.broken == []


def test_absurd_but_well_formed_values_in_any_form_never_cause_a_server_error(demo: dict[str, str]):
    # The provincial officer sees every form; the citizens' forms have no date or number.
    client = Client()
    client.force_login(User.objects.get(username="noivu"))
    staff = StaffMember.objects.filter(is_active=True).select_related("organisation").first()
    assert staff is not None
    examples = {
        "organisation": staff.organisation.code,
        "staff_code": staff.staff_code,
        "reporter_phone": "0912345678",
    }
    crawl = Crawl(client, absurd=True, examples=examples)
    crawl.run(["/"])
    assert crawl.variants > 50
    assert crawl.broken == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_page_title_says_the_same_words_twice_in_a_row(
    demo: dict[str, str], language: str
) -> None:
    client = Client()
    client.force_login(User.objects.get(username="noivu"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages, faults = test_page_titles.crawl(client)
    assert pages > 50, "the crawl found almost nothing: the start page lost its links"
    print(f"{pages} pages, {len(faults)} faults")
    assert faults == []


#: Links that change the language (the kiosk's is in its address): the crawl stays English.
SWITCHES_LANGUAGE = re.compile(r"^/lang/|[?&]lang=vi\b")


def english_leaks(client: Client, starts: list[str], *, send_posts: bool) -> tuple[int, list[str]]:
    """Pages read in English, and what they show in Vietnamese beyond the data. The forms
    met are sent once each, with hostile values and empty: those that only search (GET),
    and with `send_posts` the others (each answer rolled back)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = Data(list(HOSTILE_VALUES.values()))
    crawl = Crawl(client)
    leaks: dict[str, str] = {}

    def read(response: Any, where: str) -> Page | None:
        if not response.get("Content-Type", "").startswith("text/html"):
            return None
        html = response.content.decode()
        english = EnglishPage()
        english.feed(html)
        route = route_of(response.request["PATH_INFO"]) or ""
        if not english.language.startswith("en"):
            # The kiosk's language is in its address; a new citizen starts in Vietnamese.
            if not route.startswith("kiosk/"):
                leaks.setdefault(f"<html lang={english.language!r}>", where)
            return None
        for text, attribute in english.texts:
            left = data.left(text)
            if left:
                leaks.setdefault(f"{left!r} in {attribute or 'text'} {text[:120]!r}", where)
        page = Page()
        page.feed(html)
        return page

    queue: deque[str] = deque(starts)
    while queue and crawl.pages < MAX_PAGES:
        url = queue.popleft()
        target = crawl._wanted(url)
        if target is None or SWITCHES_LANGUAGE.search(target):
            continue
        crawl.visited.add(target)
        route = route_of(urlsplit(target).path) or target
        crawl.per_route[route] = crawl.per_route.get(route, 0) + 1
        crawl.pages += 1
        response = client.get(target, follow=True)
        page = read(response, f"GET {target}")
        if page is None:
            continue
        final = response.request["PATH_INFO"]
        queue.extend(urljoin(final, href) for href in page.links)
        for form in page.forms:
            action = urljoin(final, form.action or final)
            path = urlsplit(action).path
            key = (route_of(path) or path, form.method)
            if SKIPPED.match(path) or key in crawl.forms_sent:
                continue
            if form.method == "post" and not send_posts:
                continue
            crawl.forms_sent.add(key)
            for values in (HOSTILE_VALUES, {}):
                sent = {**form.hidden, **{n: values.get(k, "") for n, k in form.fields.items()}}
                with transaction.atomic():
                    if form.method == "post":
                        response = client.post(action, sent, follow=True)
                    else:
                        response = client.get(path, sent, follow=True)
                    transaction.set_rollback(True)
                read(response, f"{form.method.upper()} {action} (form on {target})")
    return crawl.pages, [f"{leak} — {where}" for leak, where in leaks.items()]


def test_the_english_interface_shows_no_vietnamese_beyond_the_data(demo: dict[str, str]) -> None:
    officer = Client()
    officer.force_login(User.objects.get(username="noivu"))
    pages, leaks = english_leaks(officer, ["/"], send_posts=False)
    assert pages > 50, "the crawl found almost nothing: the start page lost its links"
    counter = Counter.objects.filter(is_active=True).order_by("pk").first()
    assert counter is not None
    starts = [
        *citizen_starts(),
        f"/kiosk/{counter.kiosk_token}?lang=en",
        "/report/",
        "/track/",
        "/standards/",
        "/transparency/",
        "/rankings/",
        "/r/no-such-badge",  # the friendly 404 pages
        "/no-such-page/",
    ]
    citizen_pages, citizen_leaks = english_leaks(Client(), starts, send_posts=True)
    assert citizen_pages > 10
    found = leaks + citizen_leaks
    assert not found, "Vietnamese on English pages:\n" + "\n".join(found)


def test_the_language_check_tells_interface_text_from_data(demo: dict[str, str]) -> None:
    data = Data([])
    organisation = Organisation.objects.get(name="Sở Tư pháp")
    assert data.left(organisation.name) == ""
    assert data.left(f"{organisation.name} · Public service culture") == ""
    assert data.left(f"Reason: {organisation.name}.") == ""
    assert data.left(f"{organisation.name[:5]}…") == ""  # a name cut short
    assert data.left("Không tìm thấy trang") == "Không tìm thấy trang"
    assert data.left(f"{organisation.name}: Khong tim thay") == ": Khong tim thay"
    assert data.left("Decision 1847/QĐ-TTg, see the “Hướng dẫn” sheet") == ""
    page = EnglishPage()
    page.feed(
        '<html lang="en"><p title="Tìm kiếm">Search <span lang="vi">Tiếng Việt</span></p>'
        "<script>var x = 'Xin chào'</script><textarea>Nội dung</textarea></html>"
    )
    assert page.language == "en"
    assert page.texts == [("Tìm kiếm", "<p> title"), ("Search", "")]
