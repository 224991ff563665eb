"""No page's title (or main heading) says the same words twice in a row.

A page's <title> is its block title followed by the site's name; a template that
puts the section's name in its block and a view that puts it in the value again
gave "Kế hoạch Kế hoạch 86/KH-UBND · Văn hóa công vụ" in the browser's tab and the
screen reader's first announcement. The Department of Home Affairs' officer of the
small demo province follows the links from the home page (as `test_crawl` does,
without the forms), in Vietnamese and in English, and every title and <h1> met is
checked. That test is `test_crawl.test_no_page_title_says_the_same_words_twice_in_a_row`,
on the demo that module builds anyway: here it built one more (the demo is built once
per module and per pytest-xdist worker, ~8 s of CPU each time).
"""

from __future__ import annotations

import functools
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.test import Client
from django.urls import Resolver404, get_urlconf, resolve

#: Visits of one URL pattern: a list, a detail and a filtered list.
VISITS_PER_ROUTE = 2
MAX_PAGES = 400
#: Not crawled: the admin, files, the session's end and the language switches (the
#: crawl keeps one language).
SKIPPED = re.compile(r"^/(admin/|static/|media/|accounts/logout|i18n/|lang/|api/)")
NOT_PAGES = re.compile(r"\.(pdf|xlsx|docx|csv|json|zip|png|svg)$|/(pdf|xlsx|docx|csv)/?$")
WORD = re.compile(r"\w+")


class Heads(HTMLParser):
    """The text of a page's <title> and <h1>s, and its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.h1: list[str] = []
        self.links: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in = "title"
        elif tag == "h1":
            self._in = "h1"
            self.h1.append("")
        elif tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"title", "h1"}:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1[-1] += data


def repeated_words(text: str) -> str | None:
    """The first group of words said twice in a row in `text` ("kế hoạch" in "Kế hoạch
    kế hoạch 86"), whatever the case and the punctuation between them; None if none."""
    words = [w.lower() for w in WORD.findall(text)]
    for size in range(1, len(words) // 2 + 1):
        for start in range(len(words) - 2 * size + 1):
            group = words[start : start + size]
            # A number may follow itself ("Quý 1 1/2026" is not a page's wording, but
            # "2026 · 1" splits into numbers that may); words are what a reader hears twice.
            if group == words[start + size : start + 2 * size] and not all(
                w.isdigit() for w in group
            ):
                return " ".join(group)
    return None


def test_the_check_finds_words_said_twice_in_a_row() -> None:
    assert repeated_words("Kế hoạch kế hoạch 86/KH-UBND · Văn hóa công vụ") == "kế hoạch"
    assert repeated_words("Kế hoạch · Kế hoạch 86 · Văn hóa công vụ") == "kế hoạch"
    assert repeated_words("Audit log Audit log") == "audit log"
    assert repeated_words("Sở Nội vụ: Nhiệm vụ · Văn hóa công vụ") is None
    assert repeated_words("Công vụ · Văn hóa công vụ") is None
    assert repeated_words("Quý 1/2026 · 1") is None


def _route(path: str) -> str | None:
    # Each path once per URLconf: the crawl meets the same links on page after page.
    return _route_in(path, get_urlconf() or settings.ROOT_URLCONF)


@functools.cache
def _route_in(path: str, urlconf: str) -> str | None:
    try:
        return resolve(path, urlconf).route
    except Resolver404:
        return None


def crawl(client: Client) -> tuple[int, list[str]]:
    """Pages seen and the faults found: a title or <h1> that repeats itself."""
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    faults: list[str] = []
    queue: deque[str] = deque(["/"])
    pages = 0
    while queue and pages < MAX_PAGES:
        parts = urlsplit(queue.popleft())
        if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
            continue
        path = parts.path
        if not path.startswith("/") or SKIPPED.match(path) or NOT_PAGES.search(path):
            continue
        target = path + (f"?{parts.query}" if parts.query else "")
        route = _route(path) or path
        if target in seen or per_route.get(route, 0) >= VISITS_PER_ROUTE:
            continue
        seen.add(target)
        per_route[route] = per_route.get(route, 0) + 1
        response = client.get(target)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        pages += 1
        heads = Heads()
        heads.feed(response.content.decode())
        for what, text in [("<title>", heads.title), *(("<h1>", h) for h in heads.h1)]:
            text = " ".join(text.split())
            twice = repeated_words(text)
            if twice:
                faults.append(f"{target}: {what} {text!r} says {twice!r} twice")
        queue.extend(urljoin(target, href) for href in heads.links)
    return pages, faults
