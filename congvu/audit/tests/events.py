"""Audit events the page and API tests share."""

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.audit.services import record
from congvu.organisations.models import Organisation


def sample_events(province: dict[str, Organisation], officer: User) -> dict[str, AuditEvent]:
    """One event for Sở Tư pháp, one for the commune, one of no organisation."""
    justice = record(
        "planning.task_create",
        actor=officer,
        object_type="planning.task",
        object_id="7",
        organisation=province["dept_justice"],
        summary="Nhiệm vụ tuyên truyền",
        data={"deadline": "2026-12-31", "organisations": [1, 2]},
    )
    commune = record(
        "inspection.plan",
        actor=officer,
        object_type="inspections.inspection",
        object_id="99",
        organisation=province["commune"],
        summary='=HYPERLINK("x") Kiểm tra xã An Bình',
    )
    account = record(
        "accounts.create_user",
        actor=officer,
        object_type="accounts.user",
        object_id=str(officer.pk),
        summary="tài khoản mới",
    )
    return {"justice": justice, "commune": commune, "account": account}


def searched_events(province: dict[str, Organisation], officer: User) -> dict[str, AuditEvent]:
    """Two events the text search finds by words typed without accents."""
    bribe = record(
        "case.create",
        actor=officer,
        object_type="cases.case",
        object_id="PA-2026-00042",
        organisation=province["dept_justice"],
        summary="Phản ánh cán bộ vòi vĩnh tiền khi nhận hồ sơ",
    )
    duc = record(
        "staff.update",
        actor=officer,
        object_type="organisations.staffmember",
        object_id="31",
        organisation=province["commune"],
        summary="STP-001 Nguyễn Văn Đức",
    )
    return {"bribe": bribe, "duc": duc}
