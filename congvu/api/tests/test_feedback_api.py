"""Ratings through /api/v1/: dossiers, counters, the public rating call, aggregates.

The builders at the top are shared with the schemathesis run over these operations.
"""

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.audit.models import AuditEvent
from congvu.conduct.models import Clause
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import make_staff, make_user
from congvu.feedback import services
from congvu.feedback.models import (
    Counter,
    Dossier,
    OrganisationMonthRollup,
    Rating,
    StaffMonthRollup,
)
from congvu.organisations.models import Organisation, StaffMember

from .conftest import bearer

DOSSIERS = "/api/v1/dossiers"
RATINGS = "/api/v1/ratings"
COUNTERS = "/api/v1/counters"

Province = dict[str, Organisation]


def load_catalogue(province: Province) -> None:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    services.clear_caches()


def make_counter(organisation: Organisation, *staff: StaffMember, name: str = "Quầy 1") -> Counter:
    counter = Counter.objects.create(organisation=organisation, name=name)
    counter.staff.add(*staff)
    return counter


def make_dossier(
    organisation: Organisation, staff: StaffMember | None = None, code: str = "HS-001"
) -> Dossier:
    return Dossier.objects.create(
        code=code, organisation=organisation, staff=staff, source=Dossier.Source.API
    )


def citizen(number: int = 1) -> Client:
    """A phone of its own: each has its own device hash, so per-device limits do not mix."""
    return Client(REMOTE_ADDR=f"203.0.113.{number}", HTTP_USER_AGENT=f"phone-{number}")


def post_json(client: Client, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def all_answers(channel: str, token: str, client: Client | None = None) -> dict[str, str]:
    form = (client or Client()).get(f"{RATINGS}/form", {"channel": channel, "token": token})
    assert form.status_code == 200, form.content
    return {str(c["clause_id"]): "yes" for c in form.json()["criteria"]}


@pytest.fixture
def rating_ready(province: Province, staff_member: StaffMember) -> None:
    load_catalogue(province)


# --- dossiers -------------------------------------------------------------------------------


def test_a_dossier_is_registered_with_its_rating_link_and_qr(
    api_head: Client, province: Province, staff_member: StaffMember
) -> None:
    counter = make_counter(province["dept_justice"], staff_member)
    response = post_json(
        api_head,
        DOSSIERS,
        {
            "code": " h56-260105-0001 ",
            "organisation": province["dept_justice"].pk,
            "staff": staff_member.pk,
            "counter": counter.pk,
            "procedure": "Cấp bản sao trích lục hộ tịch",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    dossier = Dossier.objects.get()
    assert body["code"] == dossier.code == "H56-260105-0001"
    assert body["rating_url"].endswith(f"/d/{dossier.rating_token}")
    assert body["qr_svg"].startswith("<svg")
    assert body["staff"]["full_name"] == "Nguyễn Văn Đức"
    assert body["received_on"] == timezone.localdate().isoformat()
    assert dossier.source == Dossier.Source.API
    assert AuditEvent.objects.filter(action="feedback.dossier_register").count() == 1


def test_registering_the_same_dossier_again_returns_it(
    api_head: Client, province: Province
) -> None:
    data = {"code": "HS-1", "organisation": province["dept_justice"].pk}
    first = post_json(api_head, DOSSIERS, data)
    again = post_json(api_head, DOSSIERS, {**data, "code": "hs-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["rating_url"] == again.json()["rating_url"]
    assert Dossier.objects.count() == 1


def test_a_code_already_registered_with_other_details_is_refused_with_a_message(
    api_head: Client, province: Province
) -> None:
    post_json(api_head, DOSSIERS, {"code": "HS-1", "organisation": province["dept_justice"].pk})
    response = post_json(
        api_head,
        DOSSIERS,
        {"code": "HS-1", "organisation": province["dept_justice"].pk, "procedure": "Khác"},
    )
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "code"]
    assert "đã được đăng ký" in error["msg"] and "already registered" in error["msg"]


def test_a_staff_member_of_another_organisation_is_refused(
    api_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    response = post_json(
        api_officer,
        DOSSIERS,
        {"code": "HS-2", "organisation": province["commune"].pk, "staff": staff_member.pk},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "staff"]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("code", ["HS 1", "A" * 61, "", "HS\x00"])
def test_a_malformed_code_is_refused(api_head: Client, province: Province, code: str) -> None:
    response = post_json(
        api_head, DOSSIERS, {"code": code, "organisation": province["dept_justice"].pk}
    )
    assert response.status_code == 422
    assert not Dossier.objects.exists()


def test_registering_needs_the_permission_and_the_scope(
    api_viewer: Client, api_outsider: Client, province: Province
) -> None:
    data = {"code": "HS-1", "organisation": province["dept_justice"].pk}
    assert post_json(api_viewer, DOSSIERS, data).status_code == 403
    assert post_json(api_outsider, DOSSIERS, data).status_code == 404
    assert not Dossier.objects.exists()


def test_a_batch_is_registered_whole(api_head: Client, province: Province) -> None:
    organisation = province["dept_justice"].pk
    response = post_json(
        api_head,
        f"{DOSSIERS}/batch",
        {"dossiers": [{"code": f"HS-{n}", "organisation": organisation} for n in range(3)]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 3
    assert [item["code"] for item in response.json()["items"]] == ["HS-0", "HS-1", "HS-2"]
    assert Dossier.objects.count() == 3
    assert AuditEvent.objects.filter(action="feedback.dossiers_register").count() == 1


def test_a_batch_with_one_wrong_row_registers_nothing_and_names_the_rows(
    api_head: Client, province: Province
) -> None:
    make_dossier(province["dept_justice"], code="HS-OLD")
    organisation = province["dept_justice"].pk
    response = post_json(
        api_head,
        f"{DOSSIERS}/batch",
        {
            "dossiers": [
                {"code": "HS-NEW", "organisation": organisation},
                {"code": "HS-OLD", "organisation": organisation, "procedure": "Khác"},
                {"code": "hs-new", "organisation": organisation},
                {"code": "HS-X", "organisation": province["commune"].pk},
            ]
        },
    )
    assert response.status_code == 422
    locs = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert locs == {
        ("body", "dossiers", 1, "code"),
        ("body", "dossiers", 2, "code"),
        ("body", "dossiers", 3, "organisation"),
    }
    assert list(Dossier.objects.values_list("code", flat=True)) == ["HS-OLD"]


def test_a_dossier_is_read_by_its_code_inside_the_scope_only(
    api_head: Client, api_outsider: Client, api_viewer: Client, province: Province
) -> None:
    make_dossier(province["dept_justice"], code="H56/2026/001")
    response = api_head.get(f"{DOSSIERS}/h56/2026/001")
    assert response.status_code == 200
    assert response.json()["code"] == "H56/2026/001"
    assert response.json()["rated"] is False
    assert api_outsider.get(f"{DOSSIERS}/H56/2026/001").status_code == 404
    assert api_viewer.get(f"{DOSSIERS}/H56/2026/001").status_code == 403
    assert api_head.get(f"{DOSSIERS}/NOPE").status_code == 404


def test_the_dossier_list_is_scoped_and_searchable(
    api_head: Client, api_officer: Client, province: Province
) -> None:
    make_dossier(province["dept_justice"], code="STP-1")
    make_dossier(province["commune"], code="XA-1")
    mine = api_head.get(DOSSIERS)
    assert [d["code"] for d in mine.json()["items"]] == ["STP-1"]
    everything = api_officer.get(DOSSIERS, {"code": "xa"})
    assert [d["code"] for d in everything.json()["items"]] == ["XA-1"]


# --- ratings --------------------------------------------------------------------------------


def test_a_citizen_rates_a_dossier_through_the_api_and_the_rollups_follow(
    rating_ready: None, province: Province, staff_member: StaffMember
) -> None:
    dossier = make_dossier(province["dept_justice"], staff_member)
    answers = all_answers("dossier", dossier.rating_token)
    response = post_json(
        citizen(),
        RATINGS,
        {
            "channel": "dossier",
            "token": dossier.rating_token,
            "level": 1,
            "answers": answers,
            "comment": "Cán bộ nhiệt tình.",
            "submission_id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["verified"] is True
    rating = Rating.objects.get(pk=body["id"])
    assert rating.dossier == dossier and rating.staff == staff_member
    assert rating.comment == "Cán bộ nhiệt tình."
    rollup = OrganisationMonthRollup.objects.get(organisation=province["dept_justice"])
    assert (rollup.total, rollup.verified) == (1, 1 if rating.is_counted else 0)
    assert StaffMonthRollup.objects.get(staff=staff_member).total == 1


def test_a_second_rating_of_the_same_dossier_is_refused_with_a_message(
    rating_ready: None, province: Province, staff_member: StaffMember
) -> None:
    dossier = make_dossier(province["dept_justice"], staff_member)
    data = {"channel": "dossier", "token": dossier.rating_token, "level": 2}
    assert post_json(citizen(1), RATINGS, data).status_code == 201
    second = post_json(citizen(2), RATINGS, {**data, "level": 5})
    assert second.status_code == 409
    assert second.json()["code"] == "already_rated"
    assert "đã được đánh giá" in second.json()["detail"]
    assert Rating.objects.count() == 1


def test_resending_the_same_submission_returns_the_first_rating(
    rating_ready: None, staff_member: StaffMember
) -> None:
    data = {
        "channel": "badge",
        "token": staff_member.badge_token,
        "level": 1,
        "submission_id": str(uuid.uuid4()),
    }
    first = post_json(citizen(), RATINGS, data)
    again = post_json(citizen(), RATINGS, data)
    assert first.json()["id"] == again.json()["id"]
    assert Rating.objects.count() == 1


def test_a_counter_rating_names_the_staff_member_on_duty(
    rating_ready: None, province: Province, staff_member: StaffMember
) -> None:
    counter = make_counter(province["dept_justice"], staff_member)
    form = Client().get(f"{RATINGS}/form", {"channel": "counter", "token": counter.qr_token})
    assert [s["full_name"] for s in form.json()["staff_on_duty"]] == ["Nguyễn Văn Đức"]
    response = post_json(
        citizen(),
        RATINGS,
        {"channel": "counter", "token": counter.qr_token, "staff_id": staff_member.pk, "level": 2},
    )
    assert response.status_code == 201
    assert Rating.objects.get().staff == staff_member


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        json.dumps({"channel": "badge", "level": "1"}),
        json.dumps({"channel": "badge", "token": "TOKEN", "level": 9}),
        json.dumps({"channel": "badge", "token": "TOKEN", "level": True}),
        json.dumps({"channel": "fax", "token": "TOKEN", "level": 1}),
        json.dumps({"channel": "badge", "token": "TOKEN", "level": 1, "comment": "x" * 1001}),
        json.dumps({"channel": "badge", "token": "TOKEN", "level": 1, "answers": {"1": "maybe"}}),
        json.dumps(
            {"channel": "badge", "token": "TOKEN", "level": 1, "answers": {"999999": "yes"}}
        ),
        json.dumps({"channel": "badge", "token": "TOKEN", "level": 1, "comment": "a\x00b"}),
        json.dumps({"channel": "badge", "token": "TOKEN", "level": 1, "extra": 1}),
    ],
)
def test_malformed_ratings_are_refused_with_a_message_and_nothing_is_stored(
    rating_ready: None, staff_member: StaffMember, body: str
) -> None:
    response = citizen().post(
        RATINGS,
        data=body.replace("TOKEN", staff_member.badge_token),
        content_type="application/json",
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["detail"]
    assert not Rating.objects.exists()
    assert not OrganisationMonthRollup.objects.exists()


def test_an_oversize_body_is_refused_unread(rating_ready: None, staff_member: StaffMember) -> None:
    body = json.dumps(
        {"channel": "badge", "token": staff_member.badge_token, "level": 1, "pad": "x" * 20_000}
    )
    response = citizen().post(RATINGS, data=body, content_type="application/json")
    assert response.status_code == 413
    assert not Rating.objects.exists()


def test_an_unknown_link_is_a_404(rating_ready: None) -> None:
    response = post_json(citizen(), RATINGS, {"channel": "badge", "token": "nope", "level": 1})
    assert response.status_code == 404
    assert "Không tìm thấy" in response.json()["detail"]
    assert Client().get(f"{RATINGS}/form", {"channel": "kiosk", "token": "x"}).status_code == 404


def test_too_many_ratings_from_one_phone_are_refused(
    rating_ready: None, staff_member: StaffMember
) -> None:
    phone = citizen()
    data = {"channel": "badge", "token": staff_member.badge_token, "level": 3}
    statuses = [post_json(phone, RATINGS, data).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert Rating.objects.count() == 3


def test_one_phone_rating_many_staff_members_is_flagged_for_a_burst_then_stopped(
    rating_ready: None, province: Province, settings: Any
) -> None:
    settings.RATINGS_LIMITS = {"per_device_per_hour": 4, "burst_top": 3}
    members = [make_staff(province["dept_justice"], f"Cán bộ {n}", f"B-{n}") for n in range(5)]
    phone, other = citizen(7), citizen(8)
    answers: list[Any] = []
    for member in members:
        data = {"channel": "badge", "token": member.badge_token, "level": 1}  # very satisfied
        answers.append(post_json(phone, RATINGS, data))
    assert [r.status_code for r in answers] == [201, 201, 201, 201, 429]
    assert "nhiều đánh giá trong một giờ" in answers[-1].json()["detail"]
    flagged = [("burst" in Rating.objects.get(pk=r.json()["id"]).flag_reasons) for r in answers[:4]]
    assert flagged == [False, False, True, True]  # the third top score within minutes
    data = {"channel": "badge", "token": members[4].badge_token, "level": 1}
    assert post_json(other, RATINGS, data).status_code == 201  # another phone is not limited


def test_the_form_lists_the_scale_and_the_questions(
    rating_ready: None, staff_member: StaffMember
) -> None:
    form = Client().get(f"{RATINGS}/form", {"channel": "badge", "token": staff_member.badge_token})
    body = form.json()
    assert body["scale"]["levels"][0]["label"] == "Rất hài lòng"
    assert len(body["criteria"]) == 9
    assert body["staff"]["full_name"] == "Nguyễn Văn Đức"
    assert body["organisation"]["code"] == "H56.02"


def test_the_form_gives_each_question_in_vietnamese_and_in_english(
    rating_ready: None, staff_member: StaffMember
) -> None:
    form = Client().get(f"{RATINGS}/form", {"channel": "badge", "token": staff_member.badge_token})
    criteria = form.json()["criteria"]
    greeting = next(c for c in criteria if c["question"] == "Chào hỏi người dân khi tiếp đón.")
    assert greeting["question_en"] == "Did the staff member greet you when you arrived?"
    assert all(c["question_en"] for c in criteria)


def test_a_question_asked_by_the_plain_text_is_given_in_that_texts_english(
    rating_ready: None, staff_member: StaffMember
) -> None:
    Clause.objects.filter(code="II.2.a.1").update(rating_question_en="")
    Clause.objects.filter(code="II.1.c").update(rating_question_en="")
    services.clear_caches()
    form = Client().get(f"{RATINGS}/form", {"channel": "badge", "token": staff_member.badge_token})
    criteria = {c["question"]: c["question_en"] for c in form.json()["criteria"]}
    assert criteria["Chào hỏi người dân khi tiếp đón."] == "Greet citizens when receiving them."
    # A question of its own without English: asked in Vietnamese, never by other words.
    asked = next(q for q in criteria if q.startswith("Cán bộ có đòi hỏi điều gì"))
    assert criteria[asked] == ""


# --- aggregates -----------------------------------------------------------------------------


def _rollup(organisation: Organisation, counted: int, satisfied: int) -> None:
    OrganisationMonthRollup.objects.create(
        organisation=organisation,
        month=timezone.localdate().replace(day=1),
        total=counted,
        counted=counted,
        satisfied=satisfied,
        level_1=satisfied,
        level_3=counted - satisfied,
    )


def test_public_satisfaction_hides_organisations_under_thirty_ratings(
    province: Province,
) -> None:
    _rollup(province["dept_justice"], 40, 30)
    _rollup(province["commune"], 29, 29)
    response = Client().get("/api/v1/public/satisfaction")
    assert response.status_code == 200
    body = response.json()
    assert [row["code"] for row in body["organisations"]] == ["H56.02"]
    assert body["organisations"][0]["index"]["share"] == 0.75
    assert body["min_ratings"] == 30
    assert body["withheld"] >= 1
    assert "H56.30" not in response.content.decode()


def test_scoped_aggregates_show_the_callers_organisations_only(
    api_head: Client, api_outsider: Client, api_viewer: Client, province: Province
) -> None:
    _rollup(province["dept_justice"], 12, 9)
    _rollup(province["commune"], 50, 10)
    rows = api_head.get(f"{RATINGS}/organisations").json()["items"]
    assert {row["code"] for row in rows} == {"H56.02"}
    assert rows[0]["index"]["counted"] == 12
    detail = api_viewer.get(f"{RATINGS}/organisations/{province['dept_justice'].pk}")
    assert detail.status_code == 200
    assert detail.json()["index"]["satisfied"] == 9
    assert detail.json()["province"]["counted"] == 62
    assert len(detail.json()["trend"]) == 12
    outside = api_outsider.get(f"{RATINGS}/organisations/{province['dept_justice'].pk}")
    assert outside.status_code == 404


def test_a_period_ending_before_it_starts_is_refused(api_head: Client) -> None:
    response = api_head.get(
        f"{RATINGS}/organisations", {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "end"]


def test_a_dossier_code_with_a_newline_gets_a_json_404(api_head: Client) -> None:
    # Found by schemathesis: Django's own `path` converter does not match a newline.
    response = api_head.get("/api/v1/dossiers/0%0A%C3%9Ch%10")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_date_of_year_one_is_refused_with_a_message_not_a_crash(anonymous: Client) -> None:
    # Found by schemathesis: the default start is 11 months before the end.
    response = anonymous.get("/api/v1/public/satisfaction", {"end": "0001-01-01"})
    assert response.status_code == 422
    assert "2000" in response.json()["detail"][0]["msg"]


def test_aggregates_need_an_account(anonymous: Client) -> None:
    assert anonymous.get(f"{RATINGS}/organisations").status_code == 401


# --- counters -------------------------------------------------------------------------------


def test_a_counter_is_created_changed_and_its_links_rotated(
    api_head: Client, province: Province, staff_member: StaffMember
) -> None:
    response = post_json(
        api_head,
        COUNTERS,
        {
            "organisation": province["dept_justice"].pk,
            "name": "Quầy số 2",
            "opens_at": "07:30",
            "closes_at": "17:00",
            "staff": [staff_member.pk],
        },
    )
    assert response.status_code == 201, response.content
    counter = response.json()
    assert counter["opens_at"] == "07:30"
    assert [s["id"] for s in counter["staff"]] == [staff_member.pk]
    changed = api_head.patch(
        f"{COUNTERS}/{counter['id']}",
        data=json.dumps({"staff": [], "closes_at": "16:30"}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json()["staff"] == []
    rotated = post_json(api_head, f"{COUNTERS}/{counter['id']}/rotate", {"which": "kiosk"})
    assert rotated.json()["kiosk_url"] != counter["kiosk_url"]
    assert rotated.json()["counter_url"] == counter["counter_url"]


def test_counter_hours_must_be_in_order_and_staff_in_the_organisation(
    api_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    base = {"organisation": province["commune"].pk, "name": "Quầy"}
    hours = post_json(api_officer, COUNTERS, {**base, "opens_at": "17:00", "closes_at": "08:00"})
    assert hours.status_code == 422
    staff = post_json(api_officer, COUNTERS, {**base, "staff": [staff_member.pk]})
    assert staff.status_code == 422
    assert post_json(api_officer, COUNTERS, {**base, "opens_at": 3600}).status_code == 422
    assert not Counter.objects.exists()


def test_counters_are_scoped_to_counter_managers(
    api_head: Client, api_viewer: Client, api_outsider: Client, province: Province
) -> None:
    counter = make_counter(province["dept_justice"])
    assert [c["id"] for c in api_head.get(COUNTERS).json()["items"]] == [counter.pk]
    assert api_viewer.get(COUNTERS).status_code == 403
    assert api_viewer.get(f"{COUNTERS}/{counter.pk}").status_code == 403
    assert api_outsider.get(f"{COUNTERS}/{counter.pk}").status_code == 404
    assert api_outsider.get(COUNTERS).json()["items"] == []


def test_a_focal_point_registers_dossiers_for_their_own_organisation(
    province: Province,
) -> None:
    focal = make_user("focal", Role.FOCAL_POINT, province["commune"])
    client = bearer(focal)
    ok = post_json(client, DOSSIERS, {"code": "XA-1", "organisation": province["commune"].pk})
    assert ok.status_code == 201
    other = post_json(
        client, DOSSIERS, {"code": "XA-2", "organisation": province["dept_justice"].pk}
    )
    assert other.status_code == 404


def test_a_rating_needs_no_csrf_token_and_other_methods_get_a_json_405(
    rating_ready: None, staff_member: StaffMember
) -> None:
    # The submission URL is a plain view matched before the API's patterns.
    browserless = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")
    data = {"channel": "badge", "token": staff_member.badge_token, "level": 2}
    created = post_json(browserless, RATINGS, data)
    assert created.status_code == 201, created.content
    assert created["X-Content-Type-Options"] == "nosniff"  # the middleware still runs
    assert Rating.objects.get(pk=created.json()["id"]).staff_id == staff_member.pk
    listed = browserless.get(RATINGS)
    assert listed.status_code == 405
    assert listed["Allow"] == "POST"
    assert "Chỉ nhận POST" in listed.json()["detail"]
    assert Rating.objects.count() == 1


def test_a_staff_member_signed_in_cannot_rate_themselves_through_the_api(
    rating_ready: None, staff_member: StaffMember
) -> None:
    user = make_user("tu-danh-gia", Role.STAFF, staff_member.organisation)
    staff_member.user = user
    staff_member.save(update_fields=["user"])
    own = citizen(7)
    own.force_login(user)
    data = {"channel": "badge", "token": staff_member.badge_token, "level": 1}
    response = post_json(own, RATINGS, data)
    assert response.status_code == 403
    assert response.json()["code"] == "self_rating"
    assert not Rating.objects.exists()
