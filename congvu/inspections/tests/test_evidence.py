"""Evidence on inspections: the team's photos on the checklist, the organisation's proof on
a corrective action, who may download them, and the refused files that save nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.core.tests.media_helpers import (
    AUTHOR,
    docx_bytes,
    jpeg_with_gps,
    pdf,
    zip_bomb,
)
from congvu.inspections import services
from congvu.inspections.models import CorrectiveAction, Inspection, InspectionFile, Observation
from congvu.organisations.models import Organisation, StaffMember

from ...conftest import make_user
from .conftest import answer_all, conclude, concluded_with_breach, plan, start

pytestmark = pytest.mark.usefixtures("catalogue")

R = Observation.Result


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def disguised(name: str = "the-bi-mat.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", "image/jpeg")


def url(name: str, *args: Any) -> str:
    return reverse(f"inspections:{name}", args=args)


def running(organisation: Organisation, inspector: User) -> tuple[Inspection, Observation]:
    inspection = start(plan(organisation, inspector), inspector)
    return inspection, inspection.observations.order_by("order").first()  # type: ignore[return-value]


# --- the team's evidence, through the service -----------------------------------------------


def test_a_photo_on_the_checklist_is_kept_without_its_gps_position_and_audited(
    province: dict[str, Organisation], inspector: User, media: Path
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    services.record_observations(
        inspection,
        [services.Answer(first.pk, R.BREACHED, "Không đeo thẻ công chức")],
        actor=inspector,
        files={first.pk: [jpeg_with_gps("the.jpg")]},
    )
    item = InspectionFile.objects.get()
    assert (item.observation, item.corrective_action, item.uploaded_by) == (first, None, inspector)
    assert (item.original_name, item.content_type) == ("the.jpg", "image/jpeg")
    content = item.file.read()
    assert b"SecretPhone" not in content and b"PhoneMaker" not in content
    assert item.sha256 == hashlib.sha256(content).hexdigest() and item.size == len(content)
    event = AuditEvent.objects.filter(action="inspection.observe").latest("pk")
    assert event.data["files"] == [
        {"observation": first.pk, "name": "the.jpg", "sha256": item.sha256}
    ]


def test_a_refused_file_saves_nothing_of_the_submission_and_names_every_refused_file(
    province: dict[str, Organisation], inspector: User, media: Path
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    second = inspection.observations.order_by("order")[1]
    with pytest.raises(ValidationError) as exc:
        services.record_observations(
            inspection,
            [services.Answer(first.pk, R.KEPT), services.Answer(second.pk, R.KEPT)],
            actor=inspector,
            files={
                first.pk: [jpeg_with_gps(), disguised("a.jpg")],
                second.pk: [disguised("b.jpg"), pdf()],
            },
        )
    messages = exc.value.message_dict
    assert "a.jpg" in " ".join(messages[f"files-{first.pk}"])
    assert "b.jpg" in " ".join(messages[f"files-{second.pk}"])
    assert not inspection.observations.exclude(result="").exists()
    assert not InspectionFile.objects.exists()
    assert stored_files(media) == []


def test_a_zip_bomb_is_refused_by_name(
    province: dict[str, Organisation], inspector: User, media: Path
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    bomb = SimpleUploadedFile("bien-ban.docx", zip_bomb(docx_bytes()))
    with pytest.raises(ValidationError) as exc:
        services.record_observations(inspection, [], actor=inspector, files={first.pk: [bomb]})
    assert "Tệp bien-ban.docx là tệp nén bất thường" in str(exc.value)
    assert stored_files(media) == []


def test_the_file_size_and_count_limits_come_from_the_settings(
    province: dict[str, Organisation], inspector: User, media: Path, settings: Any
) -> None:
    settings.INSPECTIONS_UPLOAD_MAX_FILES = 2
    inspection, first = running(province["dept_justice"], inspector)
    services.record_observations(inspection, [], actor=inspector, files={first.pk: [pdf()]})
    with pytest.raises(ValidationError) as exc:
        services.record_observations(
            inspection, [], actor=inspector, files={first.pk: [pdf("2.pdf"), pdf("3.pdf")]}
        )
    assert "Tối đa 2 tệp" in exc.value.message_dict[f"files-{first.pk}"][0]
    settings.INSPECTIONS_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        services.record_observations(
            inspection, [], actor=inspector, files={first.pk: [jpeg_with_gps("lon.jpg")]}
        )
    assert "Tệp lon.jpg quá lớn" in exc.value.message_dict[f"files-{first.pk}"][0]
    assert InspectionFile.objects.count() == 1


def test_only_the_uploader_removes_a_file_and_only_before_the_conclusion(
    province: dict[str, Organisation],
    inspector: User,
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    colleague = make_user("dongnghiep", Role.INSPECTOR, province["root"])
    inspection, first = running(province["dept_justice"], inspector)
    services.record_observations(
        inspection, [], actor=inspector, files={first.pk: [pdf("1.pdf"), pdf("2.pdf")]}
    )
    one, two = InspectionFile.objects.order_by("pk")
    with pytest.raises(PermissionDenied):
        services.remove_file(one, actor=colleague)
    with pytest.raises(ValidationError):
        services.record_observations(inspection, [], actor=colleague, remove=[one.pk])
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_file(one, actor=inspector)
    assert list(InspectionFile.objects.all()) == [two]
    assert len(stored_files(media)) == 1  # the file went with its row, once committed
    assert AuditEvent.objects.filter(action="inspection.remove_file").exists()
    answer_all(inspection, inspector)
    conclude(inspection, inspector)
    with pytest.raises(ValidationError) as exc:
        services.remove_file(two, actor=inspector)
    assert "đã kết luận là hồ sơ" in str(exc.value)
    with pytest.raises(ValidationError):
        services.record_observations(inspection, [], actor=inspector, remove=[two.pk])
    assert InspectionFile.objects.count() == 1 and len(stored_files(media)) == 1


def test_no_evidence_is_added_once_the_inspection_is_concluded(
    province: dict[str, Organisation], inspector: User, media: Path
) -> None:
    _inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    with pytest.raises(ValidationError):
        services.attach_evidence(breach, actor=inspector, files=[pdf()])
    assert stored_files(media) == []


def test_a_viewer_cannot_attach_evidence_and_an_outsider_is_told_nothing(
    province: dict[str, Organisation], inspector: User, viewer: User, outsider: User, media: Path
) -> None:
    from django.http import Http404

    _inspection, first = running(province["dept_justice"], inspector)
    with pytest.raises(PermissionDenied):
        services.attach_evidence(first, actor=viewer, files=[pdf()])
    with pytest.raises(Http404):
        services.attach_evidence(first, actor=outsider, files=[pdf()])
    assert stored_files(media) == []


# --- the organisation's proof ---------------------------------------------------------------


def test_the_organisation_answers_with_proof_and_a_refused_proof_keeps_nothing(
    province: dict[str, Organisation], inspector: User, focal: User, media: Path
) -> None:
    _inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    action = services.add_corrective_action(breach, actor=inspector, description="Treo biển tên")
    with pytest.raises(ValidationError) as exc:
        services.respond(
            action,
            actor=focal,
            response="Đã treo biển tên",
            done=True,
            files=[pdf(), disguised()],
        )
    assert "the-bi-mat.jpg" in " ".join(exc.value.message_dict["files"])
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.OPEN and action.response == ""
    assert stored_files(media) == []
    services.respond(action, actor=focal, response="Đã treo biển tên", files=[jpeg_with_gps()])
    item = InspectionFile.objects.get()
    assert (item.corrective_action, item.observation, item.uploaded_by) == (action, breach, focal)
    services.attach_proof(action, actor=focal, files=[pdf()])
    assert action.files.count() == 2
    assert AuditEvent.objects.filter(action="inspection.attach_proof").exists()


def test_proof_is_refused_before_the_conclusion_and_once_the_action_is_done(
    province: dict[str, Organisation], inspector: User, focal: User, media: Path
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    answer_all(inspection, inspector, breach=1)
    action = services.add_corrective_action(first, actor=inspector, description="Đeo thẻ")
    with pytest.raises(ValidationError):
        services.attach_proof(action, actor=focal, files=[pdf()])
    conclude(inspection, inspector)
    services.respond(action, actor=focal, response="Xong", done=True)
    with pytest.raises(ValidationError):
        services.attach_proof(action, actor=focal, files=[pdf()])
    with pytest.raises(PermissionDenied):
        services.attach_proof(action, actor=inspector, files=[pdf()])
    assert stored_files(media) == []


# --- the pages ------------------------------------------------------------------------------


def test_the_inspector_attaches_a_photo_on_the_checklist_and_downloads_it(
    province: dict[str, Organisation], inspector: User, as_inspector: Client, media: Path
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    response = as_inspector.post(
        url("checklist", inspection.code),
        {
            f"result-{first.pk}": "breached",
            f"note-{first.pk}": "Không đeo thẻ",
            f"files-{first.pk}": [jpeg_with_gps("khong-deo-the.jpg"), pdf("bien-ban.pdf")],
        },
    )
    assert response.status_code == 302
    photo, document = InspectionFile.objects.order_by("pk")
    page = as_inspector.get(url("checklist", inspection.code)).content.decode()
    assert "khong-deo-the.jpg" in page and url("file", inspection.code, photo.pk) in page
    shown = as_inspector.get(url("file", inspection.code, photo.pk))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert b"SecretPhone" not in b"".join(shown.streaming_content)  # type: ignore[attr-defined]
    downloaded = as_inspector.get(url("file", inspection.code, document.pk))
    assert downloaded["Content-Disposition"].startswith("attachment")
    assert AUTHOR.encode() not in b"".join(downloaded.streaming_content)  # type: ignore[attr-defined]


def test_a_refused_file_on_the_checklist_keeps_the_answers_typed_and_saves_nothing(
    province: dict[str, Organisation], inspector: User, as_inspector: Client, media: Path
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    response = as_inspector.post(
        url("checklist", inspection.code),
        {
            f"result-{first.pk}": "breached",
            f"note-{first.pk}": "Ghi chú được giữ lại",
            f"files-{first.pk}": [jpeg_with_gps(), disguised()],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Loại tệp không được chấp nhận: the-bi-mat.jpg" in page
    assert "File type not accepted" in page
    assert "Chưa lưu tệp nào; hãy chọn lại các tệp." in page
    assert "Ghi chú được giữ lại" in page
    assert not inspection.observations.exclude(result="").exists()
    assert not InspectionFile.objects.exists() and stored_files(media) == []


def test_the_uploader_removes_their_file_from_the_checklist_but_sees_no_box_for_others(
    province: dict[str, Organisation], inspector: User, as_inspector: Client, media: Path
) -> None:
    colleague = make_user("dongnghiep", Role.INSPECTOR, province["root"])
    inspection, first = running(province["dept_justice"], inspector)
    services.record_observations(inspection, [], actor=inspector, files={first.pk: [pdf("1.pdf")]})
    services.record_observations(inspection, [], actor=colleague, files={first.pk: [pdf("2.pdf")]})
    mine, theirs = InspectionFile.objects.order_by("pk")
    page = as_inspector.get(url("checklist", inspection.code)).content.decode()
    assert f'name="remove-{mine.pk}"' in page and f'name="remove-{theirs.pk}"' not in page
    response = as_inspector.post(url("checklist", inspection.code), {f"remove-{mine.pk}": "on"})
    assert response.status_code == 302
    assert list(InspectionFile.objects.all()) == [theirs]


def test_the_organisation_sees_the_evidence_only_once_the_inspection_is_concluded(
    province: dict[str, Organisation],
    inspector: User,
    as_head: Client,
    as_viewer: Client,
    as_outsider: Client,
    media: Path,
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    services.record_observations(
        inspection, [], actor=inspector, files={first.pk: [jpeg_with_gps("anh.jpg")]}
    )
    item = InspectionFile.objects.get()
    target = url("file", inspection.code, item.pk)
    assert as_head.get(target).status_code == 404  # the findings are not out yet
    assert as_viewer.get(target).status_code == 403
    assert as_outsider.get(target).status_code == 404
    answer_all(inspection, inspector)
    conclude(inspection, inspector)
    assert as_head.get(target).status_code == 200
    assert "anh.jpg" in as_head.get(url("detail", inspection.code)).content.decode()
    assert as_viewer.get(target).status_code == 403
    assert as_outsider.get(target).status_code == 404
    assert as_head.get(url("file", inspection.code, item.pk + 1000)).status_code == 404


def test_a_file_is_not_reached_through_another_inspection(
    province: dict[str, Organisation], inspector: User, as_inspector: Client, media: Path
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    other = plan(province["commune"], inspector)
    services.record_observations(inspection, [], actor=inspector, files={first.pk: [pdf()]})
    item = InspectionFile.objects.get()
    assert as_inspector.get(url("file", other.code, item.pk)).status_code == 404


def test_the_focal_point_answers_with_a_photo_and_a_bad_file_keeps_the_answer_typed(
    province: dict[str, Organisation], inspector: User, as_focal: Client, media: Path
) -> None:
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    action = services.add_corrective_action(breach, actor=inspector, description="Treo biển tên")
    target = url("respond", inspection.code, action.pk)
    prefix = f"r{action.pk}"
    response = as_focal.post(
        target, {f"{prefix}-response": "Đã treo biển tên tại quầy", f"{prefix}-proof": disguised()}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Loại tệp không được chấp nhận: the-bi-mat.jpg" in page
    assert "Đã treo biển tên tại quầy" in page and "Chưa lưu tệp nào" in page
    action.refresh_from_db()
    assert action.response == "" and stored_files(media) == []
    response = as_focal.post(
        target,
        {f"{prefix}-response": "Đã treo biển tên tại quầy", f"{prefix}-proof": jpeg_with_gps()},
    )
    assert response.status_code == 302
    item = InspectionFile.objects.get()
    assert item.corrective_action == action
    page = as_focal.get(url("detail", inspection.code)).content.decode()
    assert url("file", inspection.code, item.pk) in page


# --- the staff picker -----------------------------------------------------------------------


def test_the_staff_picker_lists_the_organisation_once_and_finds_a_name_typed_without_accents(
    province: dict[str, Organisation],
    inspector: User,
    as_inspector: Client,
    staff_member: StaffMember,
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    page = as_inspector.get(url("checklist", inspection.code)).content.decode()
    assert inspection.observations.count() > 1
    assert page.count("Nguyễn Văn Đức (STP-001)") == 1  # one list, not one per clause
    assert page.count("<datalist") == 1
    response = as_inspector.post(
        url("checklist", inspection.code),
        {
            f"result-{first.pk}": "breached",
            f"note-{first.pk}": "Không đeo thẻ",
            f"staff-{first.pk}": "  nguyen van DUC ",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.staff == staff_member
    page = as_inspector.get(url("checklist", inspection.code)).content.decode()
    assert 'value="Nguyễn Văn Đức (STP-001)"' in page


def test_homonyms_are_told_apart_by_their_code_and_an_unknown_name_is_refused_with_input_kept(
    province: dict[str, Organisation],
    inspector: User,
    as_inspector: Client,
    staff_member: StaffMember,
) -> None:
    from ...conftest import make_staff

    namesake = make_staff(province["dept_justice"], "Nguyễn Văn Đức", "STP-002")
    inspection, first = running(province["dept_justice"], inspector)
    target = url("checklist", inspection.code)
    response = as_inspector.post(target, {f"staff-{first.pk}": "Nguyễn Văn Đức"})
    assert response.status_code == 400
    assert "Có 2 cán bộ tên “Nguyễn Văn Đức”" in response.content.decode()
    response = as_inspector.post(target, {f"staff-{first.pk}": "Trần Không Có"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Không có cán bộ “Trần Không Có”" in page and 'value="Trần Không Có"' in page
    response = as_inspector.post(target, {f"staff-{first.pk}": "stp-002"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.staff == namesake


def test_a_staff_member_who_left_after_being_observed_stays_on_the_saved_checklist(
    province: dict[str, Organisation],
    inspector: User,
    as_inspector: Client,
    staff_member: StaffMember,
) -> None:
    inspection, first = running(province["dept_justice"], inspector)
    services.record_observations(
        inspection,
        [services.Answer(first.pk, R.BREACHED, "Không đeo thẻ", staff_member.pk)],
        actor=inspector,
    )
    StaffMember.objects.filter(pk=staff_member.pk).update(is_active=False)
    page = as_inspector.get(url("checklist", inspection.code)).content.decode()
    assert page.count("Nguyễn Văn Đức (STP-001)") == 1  # kept in the answer, not suggested
    response = as_inspector.post(
        url("checklist", inspection.code),
        {
            f"result-{first.pk}": "breached",
            f"note-{first.pk}": "Không đeo thẻ",
            f"staff-{first.pk}": "Nguyễn Văn Đức (STP-001)",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.staff == staff_member
