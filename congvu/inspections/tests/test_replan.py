"""Changing a planned inspection before it starts: its day (with a reason), its team, its
purpose — on the page and through the API; audited with before and after; the inspected
organisation told of the new day of an announced inspection, and new team members told
they are on it; refused once started, to a head of the inspected organisation (403) and
to an outsider (404)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.api.tests.conftest import bearer
from congvu.audit.models import AuditEvent
from congvu.core.models import Notification
from congvu.inspections import services
from congvu.inspections.models import Inspection
from congvu.organisations.models import Organisation

from ...conftest import make_user, page_form, said_changed_meanwhile
from .conftest import PLANNED_ON, plan, start

pytestmark = pytest.mark.usefixtures("catalogue")

NEW_DAY = PLANNED_ON + dt.timedelta(days=7)


@pytest.fixture
def member(province: dict[str, Organisation]) -> User:
    return make_user("member", Role.INSPECTOR, province["root"])


def edit_url(inspection: Inspection) -> str:
    return reverse("inspections:edit", args=[inspection.code])


def form(inspection: Inspection, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "planned_on": f"{inspection.planned_on:%d/%m/%Y}",
        "lead": inspection.lead_id,
        "members": list(inspection.members.values_list("pk", flat=True)),
        "purpose": inspection.purpose,
        "reason": "",
    }
    data.update(changes)
    return data


def titles(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True)
    )


def test_the_inspector_moves_an_announced_inspection_and_the_organisation_is_told(
    province: dict[str, Organisation],
    inspector: User,
    as_inspector: Client,
    focal: User,
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    inspection = plan(province["dept_justice"], inspector, purpose="Bộ phận một cửa")
    page = as_inspector.get(reverse("inspections:detail", args=[inspection.code]))
    assert edit_url(inspection) in page.content.decode()
    shown = as_inspector.get(edit_url(inspection)).content.decode()
    assert f'value="{PLANNED_ON:%d/%m/%Y}"' in shown and "Bộ phận một cửa" in shown
    Notification.objects.all().delete()

    # A new day without a reason: refused, what was typed is kept, nothing changes.
    refused = as_inspector.post(
        edit_url(inspection), form(inspection, planned_on=f"{NEW_DAY:%d/%m/%Y}")
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Cần ghi lý do đổi ngày kiểm tra." in html
    assert f'value="{NEW_DAY:%d/%m/%Y}"' in html
    inspection.refresh_from_db()
    assert inspection.planned_on == PLANNED_ON

    with django_capture_on_commit_callbacks(execute=True):
        response = as_inspector.post(
            edit_url(inspection),
            form(
                inspection,
                planned_on=f"{NEW_DAY:%d/%m/%Y}",
                members=[member.pk],
                reason="Trùng lịch họp của Sở.",
            ),
        )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.planned_on == NEW_DAY
    assert list(inspection.members.all()) == [member]
    event = AuditEvent.objects.get(action="inspection.replan")
    assert event.data["before"]["planned_on"] == PLANNED_ON.isoformat()
    assert event.data["after"]["planned_on"] == NEW_DAY.isoformat()
    assert event.data["reason"] == "Trùng lịch họp của Sở."
    name = province["dept_justice"].name
    assert titles(focal) == [
        f"Cuộc kiểm tra {inspection.code} tại {name} chuyển sang ngày {NEW_DAY:%d/%m/%Y}"
    ]
    assert titles(member) == [
        f"Bạn được cử vào đoàn kiểm tra {inspection.code} tại {name}, ngày {NEW_DAY:%d/%m/%Y}"
    ]
    assert titles(inspector) == []


def test_an_unannounced_inspection_moves_without_telling_the_organisation(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    inspection = plan(province["dept_justice"], inspector, kind=Inspection.Kind.UNANNOUNCED)
    with django_capture_on_commit_callbacks(execute=True):
        services.replan(
            inspection,
            actor=inspector,
            planned_on=NEW_DAY,
            lead=inspector,
            members=[],
            purpose="",
            reason="Đổi lịch.",
        )
    assert Inspection.objects.get(pk=inspection.pk).planned_on == NEW_DAY
    assert titles(focal) == []


def test_on_its_day_or_after_the_team_changes_but_the_day_cannot_go_back(
    province: dict[str, Organisation], inspector: User
) -> None:
    """Its day has come (not started yet): the day already planned may stay while the team
    changes; moving it to another day that has passed is refused."""
    inspection = plan(province["dept_justice"], inspector)
    past = timezone.localdate() - dt.timedelta(days=2)
    Inspection.objects.filter(pk=inspection.pk).update(planned_on=past)
    inspection.refresh_from_db()
    services.replan(
        inspection, actor=inspector, planned_on=past, lead=inspector, members=[], purpose="x"
    )
    with pytest.raises(ValidationError) as refused:
        services.replan(
            inspection,
            actor=inspector,
            planned_on=past - dt.timedelta(days=1),
            lead=inspector,
            members=[],
            purpose="x",
            reason="Nhầm ngày.",
        )
    assert "Ngày dự kiến đã qua" in refused.value.message_dict["planned_on"][0]


def test_saving_nothing_new_records_nothing(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    assert as_inspector.post(edit_url(inspection), form(inspection)).status_code == 302
    assert not AuditEvent.objects.filter(action="inspection.replan").exists()


def test_a_started_inspection_cannot_be_replanned(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    response = as_inspector.get(edit_url(inspection), follow=True)
    assert "Chỉ sửa kế hoạch khi cuộc kiểm tra chưa bắt đầu." in response.content.decode()
    with pytest.raises(ValidationError):
        services.replan(
            inspection,
            actor=inspector,
            planned_on=NEW_DAY,
            lead=inspector,
            members=[],
            purpose="",
            reason="Muộn.",
        )


def test_the_inspected_head_is_refused_and_an_outsider_does_not_find_it(
    province: dict[str, Organisation],
    inspector: User,
    as_head: Client,
    as_outsider: Client,
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    assert as_head.get(edit_url(inspection)).status_code == 403
    assert as_head.post(edit_url(inspection), form(inspection)).status_code == 403
    assert as_outsider.get(edit_url(inspection)).status_code == 404
    assert as_outsider.post(edit_url(inspection), form(inspection)).status_code == 404


def test_the_api_changes_only_what_is_sent(
    province: dict[str, Organisation], inspector: User, member: User, head: User, outsider: User
) -> None:
    inspection = plan(province["dept_justice"], inspector, purpose="Một cửa", members=[member])
    api = bearer(inspector)
    path = f"/api/v1/inspections/{inspection.code}"

    def patch(client: Client, body: Any) -> Any:
        return client.patch(path, json.dumps(body), content_type="application/json")

    refused = patch(api, {"planned_on": NEW_DAY.isoformat()})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "reason"]
    assert refused.json()["detail"][0]["msg"].startswith("Cần ghi lý do đổi ngày")
    moved = patch(api, {"planned_on": NEW_DAY.isoformat(), "reason": "Trùng lịch."})
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert body["planned_on"] == NEW_DAY.isoformat()
    assert body["purpose"] == "Một cửa"
    inspection.refresh_from_db()
    assert list(inspection.members.all()) == [member]
    assert patch(api, {"members": []}).status_code == 200
    assert not inspection.members.exists()
    assert patch(bearer(head), {"purpose": "x"}).status_code == 403
    assert patch(bearer(outsider), {"purpose": "x"}).status_code == 404
    start(inspection, inspector)
    assert patch(api, {"purpose": "x"}).status_code == 422


def test_a_replan_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector, purpose="Bộ phận một cửa")
    url = edit_url(inspection)
    tab_a, tab_b = page_form(as_inspector.get(url)), page_form(as_inspector.get(url))
    assert as_inspector.post(url, {**tab_b, "purpose": "Tiếp công dân"}).status_code == 302
    moved = {"planned_on": f"{NEW_DAY:%d/%m/%Y}", "reason": "Trùng lịch họp của A"}
    refused = as_inspector.post(url, {**tab_a, **moved})
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    assert "Trùng lịch họp của A" in refused.content.decode()
    assert "hiện là: «Tiếp công dân»" in refused.content.decode()
    inspection.refresh_from_db()
    assert (inspection.planned_on, inspection.purpose) == (PLANNED_ON, "Tiếp công dân")
