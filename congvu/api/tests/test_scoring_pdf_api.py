"""The ranking's PDF through the API: 202 with a status URL while a large ranking's PDF is
made on the worker, then the file; scoped like the ranking."""

from __future__ import annotations

from django.test import Client

from congvu.accounts.models import User
from congvu.scoring import pdf_exports
from congvu.scoring.models import RankingPdfExport, Scorecard
from congvu.scoring.tests import conftest as scoring
from congvu.scoring.tests import test_pdf_exports as scoring_pdf

from .conftest import bearer

API = "/api/v1/scorecards"

# The scoring app's fixtures, shared.
scored = scoring.scored
scorecard = scoring.scorecard
computed = scoring.computed
published = scoring.published
province_viewer = scoring.province_viewer
published_other = scoring_pdf.published_other
large = scoring_pdf.large
body = scoring_pdf.body


def test_the_api_answers_202_with_a_status_url_then_gives_the_file(
    api_officer: Client, computed: Scorecard
) -> None:
    asked = api_officer.get(f"{API}/{computed.pk}/ranking.pdf")
    export = RankingPdfExport.objects.get()
    status_url = f"{API}/{computed.pk}/ranking-pdf/{export.pk}"
    assert asked.status_code == 202
    assert asked["Location"] == status_url and asked["Retry-After"] == "5"
    assert asked.json()["status"] == "queued" and asked.json()["file_url"] is None
    assert api_officer.get(status_url).json()["status_url"] == status_url
    assert api_officer.get(f"{status_url}/file").status_code == 404

    pdf_exports.make(export.pk)
    status = api_officer.get(status_url).json()
    assert status["status"] == "done" and status["file_url"] == f"{status_url}/file"
    file = api_officer.get(status["file_url"])
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    again = api_officer.get(f"{API}/{computed.pk}/ranking.pdf")
    assert again.status_code == 200 and body(again) == body(file)
    assert RankingPdfExport.objects.count() == 1


def test_the_apis_export_is_scoped_like_the_ranking(
    api_officer: Client,
    api_outsider: Client,
    anonymous: Client,
    province_viewer: User,
    computed: Scorecard,
    published_other: Scorecard,
) -> None:
    api_officer.get(f"{API}/{computed.pk}/ranking.pdf")
    export = RankingPdfExport.objects.get()
    viewer = bearer(province_viewer)
    for url in (
        f"{API}/{computed.pk}/ranking-pdf/{export.pk}",
        f"{API}/{computed.pk}/ranking-pdf/{export.pk}/file",
    ):
        assert api_outsider.get(url).status_code == 404
        assert viewer.get(url).status_code == 403
        assert anonymous.get(url).status_code == 404
    # Through another scorecard's address: not found.
    assert api_officer.get(f"{API}/{published_other.pk}/ranking-pdf/{export.pk}").status_code == 404
    # The public: a published ranking's PDF is prepared for them too.
    public = anonymous.get(f"{API}/{published_other.pk}/ranking.pdf")
    assert public.status_code == 202
    assert anonymous.get(public["Location"]).json()["status"] == "queued"
