"""Property-based run of the whole API from its own OpenAPI document.

Schemathesis generates requests (valid and invalid inputs) for every operation that no
deeper run covers (test_schemathesis_<area>.py runs its area's operations on rows of that
area: conftest.DEEPER_RUNS), so that each operation of the API is run once. It sends them
through the real WSGI application (every middleware: sessions, CSRF, CSP) as the Home
Affairs officer with a bearer token, and checks every response: never a server error, and
status codes, content types and bodies as the schema documents them.

Run alone: .venv/bin/pytest congvu/api/tests/test_schemathesis.py -q
"""

import inspect
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from config.wsgi import application
from congvu.accounts.models import User
from congvu.accounts.services import create_api_token
from congvu.conduct.models import CodeVersion
from congvu.organisations.models import Organisation

from .conftest import ALL_DEEPER_RUNS, API_URLCONF, DERANDOMIZE, make_version


def load_catalogue(province: dict[str, Organisation]) -> None:
    """The seed catalogue when its loader exists (conduct.services), else a small one."""
    try:
        from congvu.conduct import services as conduct_services
    except ImportError:
        conduct_services = None
    loader = getattr(conduct_services, "load_seed_catalogue", None)
    if loader is None:
        make_version(province["root"], CodeVersion.Status.RETIRED, "2024")
        make_version(province["root"], CodeVersion.Status.ACTIVE, "2025")
        make_version(province["root"], CodeVersion.Status.DRAFT, "2026")
        return
    offered = {"scope": province["root"], "organisation": province["root"], "actor": None}
    wanted = inspect.signature(loader).parameters
    loader(**{name: value for name, value in offered.items() if name in wanted})


# 25 examples per operation keeps the run well under a minute; raise it for a
# deeper search, e.g. CONGVU_SCHEMATHESIS_EXAMPLES=300.
EXAMPLES = int(os.environ.get("CONGVU_SCHEMATHESIS_EXAMPLES", "25"))


@pytest.fixture
def same_connection() -> Iterator[None]:
    # Like Django's test client: the WSGI handler would otherwise close the
    # test's database connection (and its transaction) after every request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def officer_headers(
    same_connection: None,
    province: dict[str, Organisation],
    staff_member: Any,
    officer: User,
) -> dict[str, str]:
    load_catalogue(province)
    _, key = create_api_token(officer, name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


# Loaded at import (schemathesis' fixture-based lazy loader does not work with
# pytest 9), through the same API-only URLconf the tests run with.
# The operations a deeper run covers on rows of its area are left to it (conftest.DEEPER_RUNS).
with override_settings(ROOT_URLCONF=API_URLCONF):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).exclude(
        path_regex=ALL_DEEPER_RUNS
    )


@pytest.fixture(autouse=True)
def site_urls(settings: Any) -> None:
    """The whole site, as deployed (the API is mounted the same way): /me/work answers with
    links to the site's pages, which the API-only URLconf cannot name."""
    settings.ROOT_URLCONF = "config.urls"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_fails_and_keeps_to_its_schema(
    case: Any, officer_headers: dict[str, str]
) -> None:
    # Schema-valid input may still be refused with a 422 because of the
    # database's state (a code already taken, an unknown organisation kind,
    # a division outside the organisation), which no schema can express, so
    # "schema-valid data must be accepted" does not hold for this API.
    case.call_and_validate(headers=officer_headers, excluded_checks=[positive_data_acceptance])
