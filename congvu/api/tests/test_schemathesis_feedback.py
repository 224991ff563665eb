"""Property-based run of the ratings operations (dossiers, counters, ratings, aggregates).

The whole-API run (test_schemathesis.py) starts without counters, dossiers or
ratings, so its requests to these operations mostly meet 404s. Here the
database holds the default scale, the seed catalogue, counters with staff on
duty, dossiers (one of them rated), ratings through every channel with their
rollups, and two flagged ratings waiting for review, so that generated ids
(small integers) reach real rows and the handlers and services run through.
The public rating call is sent without the officer's token too (it takes
none), and its refusals (unknown link, already rated, rate limited,
malformed) must keep to the documented statuses.

Run alone: .venv/bin/pytest congvu/api/tests/test_schemathesis_feedback.py -q
"""

import os
import uuid
from typing import Any

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from config.wsgi import application
from congvu.accounts.models import User
from congvu.accounts.services import create_api_token
from congvu.feedback import services
from congvu.feedback.models import Counter, Dossier
from congvu.feedback.tests.test_selectors import flagged_rating
from congvu.organisations.models import Organisation, StaffMember

from .conftest import API_URLCONF, DEEPER_RUNS, DERANDOMIZE
from .test_feedback_api import load_catalogue, make_counter, make_dossier
from .test_schemathesis import same_connection  # noqa: F401 - a fixture used below

EXAMPLES = int(os.environ.get("CONGVU_SCHEMATHESIS_EXAMPLES", "25"))
OPERATIONS = DEEPER_RUNS["feedback"]


def ratings_data(province: dict[str, Organisation], staff: StaffMember) -> None:
    load_catalogue(province)
    dept, commune = province["dept_justice"], province["commune"]
    counter = make_counter(dept, staff)
    make_counter(commune, name="Quầy xã")
    Counter.objects.create(organisation=dept, name="Quầy đã đóng", is_active=False)
    rated = make_dossier(dept, staff, code="HS-RATED")
    make_dossier(dept, staff, code="HS-OPEN")
    make_dossier(commune, code="XA-001")
    targets = [
        services.target_for_dossier(rated.rating_token),
        services.target_for_badge(staff.badge_token),
        services.target_for_counter(counter.qr_token, staff_id=staff.pk),
        services.target_for_kiosk(counter.kiosk_token),
    ]
    for number, target in enumerate(targets):
        assert target is not None
        services.submit_rating(
            target,
            level=number % 5 + 1,
            answers={c.clause_id: "yes" for c in services.criteria_for(target)},
            device_hash=f"seed{number}",
            submission_id=uuid.uuid4(),
        )
    assert Dossier.objects.filter(rating__isnull=False).count() == 1
    # Two held back by detection, for the review queue and the review calls.
    badge = services.target_for_badge(staff.badge_token)
    assert badge is not None
    flagged_rating(badge)
    flagged_rating(badge)


@pytest.fixture
def officer_headers(
    same_connection: None,  # noqa: F811 - the imported fixture
    province: dict[str, Organisation],
    staff_member: StaffMember,
    officer: User,
) -> dict[str, str]:
    ratings_data(province, staff_member)
    _, key = create_api_token(officer, name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


with override_settings(ROOT_URLCONF=API_URLCONF):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
        path_regex=OPERATIONS
    )


@pytest.fixture(autouse=True)
def fresh_caches() -> Any:
    # The scale and criteria are cached per process; each example's database is new.
    services.clear_caches()
    yield
    services.clear_caches()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_ratings_operations_never_fail_and_keep_to_their_schema(
    case: Any, officer_headers: dict[str, str]
) -> None:
    # As in the whole-API run: schema-valid input may be refused because of the data
    # (a code already taken, a staff member of another organisation, a rated dossier).
    case.call_and_validate(headers=officer_headers, excluded_checks=[positive_data_acceptance])
