"""Property-based run of the scorecards operations, with scorecards in every state.

The whole-API run (test_schemathesis.py) starts without scorecards, so its
requests to /scorecards/{id} meet 404s. Here the database holds a draft, a
computed and a published scorecard over organisations with data, and generated
ids are steered to them, so the handlers, the metrics and the services run on
real rows.

Run alone: .venv/bin/pytest congvu/api/tests/test_schemathesis_scoring.py -q
"""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from config.wsgi import application
from congvu.accounts.models import User
from congvu.accounts.services import create_api_token
from congvu.conftest import kind
from congvu.organisations.models import Organisation
from congvu.scoring import services
from congvu.scoring.models import RankingPdfExport

from ..common import MAX_ID
from .conftest import API_URLCONF, DEEPER_RUNS, DERANDOMIZE
from .test_schemathesis import same_connection  # noqa: F401 - a fixture used below

EXAMPLES = int(os.environ.get("CONGVU_SCHEMATHESIS_EXAMPLES", "25"))
OPERATIONS = DEEPER_RUNS["scoring"]

KNOWN_IDS: list[int] = []


def scoring_data(province: dict[str, Organisation], officer: User) -> None:
    KNOWN_IDS.clear()
    for state in ("draft", "computed", "published"):
        scorecard = services.create_scorecard(
            province["root"],
            actor=officer,
            name=f"Xếp hạng 2025 ({state})",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            kinds=[kind("department"), kind("commune_pc")],
            criteria=[
                services.CriterionIn("misconduct", Decimal(1)),
                services.CriterionIn("tasks_on_time", Decimal(2)),
            ],
        )
        KNOWN_IDS.append(scorecard.pk)
        if state != "draft":
            services.compute(scorecard, actor=officer, today=dt.date(2026, 1, 15))
        if state == "published":
            services.publish(scorecard, actor=officer)
        if state != "draft":
            # A ranking PDF being made and a finished one, for the export operations.
            scorecard.pdf_exports.create(fingerprint="queued", rows=3)
            done = scorecard.pdf_exports.create(
                fingerprint="done", rows=3, status=RankingPdfExport.Status.DONE
            )
            done.file.save("xep-hang.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
            KNOWN_IDS.extend(scorecard.pdf_exports.values_list("pk", flat=True))
    KNOWN_IDS.extend(o.pk for o in province.values())


@pytest.fixture
def officer_headers(
    same_connection: None,  # noqa: F811 - the imported fixture
    settings: Any,
    tmp_path: Path,
    province: dict[str, Organisation],
    officer: User,
) -> dict[str, str]:
    settings.ROOT_URLCONF = "config.urls"
    settings.MEDIA_ROOT = tmp_path
    # Every ranking counts as large: its PDF answers 202 and is made in the background.
    settings.SCORING_PDF_INLINE_MAX_ROWS = 0
    cache.clear()
    scoring_data(province, officer)
    _, key = create_api_token(officer, name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


with override_settings(ROOT_URLCONF=API_URLCONF):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
        path_regex=OPERATIONS
    )


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    # Five requests in six reach a real scorecard or organisation (chosen from the
    # generated value, so that hypothesis can still replay and shrink).
    if not path_parameters:
        return path_parameters
    for key in ("id", "organisation_id", "export_id"):
        number = path_parameters.get(key)
        # Only valid ids are steered: an out-of-range one must stay invalid (a 422).
        if isinstance(number, int) and 0 < number <= MAX_ID and number % 6 and KNOWN_IDS:
            path_parameters[key] = KNOWN_IDS[number % len(KNOWN_IDS)]
    return path_parameters


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_scoring_operations_never_fail_and_keep_to_their_schema(
    case: Any, officer_headers: dict[str, str]
) -> None:
    # Schema-valid input is still refused for the data's sake (publishing a draft,
    # recomputing a published scorecard, a duplicate metric), so positive data
    # acceptance does not hold.
    case.call_and_validate(headers=officer_headers, excluded_checks=[positive_data_acceptance])
