"""Reports of misconduct and the cases they become.

A citizen (named or anonymous), an officer recording a call or a letter, an
inspection finding or a flagged low rating opens a `Case` about a staff member
(or a described person) of an organisation. Routing rules (data) pick the
handling organisation: the employer, or the supervising organisation when the
subject is a leader (conflict of interest). The case runs through the state
table in `workflow.py` on the clock of its track (`TrackClock`, working days),
and may end in a `DisciplineDecision` whose allowed forms are data
(`DisciplineForm`, Decree 112/2020).

Everything that happens is a `CaseEvent` (append-only, each chained in the
audit log). An event's audience decides who sees it: handlers see all; the
reporter only what is addressed to them; the subject only theirs, never who
reported them.

Personal data (Decree 13/2023): the reporter's name and contacts are encrypted
at rest, shown only to holders of CASE_IDENTITY on the handling organisation,
and erased after closure plus the retention period. Anonymous reports store
no IP address, user agent or device fingerprint; the reporter follows the case
with the tracking code and a passphrase stored as an Argon2 hash.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from congvu.core.crypto import EncryptedTextField
from congvu.core.models import PdfExportBase, TimeStampedModel
from congvu.core.text import fold

#: Tracking codes avoid letters and digits people confuse (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_tracking_code() -> str:
    """A random, non-sequential tracking code: 10 symbols ≈ 49 bits, so codes
    cannot be enumerated (and passphrases are still needed to read a case)."""
    return "PA-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


class Track(models.TextChoices):
    FEEDBACK = "feedback", _("Phản ánh, kiến nghị")
    COMPLAINT = "complaint", _("Khiếu nại")
    DENUNCIATION = "denunciation", _("Tố cáo")


class TrackClock(models.Model):
    """The legal clock of a track; defaults follow the Laws on Complaints (2011) and
    on Denunciation (2018, art. 30) and can be changed when the law changes."""

    track = models.CharField(_("loại đơn"), max_length=20, choices=Track.choices, unique=True)
    acknowledge_days = models.PositiveSmallIntegerField(
        _("thời hạn tiếp nhận, thụ lý (ngày làm việc)"), default=5
    )
    settle_days = models.PositiveSmallIntegerField(_("thời hạn giải quyết"), default=30)
    settle_in_working_days = models.BooleanField(
        _("thời hạn giải quyết tính theo ngày làm việc"), default=True
    )
    extension_days = models.PositiveSmallIntegerField(_("mỗi lần gia hạn thêm"), default=30)
    max_extensions = models.PositiveSmallIntegerField(_("số lần gia hạn tối đa"), default=2)
    due_soon_days = models.PositiveSmallIntegerField(_("nhắc trước hạn (ngày làm việc)"), default=3)

    class Meta:
        ordering = ["track"]
        verbose_name = _("thời hạn xử lý")
        verbose_name_plural = _("thời hạn xử lý")

    def __str__(self) -> str:
        return self.get_track_display()


class RoutingRule(models.Model):
    """Who handles a case, tried in `order`; the first matching active rule wins.

    The defaults: a leader's case goes to the supervising organisation (conflict
    of interest), everyone else's to the employer. The Department of Home Affairs
    sees every case whatever the rule.
    """

    class Route(models.TextChoices):
        EMPLOYER = "employer", _("Cơ quan quản lý trực tiếp người bị phản ánh")
        SUPERVISOR = "supervisor", _("Cơ quan cấp trên của cơ quan đó")
        FIXED = "fixed", _("Một cơ quan cố định")

    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    name = models.CharField(_("tên quy tắc"), max_length=200)
    subject_is_leader = models.BooleanField(
        _("người bị phản ánh là lãnh đạo"),
        null=True,
        blank=True,
        help_text=_("Để trống: áp dụng cho mọi người."),
    )
    organisation_kind = models.ForeignKey(
        "organisations.OrganisationKind",
        verbose_name=_("loại cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Để trống: mọi loại cơ quan."),
    )
    track = models.CharField(_("loại đơn"), max_length=20, choices=Track.choices, blank=True)
    route_to = models.CharField(_("chuyển đến"), max_length=12, choices=Route.choices)
    fixed_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan xử lý"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("quy tắc chuyển xử lý")
        verbose_name_plural = _("quy tắc chuyển xử lý")
        constraints = [
            models.CheckConstraint(
                condition=~Q(route_to="fixed") | Q(fixed_organisation__isnull=False),
                name="cases_fixed_route_has_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.name


class DisciplineForm(models.Model):
    """A form of discipline and whom it may apply to (Decree 112/2020, data)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("hình thức kỷ luật"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    rank = models.PositiveSmallIntegerField(_("mức nặng"), help_text=_("1 là nhẹ nhất."))
    limitation_years = models.PositiveSmallIntegerField(
        _("thời hiệu (năm)"),
        help_text=_("5 năm với vi phạm đến mức khiển trách, 10 năm với mức nặng hơn."),
    )
    for_official = models.BooleanField(pgettext_lazy("staff category", "Cán bộ"), default=False)
    for_civil_servant = models.BooleanField(_("Công chức không giữ chức vụ"), default=False)
    for_leader = models.BooleanField(_("Công chức lãnh đạo, quản lý"), default=False)
    for_public_employee = models.BooleanField(_("Viên chức không giữ chức vụ"), default=False)
    for_public_employee_manager = models.BooleanField(_("Viên chức quản lý"), default=False)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("hình thức kỷ luật")
        verbose_name_plural = _("hình thức kỷ luật")

    def __str__(self) -> str:
        # The timeline's records are written in Vietnamese (`timeline.in_vietnamese`) and
        # name the form with `name`; only what is shown to a reader follows their language.
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class CaseTag(models.Model):
    """A label handlers put on cases ("khẩn", "báo chí quan tâm"…): provincial data kept by
    those who manage the case rules. Only handlers see them, never the reporter, the staff
    member concerned or the public (Open311, the tracking page)."""

    class Colour(models.TextChoices):
        # A small fixed palette: each colour has a readable text colour in cases.css.
        GREY = "grey", _("Xám")
        BLUE = "blue", _("Xanh dương")
        GREEN = "green", _("Xanh lá")
        YELLOW = "yellow", _("Vàng")
        ORANGE = "orange", _("Cam")
        RED = "red", _("Đỏ")
        PURPLE = "purple", _("Tím")

    province = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("tên nhãn"), max_length=60)
    #: The name folded (no accents, đ→d, lower case): search and uniqueness ignore accents.
    name_folded = models.CharField(max_length=60, editable=False)
    colour = models.CharField(_("màu"), max_length=10, choices=Colour.choices, default=Colour.GREY)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["name_folded", "pk"]
        verbose_name = _("nhãn vụ việc")
        verbose_name_plural = _("nhãn vụ việc")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "name_folded"], name="case_tag_unique_name_in_province"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: object) -> CaseQuerySet:
        """Cases handled in the user's CASE_VIEW scope (Home Affairs: all).

        Only the handling side: a case about a leader is routed to the supervising
        organisation precisely so that the leader's own organisation does not see it
        (conflict of interest)."""
        from congvu.accounts import access

        scope = access.organisations_for(user, access.Perm.CASE_VIEW).values("pk")
        return self.filter(handling_organisation__in=scope)


class Case(TimeStampedModel):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Mới tiếp nhận")
        ACCEPTED = "accepted", _("Đã thụ lý")
        REJECTED = "rejected", _("Không thụ lý")
        INVESTIGATING = "investigating", _("Đang xác minh")
        CONCLUDED = "concluded", _("Đã kết luận")
        CLOSED = "closed", _("Đã đóng")

    class Outcome(models.TextChoices):
        SUBSTANTIATED = "substantiated", _("Đúng")
        PARTLY = "partly", _("Đúng một phần")
        UNSUBSTANTIATED = "unsubstantiated", _("Sai, không có căn cứ")

    class RejectReason(models.TextChoices):
        DUPLICATE = "duplicate", _("Trùng với phản ánh đã có")
        OUT_OF_SCOPE = "out_of_scope", _("Không thuộc phạm vi xử lý")
        INSUFFICIENT = "insufficient", _("Không đủ thông tin để xác minh")

    class Channel(models.TextChoices):
        WEB = "web", _("Cổng thông tin")
        BADGE = "badge", _("QR trên thẻ cán bộ")
        RATING = "rating", _("Từ phiếu đánh giá")
        OPEN311 = "open311", _("Ứng dụng (Open311)")
        PHONE = "phone", _("Điện thoại")
        LETTER = "letter", _("Thư, đơn")
        IN_PERSON = "in_person", _("Trực tiếp")
        INSPECTION = "inspection", pgettext_lazy("case source", "Kết quả kiểm tra")
        FLAGGED_RATING = "flagged_rating", _("Đánh giá thấp bị gắn cờ")

    code = models.CharField(_("mã theo dõi"), max_length=20, unique=True, default=new_tracking_code)
    track = models.CharField(_("loại đơn"), max_length=20, choices=Track.choices)
    status = models.CharField(
        _("trạng thái"), max_length=15, choices=Status.choices, default=Status.RECEIVED
    )
    outcome = models.CharField(_("kết luận"), max_length=20, choices=Outcome.choices, blank=True)
    reject_reason = models.CharField(
        _("lý do không thụ lý"), max_length=20, choices=RejectReason.choices, blank=True
    )
    channel = models.CharField(_("kênh tiếp nhận"), max_length=20, choices=Channel.choices)

    # Who and what.
    subject_staff = models.ForeignKey(
        "organisations.StaffMember",
        verbose_name=_("người bị phản ánh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    subject_description = models.CharField(_("mô tả người bị phản ánh"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan bị phản ánh"),
        on_delete=models.PROTECT,
        related_name="cases_about",
    )
    handling_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan xử lý"),
        on_delete=models.PROTECT,
        related_name="cases_handled",
    )
    clauses = models.ManyToManyField(
        "conduct.Clause", verbose_name=_("chuẩn mực bị vi phạm"), blank=True, related_name="+"
    )
    other_standard = models.CharField(_("hành vi khác"), max_length=300, blank=True)
    occurred_on = models.DateField(_("ngày xảy ra"), null=True, blank=True)
    occurred_place = models.CharField(_("nơi xảy ra"), max_length=300, blank=True)
    description = models.TextField(_("nội dung phản ánh"))

    # Where it came from.
    source_rating = models.ForeignKey(
        "feedback.Rating",
        verbose_name=_("từ lượt đánh giá"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    main_case = models.ForeignKey(
        "self",
        verbose_name=_("trùng với vụ việc"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ ghi nhận"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # The reporter: encrypted, erased after retention; nothing about the device.
    is_anonymous = models.BooleanField(_("ẩn danh"), default=True)
    reporter_name = EncryptedTextField(_("họ tên người phản ánh"), blank=True)
    reporter_phone = EncryptedTextField(_("điện thoại người phản ánh"), blank=True)
    reporter_email = EncryptedTextField(_("thư điện tử người phản ánh"), blank=True)
    passphrase_hash = models.CharField(max_length=200, blank=True)
    identity_erased_at = models.DateTimeField(
        _("đã xóa thông tin người phản ánh lúc"), null=True, blank=True
    )

    # The clock.
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    acknowledge_due = models.DateField(_("hạn thụ lý"))
    first_response_at = models.DateTimeField(_("phản hồi đầu tiên lúc"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("thụ lý lúc"), null=True, blank=True)
    settle_due = models.DateField(_("hạn giải quyết"), null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(_("số lần gia hạn"), default=0)
    concluded_at = models.DateTimeField(_("kết luận lúc"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("không thụ lý lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    conclusion = models.TextField(_("nội dung kết luận"), blank=True)

    # Who handles it inside the handling organisation, and the handlers' labels.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ được giao xử lý"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    assigned_at = models.DateTimeField(_("giao xử lý lúc"), null=True, blank=True)
    tags = models.ManyToManyField(CaseTag, verbose_name=_("nhãn"), blank=True, related_name="cases")
    #: When its overseers were told that nobody handles it (`unattended`); emptied by the
    #: daily job once someone does, so that the next time nobody does is told again.
    unattended_told_at = models.DateTimeField(editable=False, null=True, blank=True)
    #: The texts handlers read (SEARCHED_FIELDS), folded for the case list's search, with
    #: the reporter's name, phone and e-mail masked as a reader without CASE_IDENTITY
    #: sees them: a search must not tell who reported by finding a case by their name.
    search_text = models.TextField(editable=False, default="")

    objects = CaseQuerySet.as_manager()

    #: What the list's search reads besides the code and the subject's name.
    SEARCHED_FIELDS = (
        "subject_description",
        "occurred_place",
        "other_standard",
        "description",
        "conclusion",
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("vụ việc")
        verbose_name_plural = _("vụ việc")
        indexes = [
            models.Index(
                fields=["handling_organisation", "status"], name="case_handler_status_idx"
            ),
            models.Index(fields=["organisation", "received_at"], name="case_org_received_idx"),
            models.Index(fields=["status", "settle_due"], name="case_status_due_idx"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_staff__isnull=False) | ~Q(subject_description=""),
                name="case_has_subject",
            ),
            models.CheckConstraint(
                condition=~Q(status="concluded") | ~Q(outcome=""),
                name="case_concluded_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived column, not business logic: kept with the texts it folds, as
        # `OrganisationVersion.search_text` is. Bulk writes call `refresh_search_text`.
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.refresh_search_text()
        elif set(update_fields) & set(self.SEARCHED_FIELDS):
            self.refresh_search_text()
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        """Set `search_text` from SEARCHED_FIELDS (bulk_create and bulk_update skip `save`)."""
        from .visibility import identity_pattern

        pattern = identity_pattern(self)
        texts = (getattr(self, name) or "" for name in self.SEARCHED_FIELDS)
        joined = "\n".join(text for text in texts if text)
        if pattern is not None:
            joined = pattern.sub(" ", joined)
        self.search_text = fold(joined)


class CaseEvent(models.Model):
    """One entry of a case's timeline. Append-only: services create, nothing updates."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Tiếp nhận")
        TRANSITION = "transition", _("Chuyển trạng thái")
        NOTE = "note", _("Ghi chú nội bộ")
        TO_REPORTER = "to_reporter", _("Trả lời người phản ánh")
        FROM_REPORTER = "from_reporter", _("Người phản ánh bổ sung")
        TO_SUBJECT = "to_subject", _("Gửi người bị phản ánh")
        FROM_SUBJECT = "from_subject", _("Giải trình của người bị phản ánh")
        FILE = "file", _("Tệp đính kèm")
        ROUTED = "routed", _("Chuyển cơ quan xử lý")
        LINKED = "linked", _("Gộp vụ việc trùng")
        EXTENDED = "extended", _("Gia hạn")
        DISCIPLINE = "discipline", _("Kỷ luật")
        ERASED = "erased", _("Xóa thông tin người phản ánh")
        ASSIGNED = "assigned", _("Giao xử lý")
        TAGGED = "tagged", _("Nhãn")
        IDENTITY_REVEALED = "identity_revealed", _("Xem danh tính người phản ánh")

    class Audience(models.TextChoices):
        INTERNAL = "internal", _("Chỉ người xử lý")
        REPORTER = "reporter", _("Người phản ánh")
        SUBJECT = "subject", _("Người bị phản ánh")
        PARTIES = "parties", _("Người phản ánh và người bị phản ánh")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    audience = models.CharField(
        _("người xem"), max_length=10, choices=Audience.choices, default=Audience.INTERNAL
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("nội dung"), blank=True)
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15, blank=True)
    created_at = models.DateTimeField(_("lúc"), db_index=True)
    audit_event = models.ForeignKey(
        "audit.AuditEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("diễn biến vụ việc")
        verbose_name_plural = _("diễn biến vụ việc")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


def case_file_path(instance: CaseFile, filename: str) -> str:
    # The stored name is random: an original name may identify the reporter. `filename`
    # is the extension of the type detected from the content (see uploads.store).
    suffix = filename if filename.startswith(".") and filename[1:].isalnum() else ""
    return f"cases/{instance.case_id}/{secrets.token_hex(12)}{suffix[:8]}"


class CaseFile(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    file = models.FileField(upload_to=case_file_path, max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    audience = models.CharField(
        max_length=10, choices=CaseEvent.Audience.choices, default=CaseEvent.Audience.INTERNAL
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("tệp của vụ việc")
        verbose_name_plural = _("tệp của vụ việc")

    def __str__(self) -> str:
        return self.original_name


class DisciplineDecision(TimeStampedModel):
    class Stage(models.TextChoices):
        PROPOSED = "proposed", _("Đề xuất")
        DECIDED = "decided", _("Đã quyết định")
        WITHDRAWN = "withdrawn", _("Rút đề xuất")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="discipline")
    staff = models.ForeignKey(
        "organisations.StaffMember",
        verbose_name=_("cán bộ bị kỷ luật"),
        on_delete=models.PROTECT,
        related_name="discipline",
    )
    form = models.ForeignKey(
        DisciplineForm, verbose_name=_("hình thức"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(
        _("giai đoạn"), max_length=10, choices=Stage.choices, default=Stage.PROPOSED
    )
    conduct_date = models.DateField(_("ngày có hành vi vi phạm"))
    proposal_note = models.TextField(_("nội dung đề xuất"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_file = models.FileField(
        _("tệp quyết định"), upload_to="discipline/%Y/", max_length=200, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("kỷ luật")
        verbose_name_plural = _("kỷ luật")
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="decided")
                | (~Q(decision_number="") & Q(decided_on__isnull=False)),
                name="discipline_decided_has_number_and_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} — {self.staff}"


class DefaultHandler(models.Model):
    """Who receives an organisation's new cases automatically (người nhận vụ việc mặc
    định), set by the head (CASE_ASSIGN there). It applies to cases handled by that
    organisation itself, not by the organisations under it. A row per track may name
    someone else for that track's new cases (a denunciation often goes to a different
    person than a feedback); without one, the organisation-wide row applies.

    When the person may no longer handle the organisation's cases, the default is cleared
    (`handler` empty) and the person kept in `lost_handler`, so the page can say who must
    be replaced (`cases.default_handler`)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan"),
        on_delete=models.CASCADE,
        related_name="case_default_handlers",
    )
    #: Empty: the organisation-wide default; a track: the default for that track's new
    #: cases, which takes precedence over the organisation-wide one.
    track = models.CharField(
        _("loại đơn"), max_length=20, choices=Track.choices, blank=True, default=""
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận vụ việc mặc định"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(_("đặt lúc"))
    lost_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận mặc định đã mất quyền"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lost_at = models.DateTimeField(_("mất quyền lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("người nhận vụ việc mặc định")
        verbose_name_plural = _("người nhận vụ việc mặc định")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "track"], name="cases_default_handler_one_per_track"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.track or '*'}: {self.handler_id or '-'}"


class CaseExport(PdfExportBase):
    """A large cases export (xlsx or CSV) made on the background worker (`cases.export_jobs`).

    One row per user and filter: it belongs to the user who asked and to nobody else,
    holds reporters' names and phone numbers, and so lives briefly (`expires_at`, a
    setting's minutes after it is made) and only while its user keeps the rights it
    was made with (`grants`): after that it is not served and its file is deleted.
    """

    class Source(models.TextChoices):
        WEB = "web", _("Trang danh sách")
        API = "api", "API"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="case_exports",
        verbose_name=_("người dùng"),
    )
    # The abstract base's fields, for a workbook of cases rather than a PDF.
    file = models.FileField(upload_to="exports/cases/", blank=True)
    rows = models.PositiveIntegerField(_("số vụ việc"), default=0)
    source = models.CharField(max_length=3, choices=Source.choices, default=Source.WEB)
    #: The filters: the list page's query string, or the API's filters as JSON.
    query = models.TextField(blank=True)
    language = models.CharField(max_length=8)
    #: "xlsx" or "csv" (`cases.exports.FORMATS`).
    file_format = models.CharField(_("định dạng"), max_length=4, default="xlsx")
    #: The user's grants when they asked ([role, organisation id, subtree]; "admin" for
    #: a superuser): the file is served only while they still hold every one.
    grants = models.JSONField(default=list)
    expires_at = models.DateTimeField(_("hết hạn lúc"), db_index=True)

    class Meta:
        verbose_name = _("tệp xuất vụ việc")
        verbose_name_plural = _("tệp xuất vụ việc")
        indexes = [models.Index(fields=["user", "fingerprint"], name="cases_export_user_fp")]

    def __str__(self) -> str:
        return f"{self.file_format} #{self.pk} ({self.status})"


from .signed_models import SignedPaper  # noqa: E402,F401
