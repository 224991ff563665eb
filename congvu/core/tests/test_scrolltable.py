"""`{% scrolltable %}`: a wide table's box a keyboard can scroll and a screen reader names."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from congvu.core.tests.test_crawl import Page, unreachable_tables

TEMPLATES = Path(__file__).resolve().parents[2]


def page_of(source: str, **context: object) -> Page:
    page = Page()
    page.feed(Template("{% load i18n scrolltable %}" + source).render(Context(context)))
    return page


def test_the_box_takes_the_focus_and_is_a_region_named_by_its_heading() -> None:
    page = page_of(
        '<h2 id="h-orgs">Theo cơ quan</h2>'
        '{% scrolltable labelledby="h-orgs" %}<table><tr><td>1</td></tr></table>'
        "{% endscrolltable %}"
    )

    [box] = page.tables
    assert box.attrs == {
        "class": "table-scroll",
        "role": "region",
        "tabindex": "0",
        "aria-labelledby": "h-orgs",
    }
    assert unreachable_tables(page) == []


def test_a_label_is_translated_and_escaped() -> None:
    with translation.override("en"):
        page = page_of(
            '{% scrolltable label=_("Thời gian xử lý") %}<table></table>{% endscrolltable %}'
        )
    assert page.tables[0].attrs["aria-label"] == "Handling times"
    page = page_of("{% scrolltable label=name %}<table></table>{% endscrolltable %}", name='"><b>')
    assert page.tables[0].attrs["aria-label"] == '"><b>'
    assert "<b>" not in Template(
        "{% load scrolltable %}{% scrolltable label=name %}{% endscrolltable %}"
    ).render(Context({"name": '"><b>'}))


@pytest.mark.parametrize(
    "arguments", ["", 'labelledby="h-x" label="Bảng"', 'title="Bảng"', '"h-x"']
)
def test_a_box_without_exactly_one_name_does_not_compile(arguments: str) -> None:
    with pytest.raises(TemplateSyntaxError, match="exactly one of"):
        Template(f"{{% load scrolltable %}}{{% scrolltable {arguments} %}}{{% endscrolltable %}}")


def test_the_crawl_names_the_table_and_what_it_lacks() -> None:
    page = Page()
    page.feed(
        '<h2 id="h-a">Cán bộ</h2><h2 id="h-empty"> </h2>\n'
        '<div class="table-scroll"><table data-testid="staff-table"></table></div>\n'
        '<div class="table-scroll" role="region" tabindex="0" aria-labelledby="h-gone">'
        '<table class="dash-table"></table></div>\n'
        '<div class="table-scroll" role="region" tabindex="0" aria-labelledby="h-empty">'
        "<table></table></div>\n"
        '<div class="table-scroll" role="region" tabindex="0" aria-labelledby="h-a">'
        "<table></table></div>"
    )

    assert unreachable_tables(page) == [
        'table 1 (data-testid=staff-table, line 2): no tabindex="0"; no role="region"; '
        "no aria-label nor aria-labelledby",
        "table 2 (class='dash-table', line 3): "
        'aria-labelledby="h-gone" but 0 elements have that id; '
        'aria-labelledby="h-gone" names it with no text',
        "table 3 (class='', line 4): aria-labelledby=\"h-empty\" names it with no text",
    ]


def test_no_template_writes_the_scrolling_box_by_hand() -> None:
    # By hand, the focus stop or the name gets forgotten (62 of 72 boxes had neither).
    by_hand = [
        f"{path.relative_to(TEMPLATES.parent)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if 'class="table-scroll' in line
    ]
    assert by_hand == [], "use {% scrolltable labelledby=… %} instead: " + ", ".join(by_hand)
