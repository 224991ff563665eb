"""Property-based run of /api/v1/notifications with notices in the database.

The whole-API run starts with no notices, so marking one read mostly meets
404s. Here the officer has notices (one old, text-only) and another user has
some too, so that generated ids (small integers) reach real rows, the caller's
and someone else's, and the answers must keep to the documented statuses.

Run alone: .venv/bin/pytest congvu/api/tests/test_schemathesis_notifications.py -q
"""

import datetime as dt
import os
from typing import Any

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from config.wsgi import application
from congvu.accounts.models import User
from congvu.accounts.services import create_api_token
from congvu.core import notices
from congvu.core.models import Notification

from .conftest import API_URLCONF, DEEPER_RUNS, DERANDOMIZE
from .test_schemathesis import same_connection  # noqa: F401 - a fixture used below

EXAMPLES = int(os.environ.get("CONGVU_SCHEMATHESIS_EXAMPLES", "25"))
OPERATIONS = DEEPER_RUNS["notifications"]


def notices_for(user: User, count: int) -> None:
    for number in range(count):
        notices.notify(
            user,
            kind="progress_confirmed",
            key="planning.progress_confirmed",
            params={"task": f"{number}. Nhiệm vụ", "day": dt.date(2026, 3, 2)},
        )


@pytest.fixture
def officer_headers(
    same_connection: None,  # noqa: F811 - the imported fixture
    officer: User,
    viewer: User,
) -> dict[str, str]:
    notices_for(viewer, 3)
    notices_for(officer, 3)
    Notification.objects.create(user=officer, kind="digest", title="Thông báo cũ")
    _, key = create_api_token(officer, name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


with override_settings(ROOT_URLCONF=API_URLCONF):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
        path_regex=OPERATIONS
    )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_notification_operations_never_fail_and_keep_to_their_schema(
    case: Any, officer_headers: dict[str, str]
) -> None:
    # An id of someone else's notice is a documented 404, although schema-valid.
    case.call_and_validate(headers=officer_headers, excluded_checks=[positive_data_acceptance])
