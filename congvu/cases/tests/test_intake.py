from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from congvu.cases import reporter, services
from congvu.cases.models import Case, CaseEvent, Track
from congvu.conduct.selectors import applicable_clauses
from congvu.conduct.services import load_seed_catalogue
from congvu.core.tests.media_helpers import jpeg_with_gps
from congvu.feedback.models import Rating, RatingScale

from .core_helpers import media, report  # noqa: F401

pytestmark = pytest.mark.usefixtures("media")


def test_an_anonymous_report_is_saved_with_a_code_a_passphrase_and_a_created_event(
    staff_member,
):
    receipt = report(staff_member, track=Track.DENUNCIATION)
    case = Case.objects.get(code=receipt.code)
    assert case.status == Case.Status.RECEIVED
    assert case.is_anonymous and case.reporter_name == "" and case.reporter_email == ""
    assert case.handling_organisation == staff_member.organisation
    assert case.acknowledge_due > timezone.localdate()
    assert receipt.passphrase not in case.passphrase_hash
    assert reporter.follow(receipt.code, receipt.passphrase) == case
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.CREATED and event.audit_event is not None


def test_a_named_report_keeps_the_name_and_contacts_encrypted(staff_member):
    receipt = report(
        staff_member,
        is_anonymous=False,
        reporter_name="Lê Thị Hoa",
        reporter_phone="0987 654 321",
        reporter_email="Hoa@Example.vn",
    )
    case = Case.objects.get(pk=receipt.case.pk)
    assert case.reporter_name == "Lê Thị Hoa"
    assert case.reporter_email == "hoa@example.vn"
    raw = Case.objects.filter(pk=case.pk).values_list("reporter_name", flat=True)
    # values_list goes through from_db_value too: read the column itself.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_name FROM cases_case WHERE id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert "Hoa" not in stored and list(raw) == ["Lê Thị Hoa"]


def test_the_name_typed_in_an_anonymous_report_is_not_kept(staff_member):
    receipt = report(staff_member, is_anonymous=True, reporter_name="Lê Thị Hoa")
    assert Case.objects.get(pk=receipt.case.pk).reporter_name == ""


def test_every_bad_field_gets_its_own_bilingual_message(province):
    with pytest.raises(ValidationError) as caught:
        report(
            None,
            description="   ",
            is_anonymous=False,
            reporter_phone="12ab",
            reporter_email="not-an-email",
            occurred_on=timezone.localdate() + dt.timedelta(days=1),
        )
    errors = caught.value.message_dict
    for field in (
        "organisation",
        "subject_description",
        "description",
        "reporter_name",
        "reporter_phone",
        "reporter_email",
        "occurred_on",
    ):
        assert field in errors, field
        assert " / " in errors[field][0]
    assert Case.objects.count() == 0


def test_a_named_report_needs_a_phone_or_an_email(staff_member):
    with pytest.raises(ValidationError) as caught:
        report(staff_member, is_anonymous=False, reporter_name="Hoa")
    assert "reporter_phone" in caught.value.message_dict


def test_a_report_about_an_unnamed_person_needs_the_organisation_and_a_description(province):
    receipt = report(
        None,
        organisation=province["commune"],
        subject_description="Cán bộ trực quầy tiếp nhận sáng thứ hai",
    )
    assert receipt.case.organisation == province["commune"]
    assert receipt.case.subject_staff is None


def test_an_overlong_description_and_nul_bytes_are_handled(staff_member):
    with pytest.raises(ValidationError) as caught:
        report(staff_member, description="x" * (services.DESCRIPTION_MAX + 1))
    assert "description" in caught.value.message_dict
    receipt = report(staff_member, description="Đòi\x00 tiền")
    assert receipt.case.description == "Đòi tiền"


def test_clauses_must_belong_to_the_catalogue_that_applies(province, staff_member):
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    clause = applicable_clauses(staff_member.organisation).filter(rateable=True).first()
    assert clause is not None
    receipt = report(staff_member, clause_ids=[clause.pk])
    assert list(receipt.case.clauses.all()) == [clause]
    with pytest.raises(ValidationError) as caught:
        report(staff_member, clause_ids=[clause.pk, 999_999])
    assert "clause_ids" in caught.value.message_dict
    with pytest.raises(ValidationError):
        report(staff_member, clause_ids=["abc"])


def test_more_than_five_files_are_refused_and_nothing_is_saved(staff_member):
    files = [jpeg_with_gps(f"a{i}.jpg") for i in range(6)]
    with pytest.raises(ValidationError) as caught:
        report(staff_member, files=files)
    assert "files" in caught.value.message_dict
    assert Case.objects.count() == 0


def test_a_failure_after_the_files_are_written_leaves_no_case_and_no_file(
    staff_member, monkeypatch, settings
):
    from congvu.cases import timeline

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(timeline, "add", broken)
    with pytest.raises(RuntimeError):
        report(staff_member, files=[jpeg_with_gps()])
    assert Case.objects.count() == 0
    from pathlib import Path

    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_an_officer_records_a_phone_call_for_an_organisation_they_handle(
    officer, head, outsider, staff_member
):
    receipt = report(staff_member, channel=Case.Channel.PHONE, actor=head)
    assert receipt.case.created_by == head
    with pytest.raises(Http404):
        report(staff_member, channel=Case.Channel.PHONE, actor=outsider)
    with pytest.raises(ValidationError) as caught:
        report(staff_member, channel=Case.Channel.WEB, actor=officer)
    assert "channel" in caught.value.message_dict


def test_a_citizen_cannot_use_an_internal_channel(staff_member):
    with pytest.raises(ValidationError):
        report(staff_member, channel=Case.Channel.PHONE)


def test_a_viewer_cannot_record_a_report(viewer, staff_member):
    with pytest.raises(PermissionDenied):
        report(staff_member, channel=Case.Channel.LETTER, actor=viewer)


def _rating(staff, *, satisfied: bool, state: str = Rating.State.COUNTED) -> Rating:
    scale = RatingScale.objects.filter(is_active=True).first() or RatingScale.objects.create(
        code="t", name="t", is_active=True
    )
    return Rating.objects.create(
        created_at=timezone.now(),
        rated_on=timezone.localdate(),
        channel=Rating.Channel.BADGE,
        organisation=staff.organisation,
        staff=staff,
        scale=scale,
        level=5 if not satisfied else 1,
        satisfied=satisfied,
        state=state,
        comment="Thái độ hách dịch",
    )


def test_a_low_rating_opens_a_case_about_the_rated_staff_member_once(head, staff_member):
    rating = _rating(staff_member, satisfied=False)
    case = services.open_from_rating(rating, actor=head)
    assert case.subject_staff == staff_member
    assert case.source_rating == rating
    assert case.channel == Case.Channel.FLAGGED_RATING
    assert case.description == "Thái độ hách dịch"
    assert services.open_from_rating(rating, actor=head) == case
    assert Case.objects.count() == 1


def test_a_satisfied_counted_rating_does_not_open_a_case(head, staff_member):
    rating = _rating(staff_member, satisfied=True)
    with pytest.raises(ValidationError):
        services.open_from_rating(rating, actor=head)


def test_opening_from_a_rating_needs_case_handle(viewer, outsider, staff_member):
    rating = _rating(staff_member, satisfied=False, state=Rating.State.FLAGGED)
    with pytest.raises(PermissionDenied):
        services.open_from_rating(rating, actor=viewer)
    with pytest.raises(Http404):
        services.open_from_rating(rating, actor=outsider)


def test_the_timeline_is_written_in_vietnamese_whatever_the_reporters_language(
    province: dict[str, Any],
) -> None:
    from django.utils import translation

    from congvu.cases import services as case_services

    with translation.override("en"):
        receipt = case_services.submit_report(
            case_services.ReportInput(
                organisation=province["dept_justice"],
                subject_description="Cán bộ quầy số 2",
                other_standard="Đòi tiền",
                description="Cán bộ đòi tiền mới nhận hồ sơ.",
            )
        )
    created = receipt.case.events.get(kind="created")
    assert "Report received" not in created.body
    assert "Tiếp nhận" in created.body or "tiếp nhận" in created.body
