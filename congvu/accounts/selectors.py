"""Reads over accounts that filter or search."""

from __future__ import annotations

from typing import Any

from congvu.core.text import fold, search_terms


def search_users(users: Any, query: str) -> Any:
    """Accent-insensitive search on full name and username ("duc" finds "Đức").

    User has no stored folded column, so the (already scoped) candidates are
    folded here; a province has thousands of accounts, not millions.
    """
    terms = search_terms(query)
    if not terms:
        return users
    rows = users.values_list("pk", "username", "full_name")
    ids = [
        pk
        for pk, username, full_name in rows
        if all(term in fold(f"{full_name} {username}") for term in terms)
    ]
    return users.filter(pk__in=ids)
