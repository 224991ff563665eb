"""The scoring pages and the public rankings: normal case, outsider 404, no permission 403."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, kind, page_form, said_changed_meanwhile
from congvu.organisations.models import Organisation
from congvu.scoring.models import Scorecard


def new_form(province: dict[str, Organisation], **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Xếp hạng năm 2025",
        "organisation": province["root"].pk,
        "period_start": "01/01/2025",
        "period_end": "31/12/2025",
        "kinds": [kind("department").pk],
        "grades": "90: Hoàn thành xuất sắc\n50: Hoàn thành\n0: Không hoàn thành",
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "20",
        "criteria-0-metric": "tasks_on_time",
        "criteria-0-weight": "60",
        "criteria-1-metric": "misconduct",
        "criteria-1-weight": "40",
        "criteria-2-metric": "",
        "criteria-2-weight": "",
    }
    data.update(overrides)
    return data


def test_the_officer_creates_a_scorecard_from_the_form(
    as_officer: Client, province: dict[str, Organisation]
) -> None:
    response = as_officer.post(reverse("scoring:new"), new_form(province))
    scorecard = Scorecard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:detail", args=[scorecard.pk])
    assert list(scorecard.criteria.values_list("metric", flat=True)) == [
        "tasks_on_time",
        "misconduct",
    ]
    assert [g["label"] for g in scorecard.grades] == [
        "Hoàn thành xuất sắc",
        "Hoàn thành",
        "Không hoàn thành",
    ]


def test_the_new_form_offers_the_default_criteria(as_officer: Client) -> None:
    response = as_officer.get(reverse("scoring:new"))
    assert response.status_code == 200
    assert "Nhiệm vụ hoàn thành đúng hạn" in response.content.decode()
    assert "90: Hoàn thành xuất sắc" in response.content.decode()


def test_bad_criteria_keep_the_input_and_say_what_is_wrong(
    as_officer: Client, province: dict[str, Organisation]
) -> None:
    data = new_form(province, **{"criteria-1-metric": "tasks_on_time", "criteria-0-weight": "0"})
    response = as_officer.post(reverse("scoring:new"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "lớn hơn 0" in page
    assert "được chọn hai lần" in page
    assert 'value="Xếp hạng năm 2025"' in page
    assert not Scorecard.objects.exists()


def test_bad_input_is_explained_in_english_too(
    as_officer: Client, province: dict[str, Organisation]
) -> None:
    as_officer.cookies["congvu_lang"] = "en"
    data = new_form(province, **{"criteria-0-weight": "-1"})
    page = as_officer.post(reverse("scoring:new"), data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "must be above 0" in page
    assert "phải lớn hơn 0" not in page  # the English part only


def test_a_province_viewer_may_not_create_scorecards(province_viewer: User) -> None:
    assert client_for(province_viewer).get(reverse("scoring:new")).status_code == 403


def test_the_officer_computes_and_publishes_from_the_ranking_page(
    as_officer: Client, scorecard: Scorecard
) -> None:
    detail = reverse("scoring:detail", args=[scorecard.pk])
    assert as_officer.post(reverse("scoring:compute", args=[scorecard.pk])).status_code == 302
    page = as_officer.get(detail).content.decode()
    assert "Sở Tư pháp" in page and "Chưa đủ dữ liệu" not in page
    assert as_officer.post(reverse("scoring:publish", args=[scorecard.pk])).status_code == 302
    scorecard.refresh_from_db()
    assert scorecard.status == Scorecard.Status.PUBLISHED
    page = as_officer.get(detail).content.decode()
    assert "Tạo phiên bản mới" in page
    assert "Tính lại điểm" not in page


def test_the_ranking_filters_by_kind_and_searches_without_accents(
    as_officer: Client, computed: Scorecard, province: dict[str, Organisation]
) -> None:
    url = reverse("scoring:detail", args=[computed.pk])
    page = as_officer.get(url, {"q": "tu phap"}).content.decode()
    assert "Sở Tư pháp" in page and "Sở Nội vụ" not in page
    page = as_officer.get(url, {"kind": kind("commune_pc").pk}).content.decode()
    assert "xã An Bình" in page and "Sở Tư pháp" not in page
    page = as_officer.get(url, {"sort": "total"}).content.decode()
    assert page.index("Sở Nội vụ") < page.index("Sở Tư pháp")
    assert as_officer.get(url, {"kind": "x", "sort": "nope"}).status_code == 200


def test_management_pages_are_404_for_an_outsider_and_403_without_permission(
    as_outsider: Client, province_viewer: User, computed: Scorecard
) -> None:
    viewer = client_for(province_viewer)
    for name, method in (
        ("edit", "get"),
        ("compute", "post"),
        ("publish", "post"),
        ("new_version", "post"),
    ):
        url = reverse(f"scoring:{name}", args=[computed.pk])
        assert getattr(as_outsider, method)(url).status_code == 404, name
        assert getattr(viewer, method)(url).status_code == 403, name


def test_an_unpublished_scorecard_is_hidden_from_heads(
    as_head: Client, computed: Scorecard
) -> None:
    assert as_head.get(reverse("scoring:detail", args=[computed.pk])).status_code == 404
    assert computed.name not in as_head.get(reverse("scoring:list")).content.decode()


def test_a_head_sees_the_breakdown_of_their_organisation(
    as_head: Client, published: Scorecard, province: dict[str, Organisation]
) -> None:
    detail = as_head.get(reverse("scoring:detail", args=[published.pk])).content.decode()
    url = reverse("scoring:organisation", args=[published.pk, province["dept_justice"].pk])
    assert url in detail  # "my organisation" link
    page = as_head.get(url).content.decode()
    assert "75,00" in page  # the total, with the decimal comma
    assert "1 / 2 cơ quan được xếp hạng" in page
    assert "37,50" in page  # the departments' median
    assert "đến hạn: 2, đúng hạn: 1" in page  # the counts behind the tasks' value


def test_the_breakdown_says_which_criteria_had_no_data(
    as_officer: Client, computed: Scorecard, province: dict[str, Organisation]
) -> None:
    url = reverse("scoring:organisation", args=[computed.pk, province["dept_home"].pk])
    page = as_officer.get(url).content.decode()
    assert "Không có dữ liệu (không tính" in page
    assert "Nhiệm vụ hoàn thành đúng hạn" in page


def test_the_breakdown_is_404_for_an_outsider(
    as_outsider: Client, published: Scorecard, province: dict[str, Organisation]
) -> None:
    url = reverse("scoring:organisation", args=[published.pk, province["dept_justice"].pk])
    assert as_outsider.get(url).status_code == 404


def test_the_list_is_403_for_an_account_without_any_role(make_nobody: User) -> None:
    assert client_for(make_nobody).get(reverse("scoring:list")).status_code == 403


def test_the_public_page_shows_published_rankings_only(
    client: Client, computed: Scorecard, officer: User
) -> None:
    assert client.get(reverse("rankings:detail", args=[computed.pk])).status_code == 404
    assert computed.name not in client.get(reverse("rankings:index")).content.decode()
    from congvu.scoring import services

    services.publish(computed, actor=officer)
    assert computed.name in client.get(reverse("rankings:index")).content.decode()
    page = client.get(reverse("rankings:detail", args=[computed.pk])).content.decode()
    assert "Sở Tư pháp" in page
    assert "max(0; 100 − 10 × r)" in page  # the formula is explained
    assert "<script>" not in page.split("</main>")[0]


def test_the_open_data_downloads_have_the_documented_fields(
    client: Client, published: Scorecard
) -> None:
    csv_text = client.get(reverse("rankings:csv", args=[published.pk])).content.decode("utf-8-sig")
    header, first = csv_text.splitlines()[:2]
    assert header == (
        "scorecard_id,organisation_code,organisation_name,kind,rank,total,grade,"
        "criteria_with_data,missing,tasks_on_time,misconduct"
    )
    assert "H56.02,Sở Tư pháp,department,1,75.0" in first
    body = json.loads(client.get(reverse("rankings:json", args=[published.pk])).content)
    assert [c["metric"] for c in body["scorecard"]["criteria"]] == ["tasks_on_time", "misconduct"]
    home = next(row for row in body["organisations"] if row["organisation_code"] == "H56.01")
    assert home["missing"] == ["tasks_on_time"] and home["tasks_on_time"] is None


def test_editing_a_computed_scorecard_warns_then_sends_it_back_to_draft(
    as_officer: Client, computed: Scorecard, province: dict[str, Organisation]
) -> None:
    url = reverse("scoring:edit", args=[computed.pk])
    page = as_officer.get(url).content.decode()
    assert "lưu thay đổi sẽ xóa điểm đã tính" in page
    assert 'value="misconduct" selected' in page
    data = new_form(province, **{"criteria-0-metric": "satisfaction"})
    del data["organisation"]
    assert as_officer.post(url, data).status_code == 302
    computed.refresh_from_db()
    assert computed.status == Scorecard.Status.DRAFT
    assert set(computed.criteria.values_list("metric", flat=True)) == {"satisfaction", "misconduct"}


def test_a_published_scorecard_cannot_be_edited(as_officer: Client, published: Scorecard) -> None:
    response = as_officer.get(reverse("scoring:edit", args=[published.pk]))
    assert response.status_code == 302
    assert published.criteria.count() == 2


def test_the_breakdown_reads_in_english(
    as_head: Client, published: Scorecard, province: dict[str, Organisation]
) -> None:
    as_head.cookies["congvu_lang"] = "en"
    url = reverse("scoring:organisation", args=[published.pk, province["dept_justice"].pk])
    page = as_head.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tasks done on time" in page
    assert "1 of 2 ranked organisations" in page
    assert "due: 2, on time: 1" in page
    assert "75.00" in page  # the English decimal point


def test_the_officer_deletes_a_computed_scorecard_after_confirming(
    as_officer: Client, computed: Scorecard
) -> None:
    url = reverse("scoring:delete", args=[computed.pk])
    assert url in as_officer.get(reverse("scoring:detail", args=[computed.pk])).content.decode()
    page = as_officer.get(url).content.decode()
    assert "Xóa bảng điểm “Xếp hạng năm 2025”" in page
    assert Scorecard.objects.filter(pk=computed.pk).exists()
    response = as_officer.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:list")
    assert not Scorecard.objects.filter(pk=computed.pk).exists()
    assert AuditEvent.objects.filter(action="scorecard.delete", object_id=str(computed.pk)).exists()


def test_a_draft_is_deleted_too(as_officer: Client, scorecard: Scorecard) -> None:
    assert as_officer.post(reverse("scoring:delete", args=[scorecard.pk])).status_code == 302
    assert not Scorecard.objects.exists()


def test_a_published_scorecard_is_not_deleted(as_officer: Client, published: Scorecard) -> None:
    url = reverse("scoring:delete", args=[published.pk])
    page = as_officer.get(reverse("scoring:detail", args=[published.pk])).content.decode()
    assert url not in page
    response = as_officer.post(url, follow=True)
    assert "không thể xóa" in response.content.decode()
    assert Scorecard.objects.filter(pk=published.pk).exists()
    assert not AuditEvent.objects.filter(action="scorecard.delete").exists()


def test_deleting_is_404_for_an_outsider_and_403_without_permission(
    as_outsider: Client, province_viewer: User, computed: Scorecard
) -> None:
    url = reverse("scoring:delete", args=[computed.pk])
    for method in ("get", "post"):
        assert getattr(as_outsider, method)(url).status_code == 404
        assert getattr(client_for(province_viewer), method)(url).status_code == 403
    assert Scorecard.objects.filter(pk=computed.pk).exists()


def test_a_scorecard_saved_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    as_officer: Client, scorecard: Scorecard
) -> None:
    url = reverse("scoring:edit", args=[scorecard.pk])
    tab_a, tab_b = page_form(as_officer.get(url)), page_form(as_officer.get(url))
    assert as_officer.post(url, {**tab_b, "criteria-0-weight": "70"}).status_code == 302
    refused = as_officer.post(url, {**tab_a, "description": "Cách tính của A"})
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    assert "Cách tính của A" in refused.content.decode()
    scorecard.refresh_from_db()
    assert scorecard.description == ""
    assert 70 in [int(c.weight) for c in scorecard.criteria.all()]


def test_the_open_data_csv_keeps_a_formula_typed_as_a_name_as_text(
    client: Client, published: Scorecard
) -> None:
    import csv
    import io

    from congvu.core.tests.test_cells import FORMULA

    published.scores.filter(organisation_code="H56.02").update(organisation_name=FORMULA)
    csv_text = client.get(reverse("rankings:csv", args=[published.pk])).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    [row] = [r for r in rows if r["organisation_code"] == "H56.02"]
    assert row["organisation_name"] == "'" + FORMULA
    assert row["total"] == "75.0"
