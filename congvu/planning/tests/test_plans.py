import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from congvu.accounts.models import Role
from congvu.audit.models import AuditEvent
from congvu.conftest import (
    client_for,
    form_key,
    kind,
    make_user,
    page_form,
    said_already_sent,
    said_changed_meanwhile,
)
from congvu.core.tests.media_helpers import (
    AUTHOR,
    BODY,
    NAMES,
    PHONE,
    docx_bytes,
    docx_with_traces,
    encrypted_pdf_bytes,
    odt_bytes,
    odt_with_traces,
    pdf_bytes,
    unzipped,
    xlsx_bytes,
    zip_bomb,
)
from congvu.organisations import services as org_services
from congvu.planning import services
from congvu.planning.models import Plan, Schedule, Task

D = dt.date


@pytest.fixture
def provincial_plan(province):
    return services.create_plan(
        actor=None,
        number="86/KH-UBND",
        title="Triển khai thực hiện Đề án Văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=D(2019, 8, 30),
        basis="Căn cứ Quyết định số 1847/QĐ-TTg",
    )


@pytest.fixture
def justice_plan(province, provincial_plan):
    return services.create_plan(
        actor=None,
        number="12/KH-STP",
        title="Kế hoạch thực hiện văn hóa công vụ của Sở Tư pháp",
        issuing_organisation=province["dept_justice"],
        issued_on=D(2019, 10, 1),
        parent=provincial_plan,
    )


@pytest.fixture
def focal_point(province):
    return make_user("daumoi", Role.FOCAL_POINT, province["commune"])


def plan_post(province, **overrides):
    data = {
        "number": "15/KH-STP",
        "title": "Kế hoạch năm 2026 của Sở Tư pháp",
        "issuing_organisation": province["dept_justice"].pk,
        "issued_on": "2026-01-15",
        "basis": "Căn cứ Kế hoạch số 86/KH-UBND",
    }
    data.update(overrides)
    return data


# --- visibility -------------------------------------------------------------------------


def test_a_commune_focal_point_sees_the_provincial_plan_above_the_commune(
    provincial_plan, justice_plan, focal_point
):
    assert list(Plan.objects.visible_to(focal_point)) == [provincial_plan]


def test_a_plan_that_assigns_work_to_a_commune_is_visible_there(province, focal_point):
    other_province = org_services.create_organisation(
        actor=None,
        code="H99",
        name="UBND tỉnh khác",
        kind=kind("province_pc"),
        valid_from=D(2025, 1, 1),
    )
    plan = Plan.objects.create(
        number="5/KH-BNV",
        title="Kế hoạch của cơ quan khác",
        issuing_organisation=other_province,
        issued_on=D(2026, 1, 1),
    )
    assert not Plan.objects.visible_to(focal_point).exists()
    services.create_task(
        plan,
        actor=None,
        code="1",
        content="Báo cáo",
        assignees=[province["commune"]],
        schedule=Schedule.YEARLY,
        starts_on=D(2026, 1, 1),
    )
    assert list(Plan.objects.visible_to(focal_point)) == [plan]
    assert Task.objects.visible_to(focal_point).count() == 1


def test_an_outsider_does_not_see_another_organisations_own_plan(justice_plan, outsider, officer):
    assert justice_plan not in Plan.objects.visible_to(outsider)
    assert justice_plan in Plan.objects.visible_to(officer)


# --- services -----------------------------------------------------------------------------


def test_a_derived_plan_cannot_be_its_own_ancestor(provincial_plan, justice_plan):
    with pytest.raises(ValidationError) as caught:
        services.update_plan(provincial_plan, actor=None, parent=justice_plan)
    assert "parent" in caught.value.message_dict


def test_a_derived_plan_cannot_be_issued_before_its_parent(provincial_plan, province):
    with pytest.raises(ValidationError) as caught:
        services.create_plan(
            actor=None,
            number="1/KH",
            title="Sớm quá",
            issuing_organisation=province["commune"],
            issued_on=D(2019, 1, 1),
            parent=provincial_plan,
        )
    assert " / " in caught.value.message_dict["issued_on"][0]


def test_a_plan_issued_in_the_future_is_refused(province):
    with pytest.raises(ValidationError) as caught:
        services.create_plan(
            actor=None,
            number="1/KH",
            title="Chưa ban hành",
            issuing_organisation=province["commune"],
            issued_on=D(2099, 1, 1),
        )
    assert caught.value.message_dict["issued_on"] == [
        "Ngày ban hành không được sau hôm nay: hãy ghi kế hoạch khi đã ban hành. / "
        "The issue date cannot be in the future: record a plan once it is issued."
    ]


def test_plan_writes_are_audited(provincial_plan):
    services.update_plan(provincial_plan, actor=None, title="Tên mới")
    assert list(
        AuditEvent.objects.filter(action__startswith="planning.").values_list("action", flat=True)
    ) == [
        "planning.plan_create",
        "planning.plan_update",
    ]


# --- pages --------------------------------------------------------------------------------


def test_the_plan_list_nests_derived_plans_under_their_parent(
    as_officer, provincial_plan, justice_plan
):
    response = as_officer.get(reverse("planning:plan_list"))
    assert response.status_code == 200
    assert response.context["rows"] == [(provincial_plan, 0), (justice_plan, 1)]


def test_in_english_the_list_is_titled_plans_and_one_plan_is_a_plan(as_officer, provincial_plan):
    as_officer.cookies["congvu_lang"] = "en"
    listing = as_officer.get(reverse("planning:plan_list")).content.decode()
    assert "<h1>Plans</h1>" in listing
    page = as_officer.get(reverse("planning:plan_detail", args=[provincial_plan.pk]))
    html = page.content.decode()
    assert "<h1>Plan 86/KH-UBND</h1>" in html
    assert '">Plans</a>' in html


def test_the_plan_search_ignores_accents(as_officer, provincial_plan, justice_plan):
    response = as_officer.get(reverse("planning:plan_list"), {"q": "tu phap"})
    assert response.context["rows"] == [(justice_plan, 0)]
    response = as_officer.get(reverse("planning:plan_list"), {"q": "86/kh"})
    assert response.context["rows"] == [(provincial_plan, 0)]


def test_the_plan_search_reads_words_as_every_box_and_refuses_a_query_too_long(
    as_officer, provincial_plan, justice_plan
):
    response = as_officer.get(reverse("planning:plan_list"), {"q": "(Tư pháp),"})
    assert response.context["rows"] == [(justice_plan, 0)]
    # Longer than the other search boxes allow: said in both languages, nothing filtered.
    response = as_officer.get(reverse("planning:plan_list"), {"q": "x" * 10_000})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tối đa 200 ký tự" in html and "At most 200 characters" in html
    assert response.context["rows"] == [(provincial_plan, 0), (justice_plan, 1)]
    assert 'maxlength="200"' in html


def test_the_plan_list_shows_an_outsider_only_what_concerns_them(as_outsider, justice_plan):
    response = as_outsider.get(reverse("planning:plan_list"))
    assert justice_plan not in [plan for plan, _depth in response.context["rows"]]


def test_the_plan_page_shows_facts_child_plans_and_task_counts(
    as_officer, provincial_plan, justice_plan, province
):
    services.create_task(
        provincial_plan,
        actor=None,
        code="1",
        content="Quán triệt Quyết định 1847",
        assign_to=Task.AssignTo.KINDS,
        assignee_kinds=[kind("department")],
        due_on=D(2026, 1, 31),
        starts_on=D(2026, 1, 1),
    )
    response = as_officer.get(reverse("planning:plan_detail", args=[provincial_plan.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Căn cứ Quyết định số 1847/QĐ-TTg" in text
    assert "12/KH-STP" in text
    ((_task, counts),) = response.context["rows"]
    assert (counts["total"], counts["overdue"]) == (2, 2)


def test_the_plan_page_is_404_for_an_outsider_and_read_only_for_a_viewer(
    as_outsider, as_viewer, justice_plan, province
):
    detail = reverse("planning:plan_detail", args=[justice_plan.pk])
    assert as_outsider.get(detail).status_code == 404
    assert as_outsider.get(reverse("planning:plan_edit", args=[justice_plan.pk])).status_code == 404
    assert as_viewer.get(detail).status_code == 200
    edit = reverse("planning:plan_edit", args=[justice_plan.pk])
    assert as_viewer.get(edit).status_code == 403
    assert as_viewer.post(edit, plan_post(province)).status_code == 403
    assert as_viewer.post(reverse("planning:plan_create"), plan_post(province)).status_code == 403
    justice_plan.refresh_from_db()
    assert justice_plan.number == "12/KH-STP"


def test_an_officer_creates_a_derived_plan_with_its_file(
    as_officer, provincial_plan, province, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("planning:plan_create")
    form_page = as_officer.get(url, {"parent": provincial_plan.pk})
    assert form_page.status_code == 200
    assert "Tên tác giả, người sửa và thông tin ẩn trong PDF, DOCX, ODT được xóa" in (
        form_page.content.decode()
    )
    document = SimpleUploadedFile("ke-hoach.pdf", pdf_bytes(), content_type="application/pdf")
    response = as_officer.post(
        url, plan_post(province, parent=provincial_plan.pk, document=document)
    )
    plan = Plan.objects.get(number="15/KH-STP")
    assert response["Location"] == reverse("planning:plan_detail", args=[plan.pk])
    assert plan.parent == provincial_plan
    download = as_officer.get(reverse("planning:plan_document", args=[plan.pk]))
    assert download.status_code == 200
    assert 'filename="ke-hoach.pdf"' in download["Content-Disposition"]
    stored = b"".join(download.streaming_content)
    # Cleaned like evidence: the pages are kept, the author and XMP are not.
    assert len(PdfReader(io.BytesIO(stored)).pages) == 1
    assert AUTHOR.encode() not in stored


def test_a_plan_sent_twice_is_created_once_without_a_number_already_taken_error(
    as_officer, province
):
    # Before, the second sending was refused as "already has a plan with that number".
    url = reverse("planning:plan_create")
    data = plan_post(province, once=form_key(as_officer.get(url)))
    first, second = as_officer.post(url, data), as_officer.post(url, data)
    plan = Plan.objects.get(number="15/KH-STP")
    assert (
        first["Location"] == second["Location"] == reverse("planning:plan_detail", args=[plan.pk])
    )
    assert said_already_sent(as_officer, second)


def test_a_bad_plan_form_keeps_the_input_and_says_why(as_officer, justice_plan, province):
    response = as_officer.post(
        reverse("planning:plan_create"),
        plan_post(province, number="12/KH-STP", title="Tiêu đề được giữ lại"),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Tiêu đề được giữ lại" in text
    assert "already has a plan with that number" in text


@pytest.mark.parametrize("typed", ["9999-12-31", "01/01/0001", "31/12/1999"])
def test_a_plan_dated_outside_2000_2100_is_refused_as_a_typing_mistake(as_officer, province, typed):
    before = Plan.objects.count()
    response = as_officer.post(
        reverse("planning:plan_create"),
        plan_post(province, number="99/KH-UBND", issued_on=typed, title="Giữ lại tiêu đề"),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Ngày phải trong khoảng năm 2000–2100" in text
    assert "Giữ lại tiêu đề" in text
    assert Plan.objects.count() == before


def test_a_wrong_file_type_is_refused_with_a_message(as_officer, province):
    document = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = as_officer.post(
        reverse("planning:plan_create"), plan_post(province, document=document)
    )
    assert response.status_code == 400
    assert "PDF" in response.content.decode()
    assert not Plan.objects.exists()


# --- the plan's document: its content checked, a PDF cleaned, a zip bomb refused ----------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def _create_with(as_officer, province, name, content):
    document = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return as_officer.post(
        reverse("planning:plan_create"),
        plan_post(province, title="Trích yếu được giữ lại", document=document),
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "ke-hoach.pdf",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "Nội dung tệp ke-hoach.pdf không đúng với đuôi .pdf (có thể là tệp giả dạng)",
        ),
        (
            "ke-hoach.docx",
            b"<html><body>renamed</body></html>",
            "Nội dung tệp ke-hoach.docx không đúng với đuôi .docx (có thể là tệp giả dạng)",
        ),
        ("ke-hoach.docx", pdf_bytes(), "Nội dung tệp ke-hoach.docx không đúng với đuôi .docx."),
        ("ke-hoach.docx", xlsx_bytes(), "không đúng với đuôi .docx"),
        ("ke-hoach.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "đuôi .doc"),
        ("ke-hoach.pdf", encrypted_pdf_bytes(), "Tệp PDF ke-hoach.pdf có mật khẩu"),
        ("ke-hoach.pdf", b"%PDF-1.4 not really", "Tệp PDF ke-hoach.pdf bị hỏng"),
        ("ke-hoach.docx", zip_bomb(docx_bytes()), "Tệp ke-hoach.docx là tệp nén bất thường"),
        ("ke-hoach.odt", zip_bomb(odt_bytes()), "Tệp ke-hoach.odt là tệp nén bất thường"),
    ],
    ids=[
        "html-as-pdf",
        "html-as-docx",
        "pdf-as-docx",
        "xlsx-as-docx",
        "other-ole2-as-doc",
        "encrypted-pdf",
        "damaged-pdf",
        "docx-zip-bomb",
        "odt-zip-bomb",
    ],
)
def test_a_plan_document_that_is_not_what_it_says_is_refused_by_name_and_the_form_kept(
    as_officer, province, media, name, content, message
):
    response = _create_with(as_officer, province, name, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Trích yếu được giữ lại" in page
    assert not Plan.objects.exists()
    assert not _stored(media)


@pytest.mark.parametrize(
    ("name", "build"), [("ke-hoach.docx", docx_with_traces), ("ke-hoach.odt", odt_with_traces)]
)
def test_an_officials_word_or_opendocument_file_is_stored_without_who_wrote_it(
    as_officer, province, media, name, build
):
    content = build()
    response = _create_with(as_officer, province, name, content)
    assert response.status_code == 302
    plan = Plan.objects.get()
    download = as_officer.get(reverse("planning:plan_document", args=[plan.pk]))
    stored = b"".join(download.streaming_content)
    assert f'filename="{name}"' in download["Content-Disposition"]
    text = unzipped(stored)
    assert BODY.encode() in text
    for name_in_it in (*NAMES, PHONE):
        assert name_in_it.encode() not in text, name_in_it


def test_the_document_field_says_in_english_what_is_removed():
    from django.utils import translation

    from congvu.planning.forms import PlanForm

    with translation.override("en"):
        help_text = str(PlanForm.base_fields["document"].help_text)
    assert help_text.startswith(
        "At most 20 MB. The author's and editors' names and hidden information in a PDF, DOCX"
    )


def test_a_word_97_file_is_recognised_by_its_word_stream():
    from congvu.planning import uploads

    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    assert uploads.document_type(header + "WordDocument".encode("utf-16-le")) == uploads.DOC
    assert uploads.document_type(header + "Workbook".encode("utf-16-le")) is None


def test_a_zip_bomb_replacing_the_document_of_a_plan_is_refused_and_the_old_one_kept(
    as_officer, justice_plan, province, media
):
    url = reverse("planning:plan_edit", args=[justice_plan.pk])
    fields = plan_post(province, number="12/KH-STP", issued_on="2019-10-01")
    first = SimpleUploadedFile("ke-hoach.docx", docx_bytes())
    assert as_officer.post(url, {**fields, "document": first}).status_code == 302
    justice_plan.refresh_from_db()
    kept = justice_plan.document.name
    bomb = SimpleUploadedFile("ke-hoach-moi.docx", zip_bomb(docx_bytes()))
    response = as_officer.post(url, {**fields, "title": "Tên mới chưa lưu", "document": bomb})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tệp ke-hoach-moi.docx là tệp nén bất thường" in page
    assert "Tên mới chưa lưu" in page
    justice_plan.refresh_from_db()
    assert justice_plan.document.name == kept
    assert len(_stored(media)) == 1


def test_a_replaced_plan_document_is_removed_once_the_change_is_saved(
    as_officer, justice_plan, province, media, django_capture_on_commit_callbacks
):
    url = reverse("planning:plan_edit", args=[justice_plan.pk])
    fields = plan_post(province, number="12/KH-STP", issued_on="2019-10-01")
    with django_capture_on_commit_callbacks(execute=True):
        first = SimpleUploadedFile("ke-hoach.docx", docx_bytes())
        assert as_officer.post(url, {**fields, "document": first}).status_code == 302
    justice_plan.refresh_from_db()
    old = justice_plan.document.name
    with django_capture_on_commit_callbacks(execute=True):
        second = SimpleUploadedFile("ke-hoach-sua.docx", docx_bytes())
        assert as_officer.post(url, {**fields, "document": second}).status_code == 302
    justice_plan.refresh_from_db()
    assert justice_plan.document.name != old
    assert [p.name for p in _stored(media)] == [Path(justice_plan.document.name).name]
    event = AuditEvent.objects.filter(action="planning.plan_update").latest("pk")
    assert event.data["document"] == "ke-hoach-sua.docx"
    assert event.data["replaced_document"] == old


def test_an_officer_edits_a_plan(as_officer, justice_plan, province):
    url = reverse("planning:plan_edit", args=[justice_plan.pk])
    assert as_officer.get(url).status_code == 200
    response = as_officer.post(url, plan_post(province, number="12/KH-STP", issued_on="2019-10-01"))
    assert response.status_code == 302
    justice_plan.refresh_from_db()
    assert justice_plan.title == "Kế hoạch năm 2026 của Sở Tư pháp"


def test_a_focal_point_sees_the_provincial_plan_page_but_cannot_edit_it(
    provincial_plan, focal_point
):
    client = client_for(focal_point)
    assert client.get(reverse("planning:plan_detail", args=[provincial_plan.pk])).status_code == 200
    assert client.get(reverse("planning:plan_edit", args=[provincial_plan.pk])).status_code == 403


def test_a_plan_saved_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    as_officer, justice_plan
):
    url = reverse("planning:plan_edit", args=[justice_plan.pk])
    tab_a, tab_b = page_form(as_officer.get(url)), page_form(as_officer.get(url))
    assert as_officer.post(url, {**tab_b, "title": "Tên do B sửa"}).status_code == 302
    refused = as_officer.post(url, {**tab_a, "basis": "Căn cứ do A thêm"})
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    assert "Căn cứ do A thêm" in refused.content.decode()
    justice_plan.refresh_from_db()
    assert (justice_plan.title, justice_plan.basis) == ("Tên do B sửa", "")
