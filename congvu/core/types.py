from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from congvu.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request type of views behind `login_required`: `user` is a real User."""

    user: User
