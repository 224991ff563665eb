"""`{{ event|shown_body }}`: a case event's body in the reader's language (`cases.history`)."""

from __future__ import annotations

from django import template

from congvu.cases import history
from congvu.cases.models import CaseEvent

register = template.Library()


@register.filter
def shown_body(event: CaseEvent) -> history.Shown:
    return history.shown(event)
