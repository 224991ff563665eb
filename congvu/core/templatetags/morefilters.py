"""`{% morefilters %}`: a long filter form folds its less used fields away.

On a phone a list page's dozen filter selects came before the list, several
screens of them. The primary fields (the search box, or the one or two most
used) and the submit button stay in view; the rest sit in a native
``<details class="field more-filters">`` (no JavaScript; a ``.field``, aligned
and spaced like the others) inside the same form, so the one submit button
sends them too::

    <form method="get" class="toolbar">
      <div class="field">{{ form.q.label_tag }}{{ form.q }}</div>
      {% morefilters form primary="q" %}
        <div class="field">{{ form.status.label_tag }}{{ form.status }}</div>
        …
      {% endmorefilters %}
      <div class="field"><button type="submit">…</button></div>
    </form>

The folded fields are the form's fields that are neither primary nor hidden.
Nothing active is hidden: the details is open when one of them is in use (a
value other than its default) or has an error, and its summary says how many
are in use ("Thêm bộ lọc (2 đang dùng)").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms, template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()

EMPTY: tuple[Any, ...] = (None, "", False, [], ())


def _default(field: forms.Field) -> str:
    """What the field holds when nobody chose: its initial, else a choice field's first
    choice (a select with no empty choice shows and sends that one)."""
    initial = field.initial() if callable(field.initial) else field.initial
    if initial not in EMPTY:
        return str(initial)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        first = next(iter(field.widget.choices), None)  # normalised by the field
        if first is not None and first[0] not in EMPTY:
            return str(first[0])
    return ""


def folded_names(form: forms.BaseForm, primary: Iterable[str]) -> list[str]:
    keep = set(primary)
    return [
        name
        for name, field in form.fields.items()
        if name not in keep and not field.widget.is_hidden
    ]


def in_use(form: forms.BaseForm, name: str) -> bool:
    """The user chose something other than the default for this field."""
    if not form.is_bound:
        return False
    value = form[name].data
    if isinstance(value, str):
        value = value.strip()
    if value in EMPTY:
        return False
    if isinstance(value, list | tuple):
        return True
    return str(value) != _default(form.fields[name])


def fold_state(form: forms.BaseForm, primary: Iterable[str]) -> tuple[int, bool]:
    """(how many folded filters are in use, whether the details must be open)."""
    names = folded_names(form, primary)
    used = sum(1 for name in names if in_use(form, name))
    errors = form.is_bound and any(form[name].errors for name in names)
    return used, bool(used or errors)


class MoreFiltersNode(template.Node):
    def __init__(self, nodelist: NodeList, form: FilterExpression, primary: FilterExpression):
        self.nodelist = nodelist
        self.form = form
        self.primary = primary

    def render(self, context: Context) -> SafeString:
        form = self.form.resolve(context)
        primary = str(self.primary.resolve(context) or "").split()
        used, is_open = fold_state(form, primary)
        label = gettext("Thêm bộ lọc")
        if used:
            label = gettext("Thêm bộ lọc (%(count)s đang dùng)") % {"count": used}
        return format_html(
            '<details class="field more-filters"{}><summary>{}</summary>'
            '<div class="more-filters-body">{}</div></details>',
            SafeString(" open") if is_open else "",
            label,
            self.nodelist.render(context),
        )


@register.tag
def morefilters(parser: Parser, token: Token) -> MoreFiltersNode:
    bits = token.split_contents()
    kwargs = template.base.token_kwargs(bits[2:], parser, support_legacy=False)
    if len(bits) != 3 or set(kwargs) != {"primary"}:
        raise template.TemplateSyntaxError(
            f'{bits[0]} takes a form and primary="<names of the fields kept in view>"'
        )
    nodelist = parser.parse(("endmorefilters",))
    parser.delete_first_token()
    return MoreFiltersNode(nodelist, parser.compile_filter(bits[1]), kwargs["primary"])
