"""The client's address behind a proxy: trusted only when settings say so."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from congvu.core.net import client_ip


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(settings: Any) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1"
    )
    settings.TRUST_X_FORWARDED_FOR = False
    assert client_ip(request) == "10.0.0.2"
    settings.TRUST_X_FORWARDED_FOR = True
    assert client_ip(request) == "203.0.113.9"
