"""`{% scrolltable %}`: the box a wide table scrolls sideways in on a phone.

A region that scrolls must take the keyboard's focus, or a keyboard or switch
user cannot scroll it (WCAG 2.1.1), and a screen reader announces it by its
name (WCAG 4.1.2): ``role="region" tabindex="0"`` and a name, either the id of
the heading above the table or a translated label::

    {% scrolltable labelledby="h-orgs" %}<table>…</table>{% endscrolltable %}
    {% scrolltable label=_("Lỗi từng dòng") %}<table>…</table>{% endscrolltable %}

One of the two is required: a template without it does not compile. The crawl
(core/tests/test_crawl.py) checks the rendered pages: every `.table-scroll`
focusable, a region, and named by text that is on the page.
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

NAMES = ("labelledby", "label")


class ScrollTableNode(template.Node):
    def __init__(self, nodelist: NodeList, name: str, value: FilterExpression) -> None:
        self.nodelist = nodelist
        self.name = name
        self.value = value

    def render(self, context: Context) -> SafeString:
        attribute = "aria-labelledby" if self.name == "labelledby" else "aria-label"
        return format_html(
            '<div class="table-scroll" role="region" tabindex="0" {}="{}">{}</div>',
            attribute,
            self.value.resolve(context),
            self.nodelist.render(context),
        )


@register.tag
def scrolltable(parser: Parser, token: Token) -> ScrollTableNode:
    bits = token.split_contents()
    kwargs = template.base.token_kwargs(bits[1:], parser, support_legacy=False)
    if len(bits) != 2 or len(kwargs) != 1 or next(iter(kwargs)) not in NAMES:
        raise template.TemplateSyntaxError(
            f'{bits[0]} takes exactly one of labelledby="<heading id>" or label=_("…")'
        )
    nodelist = parser.parse(("endscrolltable",))
    parser.delete_first_token()
    [(name, value)] = kwargs.items()
    return ScrollTableNode(nodelist, name, value)
