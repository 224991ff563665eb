"""Issue 5, section 7: the security properties of cases, checked from the outside.

* An outsider organisation's users get 404 for every case page, action, file
  and API call, and the case is absent from their lists and exports.
* The subject never sees who reported them: not through the API, the pages or
  the exports, even when they hold a handler's role in their own organisation.
* Wrong passphrases are rate-limited and lock the case, on the page and in the API.
* Tracking codes cannot be enumerated: random, and an unknown code answers
  exactly like a wrong passphrase.
* After anonymous reports (page, API, Open311) no table holds the IP address
  or the user agent.
* Disguised, oversize and zip-bomb uploads are refused with a message.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter

from congvu.accounts.models import Role, RoleGrant, User
from congvu.accounts.services import create_api_token
from congvu.api.tests.test_cases_api import (
    PASSPHRASE,
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    make_case,
)
from congvu.cases import reporter
from congvu.cases.models import CODE_ALPHABET, Case, CaseEvent, CaseFile, new_tracking_code
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import client_for, make_user, on_a_vietnamese_page
from congvu.core.tests.media_helpers import docx_with_traces, pdf_bytes
from congvu.organisations.models import Organisation, StaffMember

IDENTITY = (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL)
IP = "203.0.113.77"
FORWARDED_IP = "198.51.100.23"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) SecretBrowser/42.0.4242"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    # The per-client limit of wrong passphrases lives in the cache: no test may inherit
    # another's failures, nor leave its own to the next one.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def seed(province: dict[str, Organisation]) -> None:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)


@pytest.fixture
def case(province: dict[str, Organisation], staff_member: StaffMember, head: User) -> Case:
    """A named report about the staff member, with the reporter's photo and a request to
    the subject for a statement."""
    case = make_case(province["dept_justice"], staff=staff_member, named=True)
    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.TO_SUBJECT,
        audience=CaseEvent.Audience.SUBJECT,
        body="Đề nghị anh giải trình về việc tiếp dân ngày 20/11.",
        actor=head,
        created_at=timezone.now(),
    )
    evidence = CaseFile(
        case=case,
        event=case.events.get(kind=CaseEvent.Kind.CREATED),
        original_name="anh-quay-3.jpg",
        content_type="image/jpeg",
        size=4,
        sha256="0" * 64,
        audience=CaseEvent.Audience.REPORTER,
        uploaded_at=timezone.now(),
    )
    evidence.file.save("x", ContentFile(b"\xff\xd8\xff\xd9"), save=False)
    evidence.save()
    assert event.pk
    return case


def bearer(user: User) -> Client:
    _, key = create_api_token(user, name="security")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post_json(client: Client, url: str, body: Any, **extra: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def export_text(client: Client) -> str:
    response = client.get(reverse("cases:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        str(cell)
        for ws in sheet.worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def case_pages(code: str) -> tuple[list[str], list[str]]:
    """Every page and action of one case: (GET urls, POST urls)."""
    gets = [
        reverse("cases:detail", args=[code]),
        reverse("cases:file", args=[code, 1]),
        reverse("cases:decision_file", args=[code, 1]),
        reverse("cases:subject_view", args=[code]),
    ]
    posts = [
        reverse(f"cases:{name}", args=[code])
        for name in (
            "transition",
            "note",
            "message",
            "request_statement",
            "extend",
            "link",
            "propose",
        )
    ] + [reverse("cases:decide", args=[code, 1])]
    return gets, posts


def case_api(code: str) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    base = f"/api/v1/cases/{code}"
    return (
        [base, f"{base}/events"],
        [
            (f"{base}/transitions", {"to": "accepted"}),
            (f"{base}/events", {"kind": "note", "body": "Ghi chú"}),
            (f"{base}/extensions", {"reason": "Phức tạp"}),
        ],
    )


# --- outsiders --------------------------------------------------------------------------------


def test_an_outsider_gets_404_for_every_case_page_action_and_file(
    outsider: User, case: Case
) -> None:
    client = client_for(outsider)
    gets, posts = case_pages(case.code)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"to": "accepted", "body": "x"}).status_code == 404, url
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_an_outsiders_list_and_export_leave_the_case_out(outsider: User, case: Case) -> None:
    client = client_for(outsider)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    assert case.code not in response.content.decode()
    assert case.code not in export_text(client)


def test_an_outsider_gets_404_for_every_case_api_call(outsider: User, case: Case) -> None:
    client = bearer(outsider)
    gets, posts = case_api(case.code)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, body in posts:
        assert post_json(client, url, body).status_code == 404, url
    listed = client.get("/api/v1/cases").json()["items"]
    assert case.code not in [row["code"] for row in listed]
    case.refresh_from_db()
    assert case.status == Case.Status.RECEIVED and case.extensions == 0


# --- the subject ------------------------------------------------------------------------------


@pytest.fixture
def subject_handler(staff_user: User, province: dict[str, Organisation]) -> User:
    """The subject, who also handles cases in their own department (the worst case)."""
    RoleGrant.objects.create(
        user=staff_user, role=Role.CASE_HANDLER, organisation=province["dept_justice"]
    )
    return staff_user


def text_of(response: Any) -> str:
    """What a response says, with JSON's escaped Vietnamese letters read back."""
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return str(response.content.decode())


def assert_no_identity(text: str) -> None:
    for secret in IDENTITY:
        assert secret not in text


def test_the_subject_never_sees_the_reporter_through_the_api(
    subject_handler: User, case: Case
) -> None:
    client = bearer(subject_handler)
    gets, posts = case_api(case.code)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 404, url
        assert_no_identity(text_of(response))
    listed = client.get("/api/v1/cases")
    assert listed.status_code == 200
    assert case.code not in text_of(listed)
    for url, body in posts:
        assert post_json(client, url, body).status_code == 404, url


def test_the_subject_never_sees_the_reporter_in_the_pages_or_the_export(
    subject_handler: User, case: Case
) -> None:
    client = client_for(subject_handler)
    assert client.get(reverse("cases:detail", args=[case.code])).status_code == 404
    listed = client.get(reverse("cases:list"))
    assert case.code not in listed.content.decode()
    export = export_text(client)
    assert case.code not in export
    assert_no_identity(export)
    # Their own view: the request for a statement, nothing of the reporter.
    own = client.get(reverse("cases:subject_view", args=[case.code]))
    assert own.status_code == 200
    page = own.content.decode()
    assert "Đề nghị anh giải trình" in page
    assert_no_identity(page)
    evidence = case.files.get()
    assert client.get(reverse("cases:file", args=[case.code, evidence.pk])).status_code == 404


def test_a_colleague_with_case_view_but_not_identity_sees_no_identity_anywhere(
    province: dict[str, Organisation], case: Case
) -> None:
    inspector = make_user("inspector", Role.INSPECTOR, province["dept_justice"])
    api = bearer(inspector).get(f"/api/v1/cases/{case.code}")
    assert api.status_code == 200 and api.json()["reporter"] is None
    assert_no_identity(text_of(api))
    client = client_for(inspector)
    page = client.get(reverse("cases:detail", args=[case.code]))
    assert page.status_code == 200
    assert_no_identity(text_of(page))
    export = export_text(client)
    assert case.code in export
    assert_no_identity(export)


def test_a_reporters_file_named_after_them_is_renamed_for_those_without_identity(
    province: dict[str, Organisation], case: Case
) -> None:
    case.files.update(original_name=f"anh-cua-{REPORTER_NAME}.JPG")
    inspector = make_user("inspector", Role.INSPECTOR, province["dept_justice"])
    events = bearer(inspector).get(f"/api/v1/cases/{case.code}/events")
    assert events.status_code == 200
    [created] = [e for e in events.json()["items"] if e["kind"] == "created"]
    assert created["files"][0]["original_name"].endswith(".jpg")
    assert_no_identity(json.dumps(events.json(), ensure_ascii=False))
    page = client_for(inspector).get(f"/cases/{case.code}/")
    assert page.status_code == 200
    assert_no_identity(page.content.decode())
    [evidence] = case.files.all()
    download = client_for(inspector).get(f"/cases/{case.code}/files/{evidence.pk}/")
    assert f"tep-{evidence.pk}.jpg" in download["Content-Disposition"]


def test_the_handler_does_see_the_identity_so_the_checks_above_can_fail(
    head: User, case: Case
) -> None:
    api = bearer(head).get(f"/api/v1/cases/{case.code}")
    assert api.json()["reporter"]["name"] == REPORTER_NAME
    assert REPORTER_NAME in export_text(client_for(head))
    case.files.update(original_name=f"anh-cua-{REPORTER_NAME}.jpg")
    events = bearer(head).get(f"/api/v1/cases/{case.code}/events").json()["items"]
    names = [f["original_name"] for e in events for f in e["files"]]
    assert names == [f"anh-cua-{REPORTER_NAME}.jpg"]


# --- passphrases ------------------------------------------------------------------------------


FOLLOW = "/api/v1/public/cases/follow"


def test_wrong_passphrases_for_a_real_code_answer_as_for_an_unknown_one_in_the_api(
    case: Case,
) -> None:
    # Someone who knows the code (the staff member it is about) cannot lock the reporter
    # out, nor learn from a different answer that the code exists.
    prober = Client(REMOTE_ADDR="198.51.100.20")
    real = [
        post_json(prober, FOLLOW, {"code": case.code, "passphrase": f"sai-{n}"}) for n in range(8)
    ]
    unknown = post_json(prober, FOLLOW, {"code": new_tracking_code(), "passphrase": "sai"})
    assert {r.status_code for r in real} == {unknown.status_code} == {404}
    assert {r.json()["detail"] for r in real} == {unknown.json()["detail"]}
    reporter_client = Client(REMOTE_ADDR="203.0.113.30")
    followed = post_json(reporter_client, FOLLOW, {"code": case.code, "passphrase": PASSPHRASE})
    assert followed.status_code == 200


def test_wrong_passphrases_from_someone_else_leave_the_tracking_page_open(case: Case) -> None:
    url = reverse("cases_public:track")
    prober = Client(REMOTE_ADDR="198.51.100.21")
    for n in range(8):
        answer = prober.post(url, {"code": case.code, "passphrase": f"sai-{n}"})
        assert "Mã theo dõi hoặc mật khẩu không đúng" in answer.content.decode()
    followed = Client(REMOTE_ADDR="203.0.113.31").post(
        url, {"code": case.code, "passphrase": PASSPHRASE}
    )
    assert followed.status_code == 302


def test_one_client_guessing_many_codes_is_blocked_in_the_api(case: Case) -> None:
    guesser = Client(REMOTE_ADDR=IP)
    for _n in range(reporter.CLIENT_LIMIT):
        guess = new_tracking_code()
        assert post_json(guesser, FOLLOW, {"code": guess, "passphrase": "x"}).status_code == 404
    blocked = post_json(guesser, FOLLOW, {"code": case.code, "passphrase": PASSPHRASE})
    assert blocked.status_code == 429
    # Another reporter elsewhere is not affected.
    other = Client(REMOTE_ADDR="192.0.2.1")
    assert (
        post_json(other, FOLLOW, {"code": case.code, "passphrase": PASSPHRASE}).status_code == 200
    )


# --- enumeration ------------------------------------------------------------------------------


def test_an_unknown_code_and_a_wrong_passphrase_get_the_same_answer(case: Case) -> None:
    client = Client()
    unknown = post_json(client, FOLLOW, {"code": "PA-ABCDEFGHJK", "passphrase": PASSPHRASE})
    wrong = post_json(client, FOLLOW, {"code": case.code, "passphrase": "khong-dung"})
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())

    url = reverse("cases_public:track")
    page_unknown = client.post(url, {"code": "PA-ABCDEFGHJK", "passphrase": PASSPHRASE})
    page_wrong = client.post(url, {"code": case.code, "passphrase": "khong-dung"})
    assert page_unknown.status_code == page_wrong.status_code
    message = "Mã theo dõi hoặc mật khẩu không đúng"
    assert message in page_unknown.content.decode() and message in page_wrong.content.decode()


def test_tracking_codes_are_random_and_carry_no_sequence(
    seed: None, province: dict[str, Organisation]
) -> None:
    pattern = re.compile(rf"^PA-[{CODE_ALPHABET}]{{10}}$")
    codes = []
    for n in range(4):
        response = post_json(
            Client(),
            "/api/v1/public/cases",
            {
                "organisation": "H56.02",
                "subject_description": f"Cán bộ quầy số {n}",
                "other_standard": "Đòi tiền",
                "description": "Cán bộ đòi tiền mới nhận hồ sơ của tôi.",
            },
        )
        assert response.status_code == 201, response.content
        codes.append(response.json()["code"])
    assert all(pattern.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    # ≥ 49 bits, and every position takes every symbol: nothing sequential or guessable.
    assert len(CODE_ALPHABET) ** 10 >= 2**49
    sample = [new_tracking_code()[3:] for _ in range(3000)]
    assert len(set(sample)) == len(sample)
    for position in range(10):
        assert len({code[position] for code in sample}) == len(CODE_ALPHABET)
    # And no interface lists them.
    assert Client().get("/open311/v2/requests.json").json() == []


# --- no IP address, no user agent ------------------------------------------------------------


def _everything_stored() -> str:
    """Every value of every table, raw and through the models (decrypted), and the sessions."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the DB
            parts.extend(str(value) for row in cursor.fetchall() for value in row)
    for model in apps.get_models():
        for row in model._base_manager.all():
            parts.extend(
                str(getattr(row, field.attname, "")) for field in model._meta.concrete_fields
            )
    for session in Session.objects.all():
        parts.append(json.dumps(SessionStore().decode(session.session_data), default=str))
    return "\n".join(parts)


def test_anonymous_reports_and_follow_ups_store_no_ip_address_or_user_agent(
    seed: None, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    headers = {
        "REMOTE_ADDR": IP,
        "HTTP_USER_AGENT": USER_AGENT,
        "HTTP_X_FORWARDED_FOR": FORWARDED_IP,
    }
    citizen = Client(**headers)
    # The public page.
    page = citizen.post(
        reverse("cases_public:report"),
        {
            "action": "submit",
            "organisation": province["dept_justice"].pk,
            "subject_description": "Cán bộ quầy số 3",
            "track": "feedback",
            "other_standard": "Đòi tiền bồi dưỡng",
            "description": "Cán bộ đòi tiền bồi dưỡng mới nhận hồ sơ.",
            "identity": "anonymous",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    receipt = citizen.get(reverse("cases_public:receipt"))
    assert receipt.status_code == 200
    # The API.
    api = post_json(
        citizen,
        "/api/v1/public/cases",
        {
            "badge_token": staff_member.badge_token,
            "other_standard": "Vòi vĩnh",
            "description": "Cán bộ gợi ý đưa tiền để làm nhanh.",
        },
        **headers,
    )
    assert api.status_code == 201
    # Open311.
    o311 = citizen.post(
        "/open311/v2/requests.json",
        {
            "service_code": "II.1.c",
            "attribute[organisation]": "H56.02",
            "attribute[subject]": "Cán bộ quầy số 1",
            "description": "Cán bộ nói phải có tiền mới xong.",
            "device_id": "device-xyz-123",
        },
    )
    assert o311.status_code == 201
    # Following, right and wrong, on the page and in the API.
    body = api.json()
    post_json(citizen, FOLLOW, {"code": body["code"], "passphrase": body["passphrase"]}, **headers)
    post_json(citizen, FOLLOW, {"code": body["code"], "passphrase": "sai"}, **headers)
    citizen.post(
        reverse("cases_public:track"), {"code": body["code"], "passphrase": body["passphrase"]}
    )
    assert Case.objects.filter(is_anonymous=True).count() == 3

    stored = _everything_stored()
    # The scan does read what was filed (decrypted, sessions decoded): it could find them.
    assert "Cán bộ nói phải có tiền mới xong." in stored
    assert Session.objects.exists()
    for secret in (IP, FORWARDED_IP, USER_AGENT, "SecretBrowser", "device-xyz-123"):
        assert secret not in stored, secret


# --- uploads ----------------------------------------------------------------------------------


def _report_with(
    client: Client, organisation: Organisation, upload: ContentFile | list[ContentFile]
) -> Any:
    return client.post(
        reverse("cases_public:report"),
        {
            "action": "submit",
            "organisation": organisation.pk,
            "subject_description": "Cán bộ quầy số 3",
            "track": "feedback",
            "other_standard": "Đòi tiền bồi dưỡng",
            "description": "Cán bộ đòi tiền bồi dưỡng mới nhận hồ sơ.",
            "identity": "anonymous",
            "evidence": upload,
        },
    )


def _upload(name: str, content: bytes) -> ContentFile:
    upload = ContentFile(content, name=name)
    return upload


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("anh.jpg", lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>", "giả dạng"),
        ("anh.jpg", lambda: b"#!/bin/sh\nrm -rf /\n", "giả dạng"),
        ("bang-chung.pdf", zip_bomb, "không được chấp nhận"),
        ("bang-chung.zip", zip_bomb, "không được chấp nhận"),
    ],
    ids=["html-as-jpg", "script-as-jpg", "zip-bomb-as-pdf", "zip-bomb"],
)
def test_a_disguised_file_or_a_zip_bomb_is_refused_with_a_message(
    province: dict[str, Organisation], name: str, content: Callable[[], bytes], message: str
) -> None:
    response = _report_with(Client(), province["dept_justice"], _upload(name, content()))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Case.objects.count() == 0
    assert CaseFile.objects.count() == 0


def test_a_citizens_word_file_is_not_taken_as_evidence_and_nothing_is_stored(
    province: dict[str, Organisation],
) -> None:
    # Citizens' evidence is photos, PDFs and recordings; only officials' decisions, staff
    # evidence and plans take Word files (cleaned: core/tests/test_sanitise_office.py). A
    # report with a Word file is refused as a whole, with the types that are accepted.
    response = _report_with(
        Client(), province["dept_justice"], _upload("don-to-cao.docx", docx_with_traces())
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Loại tệp không được chấp nhận: don-to-cao.docx. Chỉ nhận" in page
    assert "giả dạng" not in page
    assert "Cán bộ đòi tiền bồi dưỡng mới nhận hồ sơ." in page
    assert Case.objects.count() == 0
    assert CaseFile.objects.count() == 0


def test_a_password_protected_pdf_is_refused_and_the_report_kept_on_screen(
    province: dict[str, Organisation],
) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="bimat", algorithm="AES-128")
    locked = io.BytesIO()
    writer.write(locked)
    response = _report_with(
        Client(), province["dept_justice"], _upload("bien-ban.pdf", locked.getvalue())
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tệp PDF bien-ban.pdf có mật khẩu" in page
    assert "Cán bộ đòi tiền bồi dưỡng mới nhận hồ sơ." in page  # what they wrote is kept
    assert Case.objects.count() == 0
    assert CaseFile.objects.count() == 0


def test_an_oversize_file_is_refused_with_a_message(
    settings: Any, province: dict[str, Organisation]
) -> None:
    settings.CASES_UPLOAD_MAX_BYTES = 100 * 1024
    pdf = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"
    response = _report_with(Client(), province["dept_justice"], _upload("bien-ban.pdf", pdf))
    assert response.status_code == 200
    assert "quá lớn" in response.content.decode()
    assert Case.objects.count() == 0


def test_more_files_than_allowed_are_refused_on_the_report_form(
    province: dict[str, Organisation],
) -> None:
    files = [_upload(f"anh-{n}.pdf", pdf_bytes()) for n in range(6)]
    response = _report_with(Client(), province["dept_justice"], files)
    assert response.status_code == 200
    said = "Tối đa 5 tệp mỗi lần gửi. / At most 5 files at a time."
    assert on_a_vietnamese_page(said) in response.content.decode()
    assert Case.objects.count() == 0
    assert CaseFile.objects.count() == 0


def test_a_zip_bomb_renamed_docx_is_recognised_as_one() -> None:
    # Decision files accept .docx (a ZIP container): the bomb must be caught, not unpacked.
    from django.core.exceptions import ValidationError

    from congvu.cases import uploads

    with pytest.raises(ValidationError) as refused:
        uploads.check_one(_upload("quyet-dinh.docx", zip_bomb()), allowed=uploads.DECISION_TYPES)
    assert "bom nén" in " ".join(refused.value.messages)
