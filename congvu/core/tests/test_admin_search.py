"""The Django admin's search boxes ignore accents, case and đ, as every search box does.

Django's own admin search matches `icontains` on the fields as typed: "duc" found no
"Đức" where a field had no folded copy, and on SQLite (whose LIKE folds ASCII only)
"đức" found no "Đức" at all. `core.admin_search.FoldedSearch` reads the box as
`core.text.search_words` does.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import make_staff
from congvu.core.tests.admin_helpers import admin_client, listed
from congvu.organisations.models import Organisation, StaffMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_admin(db: Any) -> Client:
    return admin_client()


@pytest.fixture
def three_staff(province: dict[str, Organisation]) -> dict[str, StaffMember]:
    justice = province["dept_justice"]
    return {
        "duc": make_staff(justice, "Nguyễn Văn Đức", "STP-001"),
        "duc_female": make_staff(justice, "Trần Thị Đức Hạnh", "STP-002"),
        "duoc": make_staff(justice, "Lê Văn Được", "STP-003"),
    }


def test_the_staff_admin_finds_duc_however_it_is_typed(
    as_admin: Client, three_staff: dict[str, StaffMember]
) -> None:
    url = "/admin/organisations/staffmember/"
    both = {str(three_staff["duc"].pk), str(three_staff["duc_female"].pk)}
    for typed in ("duc", "Đức", "đức", "ĐỨC", "Đức,"):
        assert listed(as_admin, url, typed) == both, typed
    # Every word must match, in any order; "duoc" is another name.
    assert listed(as_admin, url, "duc nguyen") == {str(three_staff["duc"].pk)}
    assert listed(as_admin, url, "được") == {str(three_staff["duoc"].pk)}
    assert listed(as_admin, url, "stp-003") == {str(three_staff["duoc"].pk)}
    assert len(listed(as_admin, url, "...")) == 3  # punctuation only: no search


def test_the_organisation_admin_and_its_autocomplete_ignore_accents(
    as_admin: Client, province: dict[str, Organisation]
) -> None:
    justice = str(province["dept_justice"].pk)
    url = "/admin/organisations/organisation/"
    for typed in ("so tu phap", "SỞ TƯ PHÁP", "sở tư pháp"):
        assert listed(as_admin, url, typed) == {justice}, typed
    assert listed(as_admin, url, "H56.30") == {str(province["commune"].pk)}
    # The role grants' organisation picker (autocomplete) searches the same way.
    found = as_admin.get(
        "/admin/autocomplete/",
        {
            "term": "SỞ TƯ PHÁP",
            "app_label": "accounts",
            "model_name": "rolegrant",
            "field_name": "organisation",
        },
    ).json()
    assert [row["id"] for row in found["results"]] == [justice]


def test_the_user_admin_searches_the_full_name_without_accents(as_admin: Client, db: Any) -> None:
    duc = User.objects.create_user("u1", full_name="Phạm Minh Đức", email="pm@example.vn")
    User.objects.create_user("u2", full_name="Phạm Thị Lan")
    url = "/admin/accounts/user/"
    assert listed(as_admin, url, "minh duc") == {str(duc.pk)}
    assert listed(as_admin, url, "ĐỨC") == {str(duc.pk)}
    assert listed(as_admin, url, "pm@example") == {str(duc.pk)}


def test_the_audit_admin_finds_a_summary_however_it_is_typed(
    as_admin: Client, three_staff: dict[str, StaffMember]
) -> None:
    # The folded copy of the summary and the object's id (`AuditEvent.search_text`).
    event = AuditEvent.objects.filter(summary__contains="Nguyễn Văn Đức").first()
    assert event is not None
    url = "/admin/audit/auditevent/"
    for typed in ("Đức, Nguyễn", "duc nguyen", "ĐỨC", "nguyen van duc"):
        assert str(event.pk) in listed(as_admin, url, typed), typed
    assert str(event.pk) not in listed(as_admin, url, "duc hanh")
    by_id = listed(as_admin, url, f"{event.object_id} duc")
    assert str(event.pk) in by_id
