"""After an anonymous report, nothing in the database can lead back to the reporter's device."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from congvu.cases.models import Case
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
