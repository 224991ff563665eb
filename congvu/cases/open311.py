"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), JSON and XML.

Existing Open311 apps can file a misconduct report and follow its public status.

* Services are the report categories: the provincial catalogue's clauses that
  citizens rate or inspectors observe (`service_code` = the clause code, e.g.
  "II.1.c"; `group` = the section's title), plus "other". Every service has
  metadata: the attributes name the staff member (the token printed on their
  badge) or the organisation (its code), the track and the day it happened.
* A request is a case. `service_request_id` is the tracking code (realtime: no
  tokens; `tokens/{token}` always answers 404).

Privacy decisions (Decree 13/2023; the rules of the public report form apply):

* Filing needs no API key (`api_key` is accepted and ignored): citizens report
  through any app, and nothing identifying the app or the device is stored.
  `device_id`, `account_id` and `media_url` are ignored; `lat`/`long` are
  accepted and discarded, because a phone's position may be the reporter's home
  (the place that matters is the office, named by the organisation or the badge).
  `address_string` is kept as the place where it happened. No IP address or user
  agent is stored.
* `email`, `first_name`, `last_name`, `phone` make the report named; with none of
  them it is anonymous. Open311 has no secret channel for the tracking
  passphrase, so it is returned once, in the answer to the POST only, in the
  extension field `tracking_passphrase` (never in `service_notice`, which apps may
  display or publish); `service_notice` says how to follow the case.
* Reads show only the public status: code, open/closed, the public status
  label (`status_notes`), the category and dates. Never the citizen's
  description, place, identity, the subject or the handling organisation.
* `GET requests` without `service_request_id` answers an empty list: tracking
  codes are private to their reporters, so this jurisdiction does not publish
  the list (it would let anyone enumerate codes and lock reporters out by
  guessing passphrases). Statistics are on the transparency pages.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from congvu.conduct import selectors as conduct_selectors
from congvu.conduct.models import Clause
from congvu.core.net import client_ip
from congvu.organisations.models import Organisation, StaffMember

from . import filing_limits, services, visibility
from .models import Case, Track

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
OTHER = "other"
OTHER_NAME = "Hành vi khác / Other misconduct"
MAX_IDS = 50
DESCRIPTION_MAX = 4000  # the specification's limit for `description`

#: Attribute codes of every service definition.
BADGE, ORGANISATION, SUBJECT, TRACK, OCCURRED_ON, OTHER_STANDARD = (
    "badge",
    "organisation",
    "subject",
    "track",
    "occurred_on",
    "other_standard",
)

#: Plural elements of the XML and the name of their items.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- rendering --------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEMS[name], item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """The Spark convention backwards: a list under `root` is a list of `ITEMS[root]`."""
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _append(element, ITEMS[root], item)
    else:
        for key, value in data.items():
            _append(element, key, value)
    body: bytes = ET.tostring(element, encoding="unicode").encode()
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def respond(fmt: str, root: str, data: Any, *, status: int = 200) -> HttpResponse:
    if fmt == "json":
        response: HttpResponse = JsonResponse(
            data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
        response["Content-Type"] = CONTENT_TYPES["json"]
    else:
        response = HttpResponse(
            to_xml(root, data), status=status, content_type=CONTENT_TYPES["xml"]
        )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The specification's error list: HTTP 404 for what does not exist, 400 otherwise."""
    return respond(
        fmt, "errors", [{"code": status, "description": d} for d in descriptions], status=status
    )


View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """A GeoReport view: these methods only, never cached (statuses change), errors
    in the requested format."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any) -> Any:
            if request.method not in methods and not (
                request.method == "HEAD" and "GET" in methods
            ):
                response = error(fmt, 405, "Phương thức không được hỗ trợ. / Method not allowed.")
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, fmt=fmt, **kwargs)

        return never_cache(wrapper)

    return decorate


def w3(value: dt.datetime | None) -> str | None:
    """W3C date-time with the offset, e.g. 2026-11-26T17:46:43+07:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- services ---------------------------------------------------------------------------


def catalogue_clauses() -> list[Clause]:
    """The report categories: rateable or observable clauses of the provincial catalogue."""
    version = conduct_selectors.provincial_version()
    if version is None:
        return []
    return list(
        conduct_selectors.clauses_of([version]).filter(Q(rateable=True) | Q(observable=True))
    )


def _service(clause: Clause) -> dict[str, Any]:
    return {
        "service_code": clause.code,
        "service_name": clause.plain_text or clause.short_title,
        "description": clause.text,
        "metadata": True,
        "type": "realtime",
        "keywords": clause.keywords,
        "group": clause.section.title,
    }


def _other_service() -> dict[str, Any]:
    return {
        "service_code": OTHER,
        "service_name": OTHER_NAME,
        "description": "Hành vi không có trong danh sách chuẩn mực. / "
        "Conduct not in the list of standards.",
        "metadata": True,
        "type": "realtime",
        "keywords": "khac, other",
        "group": "Khác / Other",
    }


def find_service(code: str) -> Clause | bool | None:
    """The clause of `code`; True for "other"; None when unknown."""
    if code == OTHER:
        return True
    return next((clause for clause in catalogue_clauses() if clause.code == code), None)


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    version = conduct_selectors.provincial_version()
    changed = version.updated_at if version is not None else None
    changeset = timezone.localtime(changed).strftime("%Y-%m-%d %H:%M") if changed else ""
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    return respond(
        fmt,
        "discovery",
        {
            "changeset": changeset,
            "contact": "Sở Nội vụ — bộ phận tiếp nhận phản ánh. / Department of Home Affairs.",
            "key_service": "Không cần khóa API. / No API key is needed.",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base.rsplit("/", 1)[0],
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@endpoint("GET")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    services_ = [_service(clause) for clause in catalogue_clauses()]
    return respond(fmt, "services", [*services_, _other_service()])


def _attributes(*, other: bool) -> list[dict[str, Any]]:
    organisations = Organisation.objects.current().filter(kind__is_division=False).order_by("path")
    attributes: list[dict[str, Any]] = [
        {
            "variable": True,
            "code": BADGE,
            "datatype": "string",
            "required": False,
            "datatype_description": "Mã in dưới mã QR trên thẻ / the token under the badge's QR",
            "order": 1,
            "description": "Thẻ của cán bộ bị phản ánh, nếu có. / The staff member's badge.",
        },
        {
            "variable": True,
            "code": ORGANISATION,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "Bắt buộc khi không có thẻ / required without a badge",
            "order": 2,
            "description": "Cơ quan, đơn vị của người bị phản ánh. / The organisation.",
            "values": [{"key": org.code, "name": org.name} for org in organisations],
        },
        {
            "variable": True,
            "code": SUBJECT,
            "datatype": "string",
            "required": False,
            "datatype_description": "Họ tên, chức vụ, số quầy / name, post, counter",
            "order": 3,
            "description": "Người bị phản ánh (khi không có thẻ). / Who (without a badge).",
        },
        {
            "variable": True,
            "code": TRACK,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "Mặc định: phản ánh, kiến nghị / default: feedback",
            "order": 4,
            "description": "Loại đơn. / The kind of report.",
            "values": [{"key": value, "name": str(label)} for value, label in Track.choices],
        },
        {
            "variable": True,
            "code": OCCURRED_ON,
            "datatype": "datetime",
            "required": False,
            "datatype_description": "ISO 8601, ví dụ 2026-11-26 / e.g. 2026-11-26",
            "order": 5,
            "description": "Ngày xảy ra. / When it happened.",
        },
    ]
    if other:
        attributes.append(
            {
                "variable": True,
                "code": OTHER_STANDARD,
                "datatype": "string",
                "required": True,
                "datatype_description": "Tối đa 300 ký tự / at most 300 characters",
                "order": 6,
                "description": "Hành vi bị phản ánh. / The conduct reported.",
            }
        )
    return attributes


@endpoint("GET")
def service_definition(request: HttpRequest, service_code: str, *, fmt: str) -> HttpResponse:
    found = find_service(service_code)
    if found is None:
        return error(fmt, 404, "Không có loại phản ánh này. / service_code not found.")
    return respond(
        fmt,
        "service_definition",
        {"service_code": service_code, "attributes": _attributes(other=found is True)},
    )


# --- requests ---------------------------------------------------------------------------


def _category(case: Case, clauses: dict[int, Clause]) -> tuple[str, str]:
    for clause in sorted(case.clauses.all(), key=lambda c: c.code):
        offered = clauses.get(clause.pk)
        if offered is not None:
            return offered.code, offered.plain_text or offered.short_title
    return OTHER, OTHER_NAME


def _updated(case: Case) -> dt.datetime:
    # Only the moments the public status changed: internal work leaves no trace here.
    moments = [
        case.received_at,
        case.accepted_at,
        case.concluded_at,
        getattr(case, "rejected_at", None),
        case.closed_at,
    ]
    return max(m for m in moments if m is not None)


def public_request(case: Case, clauses: dict[int, Clause]) -> dict[str, Any]:
    code, name = _category(case, clauses)
    return {
        "service_request_id": case.code,
        "status": visibility.open311_status(case),
        "status_notes": visibility.public_status(case),
        "service_name": name,
        "service_code": code,
        "description": None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": w3(case.received_at),
        "updated_datetime": w3(_updated(case)),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _cases(codes: Iterable[str]) -> list[Case]:
    return list(
        Case.objects.filter(code__in=list(codes))
        .prefetch_related("clauses")
        .order_by("-received_at", "pk")
    )


_CODE = re.compile(r"^[A-Za-z0-9-]{1,20}$")


@csrf_exempt
@endpoint("GET", "POST")
def requests_(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    raw = request.GET.get("service_request_id", "").strip()
    if not raw:
        return respond(fmt, "service_requests", [])
    codes = [code.strip().upper() for code in raw.split(",") if code.strip()]
    if len(codes) > MAX_IDS or not all(_CODE.match(code) for code in codes):
        return error(
            fmt,
            400,
            f"service_request_id: tối đa {MAX_IDS} mã, cách nhau bằng dấu phẩy. / "
            f"At most {MAX_IDS} comma-separated codes.",
        )
    cases = _cases(codes)
    statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
    if statuses:
        cases = [case for case in cases if visibility.open311_status(case) in statuses]
    clauses = {clause.pk: clause for clause in catalogue_clauses()}
    wanted = {s.strip() for s in request.GET.get("service_code", "").split(",") if s.strip()}
    rows = [public_request(case, clauses) for case in cases]
    if wanted:
        rows = [row for row in rows if row["service_code"] in wanted]
    return respond(fmt, "service_requests", rows)


@endpoint("GET")
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    code = service_request_id.strip().upper()
    cases = _cases([code]) if _CODE.match(code) else []
    if not cases:
        return error(fmt, 404, "Không tìm thấy phản ánh. / service_request_id not found.")
    clauses = {clause.pk: clause for clause in catalogue_clauses()}
    return respond(fmt, "service_requests", [public_request(cases[0], clauses)])


@endpoint("GET")
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    # Every request is realtime: its id comes back at once and no token is ever issued.
    return error(fmt, 404, "Không có mã tạm (token) này. / token not found.")


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return error(fmt, 404, "Không có tài nguyên này. / No such resource.")


# --- filing -----------------------------------------------------------------------------


def _one(request: HttpRequest, name: str, max_length: int) -> str:
    value = request.POST.get(name, "")
    if "\x00" in value:
        raise ValidationError({name: "Không được chứa ký tự NUL. / NUL characters are refused."})
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(
            {name: f"Tối đa {max_length} ký tự. / At most {max_length} characters."}
        )
    return value


def _occurred_on(raw: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise ValidationError(
            {OCCURRED_ON: "Ngày phải có dạng YYYY-MM-DD. / A date is written YYYY-MM-DD."}
        ) from None


def _report_input(request: HttpRequest, found: Clause | bool) -> services.ReportInput:
    badge = _one(request, f"attribute[{BADGE}]", 40)
    organisation_code = _one(request, f"attribute[{ORGANISATION}]", 40)
    track = _one(request, f"attribute[{TRACK}]", 20) or Track.FEEDBACK
    if track not in Track.values:
        raise ValidationError({TRACK: "Loại đơn không hợp lệ. / Unknown track."})
    staff = None
    organisation = None
    if badge:
        # A staff member who has left is refused, as the badge's own page does.
        staff = (
            StaffMember.objects.select_related("organisation")
            .filter(badge_token=badge, is_active=True)
            .first()
        )
        if staff is None:
            raise ValidationError({BADGE: "Không tìm thấy thẻ cán bộ. / No such staff badge."})
    elif organisation_code:
        organisation = Organisation.objects.current().filter(code=organisation_code).first()
        if organisation is None:
            raise ValidationError(
                {ORGANISATION: "Không tìm thấy cơ quan. / No organisation with this code."}
            )
    other_standard = _one(request, f"attribute[{OTHER_STANDARD}]", 300) if found is True else ""
    if found is True and not other_standard:
        raise ValidationError(
            {OTHER_STANDARD: "Mô tả hành vi bị phản ánh. / Describe the conduct reported."}
        )
    first = _one(request, "first_name", 60)
    last = _one(request, "last_name", 60)
    name = " ".join(part for part in (first, last) if part)
    phone = _one(request, "phone", 30)
    email = _one(request, "email", 254)
    return services.ReportInput(
        track=track,
        channel=Case.Channel.OPEN311,
        subject_staff=staff,
        organisation=organisation,
        subject_description=_one(request, f"attribute[{SUBJECT}]", 300),
        clause_ids=[found.pk] if isinstance(found, Clause) else [],
        other_standard=other_standard,
        occurred_on=_occurred_on(_one(request, f"attribute[{OCCURRED_ON}]", 40)),
        occurred_place=_one(request, "address_string", 300),
        description=_one(request, "description", DESCRIPTION_MAX),
        is_anonymous=not (name or phone or email),
        reporter_name=name,
        reporter_phone=phone,
        reporter_email=email,
    )


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{field}: {message}" for field, items in exc.message_dict.items() for message in items
        ]
    return list(exc.messages)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    service_code = request.POST.get("service_code", "").strip()
    if not service_code:
        return error(fmt, 400, "Thiếu service_code. / service_code was not provided.")
    found = find_service(service_code[:40])
    if found is None:
        return error(fmt, 404, "Không có loại phản ánh này. / service_code not found.")
    try:
        with filing_limits.filing(client_ip(request)):
            receipt = services.submit_report(_report_input(request, found), actor=None)
    except filing_limits.FilingLimited as exc:
        return error(fmt, 429, *exc.messages)
    except ValidationError as exc:
        return error(fmt, 400, *_messages(exc))
    notice = (
        f"Đã tiếp nhận, mã theo dõi {receipt.code}. Xem tiến độ tại "
        f"{request.build_absolute_uri(reverse('cases_public:track'))} bằng mã này và mật khẩu "
        f"theo dõi. / Received; tracking code {receipt.code}. Follow it on the tracking page "
        f"with this code and the tracking passphrase."
    )
    return respond(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": receipt.code,
                "service_notice": notice,
                "account_id": None,
                "tracking_passphrase": receipt.passphrase,
            }
        ],
        status=201,
    )
