"""Property-based run of the audit-log operations, over a log with events of every kind
of scope (an organisation's, another's, none) and a reporter's field to mask.

The whole-API run (test_schemathesis.py) meets an almost empty log; here generated
ids are steered to real events, so the filters, the cursor, the masking and the hash
check run on real rows.

Run alone: .venv/bin/pytest congvu/api/tests/test_schemathesis_audit.py -q
"""

import os
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from config.wsgi import application
from congvu.accounts.models import User
from congvu.accounts.services import create_api_token
from congvu.audit.services import record
from congvu.organisations.models import Organisation

from ..common import MAX_ID
from .conftest import API_URLCONF, DEEPER_RUNS, DERANDOMIZE
from .test_schemathesis import same_connection  # noqa: F401 - a fixture used below

EXAMPLES = int(os.environ.get("CONGVU_SCHEMATHESIS_EXAMPLES", "25"))
OPERATIONS = DEEPER_RUNS["audit"]

KNOWN_IDS: list[int] = []


def audit_data(province: dict[str, Organisation], officer: User) -> None:
    KNOWN_IDS.clear()
    for n, organisation in enumerate([*province.values(), None]):
        event = record(
            "case.create" if n % 2 else "planning.task_create",
            actor=officer if n % 3 else None,
            object_type="cases.case" if n % 2 else "planning.task",
            object_id=str(n + 1),
            organisation=organisation,
            summary=f"Sự kiện {n}",
            data={"reporter_name": "Ẩn danh", "n": n, "list": [1, "hai"]},
        )
        KNOWN_IDS.append(event.pk)


@pytest.fixture
def officer_headers(
    same_connection: None,  # noqa: F811 - the imported fixture
    settings: Any,
    province: dict[str, Organisation],
    officer: User,
) -> dict[str, str]:
    settings.ROOT_URLCONF = "config.urls"
    cache.clear()
    audit_data(province, officer)
    _, key = create_api_token(officer, name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


with override_settings(ROOT_URLCONF=API_URLCONF):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
        path_regex=OPERATIONS
    )


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    # Five requests in six reach a real event; out-of-range ids stay invalid (a 422).
    if not path_parameters:
        return path_parameters
    number = path_parameters.get("id")
    if isinstance(number, int) and 0 < number <= MAX_ID and number % 6 and KNOWN_IDS:
        path_parameters["id"] = KNOWN_IDS[number % len(KNOWN_IDS)]
    return path_parameters


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_audit_operations_never_fail_and_keep_to_their_schema(
    case: Any, officer_headers: dict[str, str]
) -> None:
    # An id that names no event is schema-valid and still a 404, so positive data
    # acceptance does not hold.
    case.call_and_validate(headers=officer_headers, excluded_checks=[positive_data_acceptance])
