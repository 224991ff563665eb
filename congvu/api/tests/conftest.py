"""API fixtures: bearer-token clients for the personas and a small catalogue."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.accounts.services import create_api_token
from congvu.conduct.models import Clause, CodeVersion, Section
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import make_user
from congvu.organisations.models import Organisation

API_URLCONF = "congvu.api.tests.urls"

# Each schemathesis module loads the API's OpenAPI document at import, and a pytest-xdist
# worker imports all eight: building the document (~1.8 s of CPU, 0.5 MB) was paid eight
# times per worker. It is fetched once per process and URLconf and each module is given a
# schema of its own, parsed from that same text, so nothing is shared between modules but
# the document itself (docs/benchmarks.md, "Test suite time").
_openapi_documents: dict[tuple[str, str, int], str] = {}
_from_wsgi = schemathesis.openapi.from_wsgi


def _from_wsgi_fetched_once(path: str, app: Any, **kwargs: Any) -> Any:
    if set(kwargs) - {"config"}:  # request options: fetch as asked
        return _without_generated_credentials(_from_wsgi(path, app, **kwargs))
    key = (path, settings.ROOT_URLCONF, id(app))
    if key not in _openapi_documents:
        loaded = _from_wsgi(path, app, **kwargs)
        _openapi_documents[key] = json.dumps(loaded.raw_schema)
        return _without_generated_credentials(loaded)
    loaded = schemathesis.openapi.from_dict(json.loads(_openapi_documents[key]), **kwargs)
    loaded.app = app
    loaded.location = path
    return _without_generated_credentials(loaded)


def _without_generated_credentials(loaded: Any) -> Any:
    """Every run sends a real credential of its own (a bearer token, or none for the
    public operations) in `call_and_validate`'s headers, which replace whatever header
    schemathesis generated for the security scheme. A case made "negative" by a malformed
    `Authorization` alone then reached the API with the valid token, and its 200 was
    reported as "schema-violating request accepted" (seen in random runs of `GET /users`).
    So schemathesis does not generate the security scheme's parameters; the credentials'
    own checks (401 without or with a bad token) are tested in test_auth.py."""
    loaded.config.generation.update(with_security_parameters=False)
    return loaded


schemathesis.openapi.from_wsgi = _from_wsgi_fetched_once


@pytest.fixture(autouse=True)
def api_only_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = API_URLCONF


def this_year() -> int:
    """The year as the test runs: a module's `YEAR` taken at import (collection) is last
    year by the time its tests run if the run crosses New Year's midnight (Vietnam time).
    For modules that share a year: each re-binds its own in an autouse fixture."""
    return timezone.localdate().year


def bearer(user: User) -> Client:
    _, key = create_api_token(user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


# The inspections' API tests: the seed catalogue, active, and a provincial inspector.
@pytest.fixture
def seed(province: dict[str, Organisation]) -> CodeVersion:
    return load_seed_catalogue(scope=province["root"], actor=None, activate=True)


@pytest.fixture
def inspector(province: dict[str, Organisation], seed: CodeVersion) -> User:
    return make_user("inspector", Role.INSPECTOR, province["root"])


@pytest.fixture
def api_inspector(inspector: User) -> Client:
    return bearer(inspector)


@pytest.fixture
def api_officer(officer: User) -> Client:
    return bearer(officer)


@pytest.fixture
def api_head(head: User) -> Client:
    return bearer(head)


@pytest.fixture
def api_viewer(viewer: User) -> Client:
    return bearer(viewer)


@pytest.fixture
def api_outsider(outsider: User) -> Client:
    return bearer(outsider)


@pytest.fixture
def anonymous(db: Any) -> Client:
    return Client()


def make_version(
    scope: Organisation, status: CodeVersion.Status, version: str, **fields: Any
) -> CodeVersion:
    code_version = CodeVersion.objects.create(
        scope=scope,
        title=f"Bộ quy tắc ứng xử {version}",
        version=version,
        status=status,
        effective_from=dt.date(2025, 1, 1),
        **fields,
    )
    section = Section.objects.create(
        version=code_version, code="II.1", title="Chuẩn mực giao tiếp", order=1
    )
    for order, (code, title) in enumerate(
        [("II.1.a", "Thái độ lịch sự, tôn trọng"), ("II.1.b", "Lắng nghe, giúp đỡ người dân")]
    ):
        clause = Clause(
            section=section,
            code=code,
            short_title=title,
            text=f"{title} khi giải quyết thủ tục hành chính ({version}).",
            rateable=True,
            order=order,
        )
        clause.refresh_search_text()
        clause.save()
    return code_version


@pytest.fixture
def catalogue(province: dict[str, Organisation]) -> dict[str, CodeVersion]:
    root = province["root"]
    return {
        "retired": make_version(root, CodeVersion.Status.RETIRED, "2024"),
        "active": make_version(root, CodeVersion.Status.ACTIVE, "2025"),
        "draft": make_version(root, CodeVersion.Status.DRAFT, "2026-dự-thảo"),
    }


# The deeper schemathesis runs (test_schemathesis_<area>.py): each fills the database with
# rows of its area in every state and steers generated ids to them, so its operations run
# on real rows. The whole-API run (test_schemathesis.py) leaves these operations to them and
# runs the others: each operation is run once, where its data is (docs/benchmarks.md, "Test
# suite time": running them twice was a quarter of the suite's time, for 404s).
DEEPER_RUNS = {
    "audit": r"^/api/v1/audit-events",
    "cases": r"^/api/v1/(cases|case-tags|public/cases)",
    "feedback": r"^/api/v1/(dossiers|counters|ratings|public/satisfaction)",
    "inspections": r"^/api/v1/inspection",
    "notifications": r"^/api/v1/notifications",
    "planning": (
        r"^/api/v1/(plans|tasks|assignments|extension-requests|disseminations|acknowledgements"
        r"|report-periods|reports)"
    ),
    "scoring": r"^/api/v1/scorecards",
}
ALL_DEEPER_RUNS = "|".join(f"(?:{pattern})" for pattern in DEEPER_RUNS.values())

# The schemathesis runs use a fixed sequence of examples by default, so that CI gives the
# same verdict on the same code; CONGVU_SCHEMATHESIS_RANDOM=1 explores new examples each run
# (with CONGVU_SCHEMATHESIS_EXAMPLES raised, that is how to hunt for new failures).
DERANDOMIZE = os.environ.get("CONGVU_SCHEMATHESIS_RANDOM", "") != "1"
