"""A button's service call and what the user is told of it, for views that redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

T = TypeVar("T")


def flash_outcome(request: HttpRequest, call: Callable[[], T], done: Callable[[T], str]) -> bool:
    """Run `call`; say `done(result)` when it worked, the service's refusal when it did not.

    For a POST that changes one thing and redirects (compute, publish, remove, withdraw):
    the refusal is the service's own message, nothing is changed (the service runs in
    its transaction). True when it worked.
    """
    try:
        result = call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done(result))
    return True
