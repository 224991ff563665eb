"""After an anonymous report, nothing in the database can lead back to the reporter's device;
a named reporter's name and number, typed into the texts, reach only those who may know them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import Role
from congvu.accounts.services import create_api_token
from congvu.cases import services
from congvu.cases.models import Case, CaseEvent
from congvu.conftest import client_for, make_user
from congvu.core.tests.media_helpers import jpeg_with_gps

from .core_helpers import media, report  # noqa: F401

pytestmark = pytest.mark.usefixtures("media")

CLIENT_IP = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (PrivacyProbe; Zalo-Unique-UA-7731)"


def _text_columns() -> list[tuple[str, str]]:
    columns: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                type_name = str(
                    connection.introspection.get_field_type(column.type_code, column)
                    if connection.vendor != "sqlite"
                    else column.type_code
                ).lower()
                if any(word in type_name for word in ("char", "text", "json", "clob")):
                    columns.append((table, column.name))
    return columns


def _tables_containing(needle: str) -> list[str]:
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(
                # Names come from the database's own catalogue, quoted: not user input.
                f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608
                f"WHERE CAST({quote(column)} AS TEXT) LIKE %s",
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def test_an_anonymous_report_and_its_follow_up_leave_no_ip_or_user_agent_anywhere(
    staff_member,
):
    client = Client(REMOTE_ADDR=CLIENT_IP, HTTP_USER_AGENT=USER_AGENT)
    url = reverse("cases_public:report_staff", args=[staff_member.badge_token])
    response = client.post(
        url,
        {
            "action": "submit",
            "track": "denunciation",
            "description": "Cán bộ đòi tiền bồi dưỡng để giải quyết nhanh.",
            "identity": "anonymous",
            "other_standard": "Vòi vĩnh",
            "evidence": jpeg_with_gps(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.is_anonymous and case.files.count() == 1
    # A wrong passphrase from the same client: the failure counter must not store the IP.
    client.post(reverse("cases_public:track"), {"code": case.code, "passphrase": "sai"})
    # The scan has teeth: it finds what the citizen did write.
    assert "cases_case.description" in _tables_containing("bồi dưỡng để giải quyết")
    assert _tables_containing(CLIENT_IP) == []
    assert _tables_containing("PrivacyProbe") == []
    assert _tables_containing("Zalo-Unique-UA") == []


def test_the_reporters_name_is_not_stored_in_plain_text(staff_member):
    report(
        staff_member,
        is_anonymous=False,
        reporter_name="Hoàng Thị Bí Mật",
        reporter_phone="0911222333",
        reporter_email="bimat@example.vn",
    )
    for secret in ("Bí Mật", "0911222333", "bimat@example.vn"):
        assert _tables_containing(secret) == [], secret


def test_a_reporters_name_and_number_typed_into_the_texts_are_masked_for_an_inspector(
    staff_member, province, head
):
    case = report(
        staff_member,
        is_anonymous=False,
        reporter_name="Hoàng Thị Bí Mật",
        reporter_phone="0911222333",
        description="Tôi là Hoàng Thị Bí Mật, số 0911 222 333. Cán bộ đòi tiền bồi dưỡng.",
        occurred_place="Quầy 3, gọi tôi: +84 911.222.333",
    ).case
    services.add_event(
        case,
        actor=head,
        kind=CaseEvent.Kind.NOTE,
        body="Đã gọi lại cho Hoàng Thị Bí Mật.",
        audience=CaseEvent.Audience.INTERNAL,
    )
    inspector = make_user("insp", Role.INSPECTOR, province["dept_justice"])
    url = reverse("cases:detail", args=[case.code])
    seen = client_for(inspector).get(url).content.decode()
    assert "Bí Mật" not in seen and "222 333" not in seen and "222.333" not in seen
    assert "Tôi là […], số […]. Cán bộ đòi tiền bồi dưỡng." in seen
    assert "Đã gọi lại cho […]." in seen
    # The head, who handles the case and may know the reporter, reads it as written.
    handled = client_for(head).get(url).content.decode()
    assert "Tôi là Hoàng Thị Bí Mật, số 0911 222 333." in handled
    assert "gọi tôi: +84 911.222.333" in handled

    def api(user):
        _, key = create_api_token(user, name="tests")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    as_inspector = api(inspector)
    detail = as_inspector.get(f"/api/v1/cases/{case.code}").json()
    assert detail["description"] == "Tôi là […], số […]. Cán bộ đòi tiền bồi dưỡng."
    assert detail["occurred_place"] == "Quầy 3, gọi tôi: […]"
    assert detail["reporter"] is None
    events = as_inspector.get(f"/api/v1/cases/{case.code}/events").json()["items"]
    assert "Đã gọi lại cho […]." in [event["body"] for event in events]
    assert not any("Bí Mật" in event["body"] for event in events)
    as_head = api(head).get(f"/api/v1/cases/{case.code}").json()
    assert as_head["description"].startswith("Tôi là Hoàng Thị Bí Mật, số 0911 222 333.")
