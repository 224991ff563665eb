"""Checks that other apps add to `manage.py audit_verify`.

The audit chain proves that no audit event was changed. An app whose own rows
are recorded in the chain (a case's timeline, say) registers a verifier that
compares those rows with what their audit events recorded, so editing the
row itself is detected too. A verifier returns a list of problems (empty: all
is well); the audit app knows nothing of the apps that register.
"""

from __future__ import annotations

from collections.abc import Callable

Verifier = Callable[[], list[str]]

_registry: dict[str, Verifier] = {}


def register(name: str, func: Verifier) -> None:
    """Add (or replace, on a reload) the verifier `name`; call from an AppConfig.ready()."""
    _registry[name] = func


def registered() -> dict[str, Verifier]:
    return dict(_registry)


def run_all() -> dict[str, list[str]]:
    """{verifier name: its problems} for every registered verifier."""
    return {name: func() for name, func in _registry.items()}
