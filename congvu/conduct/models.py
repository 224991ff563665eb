"""The versioned code-of-conduct catalogue (seed section II) as data.

A `CodeVersion` belongs to a scope: the province (scope organisation = the
provincial People's Committee) or one organisation's own supplement, which
sits on top of the provincial catalogue. Versions move draft → active →
retired; at most one version per scope is active.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from congvu.core.models import TimeStampedModel
from congvu.core.text import fold, search_terms


class CodeVersionQuerySet(models.QuerySet["CodeVersion"]):
    def published(self) -> CodeVersionQuerySet:
        """Active and retired versions: public texts anyone may read."""
        return self.exclude(status=CodeVersion.Status.DRAFT)

    def managed_by(self, user: object) -> CodeVersionQuerySet:
        from congvu.accounts import access
        from congvu.accounts.access import Perm

        return self.filter(scope__in=access.organisations_for(user, Perm.CATALOGUE_MANAGE))

    def visible_to(self, user: object) -> CodeVersionQuerySet:
        """Everything published, plus the drafts of the scopes `user` manages."""
        return self.published() | self.managed_by(user)


class CodeVersion(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ACTIVE = "active", _("Đang áp dụng")
        RETIRED = "retired", _("Hết hiệu lực")

    scope = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("phạm vi áp dụng"),
        on_delete=models.PROTECT,
        related_name="code_versions",
    )
    is_supplement = models.BooleanField(
        _("là bộ quy tắc bổ sung của cơ quan"),
        default=False,
        help_text=_("Bổ sung riêng của cơ quan, áp dụng cùng bộ quy tắc của tỉnh."),
    )
    title = models.CharField(_("tên bộ quy tắc"), max_length=300)
    version = models.CharField(_("phiên bản"), max_length=40)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source_document = models.CharField(_("văn bản nguồn"), max_length=300, blank=True)
    effective_from = models.DateField(_("áp dụng từ"), null=True, blank=True)
    retired_on = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("sao chép từ phiên bản"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)

    objects = CodeVersionQuerySet.as_manager()

    class Meta:
        ordering = ["scope_id", "-created_at"]
        verbose_name = _("bộ quy tắc ứng xử")
        verbose_name_plural = _("bộ quy tắc ứng xử")
        constraints = [
            models.UniqueConstraint(
                fields=["scope"],
                condition=Q(status="active"),
                name="conduct_one_active_version_per_scope",
            ),
            models.UniqueConstraint(fields=["scope", "version"], name="conduct_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Section(models.Model):
    version = models.ForeignKey(CodeVersion, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("mã mục"), max_length=20)
    title = models.CharField(_("tên mục"), max_length=300)
    intro = models.TextField(_("nội dung chung"), blank=True)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    is_incomplete = models.BooleanField(
        _("chưa đầy đủ"),
        default=False,
        help_text=_("Văn bản nguồn bị thiếu hoặc chưa được nhập đủ; cần quản trị viên bổ sung."),
    )
    note = models.TextField(
        _("ghi chú biên tập"),
        blank=True,
        help_text=_("Ghi chú cho người biên tập, ví dụ phần văn bản nguồn còn thiếu."),
    )

    class Meta:
        ordering = ["version_id", "order", "code"]
        verbose_name = _("mục")
        verbose_name_plural = _("mục")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="conduct_section_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class ClauseQuerySet(models.QuerySet["Clause"]):
    def search(self, query: str | None, *, english: bool | None = None) -> ClauseQuerySet:
        """Accent-insensitive search over the folded copies, in the reader's language.

        A Vietnamese reader searches the Vietnamese copy (`search_text`); an English
        reader (`english`, by default the active language) either copy: the English
        (`search_text_en`) for the words they read, the Vietnamese for a word they know
        ("ruou"). Three tries, the first that finds anything wins:

        1. a query of several words as a phrase in one copy: folded Vietnamese words are
           short and ambiguous ("co" is có, cơ, cờ, cô…), and "co bac" should find cờ
           bạc, not "có … thứ bậc";
        2. every word in one and the same copy;
        3. a query mixing the languages ("voi vinh harassment", "alcohol rượu"): every word in
           a copy the reader reads it in. An English reader reads each word in either
           copy. A Vietnamese reader reads a word in the Vietnamese copy, and in the
           English one only a word that no Vietnamese copy here holds: folded, a short
           Vietnamese word ("the" — thẻ, "an") is also an English word, and must not find
           nearly every clause through its English; "bribe" or "alcohol" is no
           Vietnamese word, so it can only mean the English.
        """
        terms = search_terms(query)
        if not terms:
            return self
        english_reader = reads_english() if english is None else english
        copies = ["search_text", "search_text_en"] if english_reader else ["search_text"]
        if len(terms) > 1:
            phrase = " ".join(terms)
            in_a_copy = Q()
            for copy in copies:
                in_a_copy |= Q(**{f"{copy}__contains": phrase})
            found = self.filter(in_a_copy)
            if found.exists():
                return found
        every_word = Q()
        for copy in copies:
            every_word |= Q(*(Q(**{f"{copy}__contains": term}) for term in terms))
        found = self.filter(every_word)
        if (len(terms) == 1 and english_reader) or found.exists():
            return found
        mixed = self
        for term in terms:
            if english_reader:
                mixed = mixed.filter(
                    Q(search_text__contains=term) | Q(search_text_en__contains=term)
                )
            elif self.filter(search_text__contains=term).exists():
                mixed = mixed.filter(search_text__contains=term)
            else:
                mixed = mixed.filter(search_text_en__contains=term)
        return mixed


def reads_english() -> bool:
    return (get_language() or "").startswith("en")


def for_reader(vietnamese: str, english: str) -> tuple[str, str]:
    """A catalogue text in the reader's language, and that language ("en" or "vi"): the
    English when the reader switched to English and there is one, else the Vietnamese."""
    if english and reads_english():
        return english, "en"
    return vietnamese, "vi"


def title_for_reader(short_title: str, short_title_en: str) -> str:
    """A clause's short title in the reader's language (for rows read with `values()`)."""
    return for_reader(short_title, short_title_en)[0]


class Clause(models.Model):
    class AppliesTo(models.TextChoices):
        ALL = "all", _("Mọi cán bộ, công chức, viên chức")
        LEADERS = "leaders", _("Chỉ lãnh đạo, quản lý")

    class Severity(models.TextChoices):
        MINOR = "minor", _("Nhẹ")
        SERIOUS = "serious", _("Nghiêm trọng")
        VERY_SERIOUS = "very_serious", _("Rất nghiêm trọng")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="clauses")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("điều khoản cha"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="items",
    )
    code = models.CharField(_("mã"), max_length=30)
    short_title = models.CharField(_("tên ngắn"), max_length=200)
    short_title_en = models.CharField(
        _("tên ngắn (tiếng Anh)"),
        max_length=200,
        blank=True,
        help_text=_("Cho người đọc chọn tiếng Anh; để trống thì dùng tên tiếng Việt."),
    )
    text = models.TextField(_("nội dung"))
    plain_text = models.CharField(
        _("diễn giải cho người dân"),
        max_length=300,
        blank=True,
        help_text=_("Câu ngắn, dễ hiểu, dùng trên phiếu đánh giá và phản ánh."),
    )
    plain_text_en = models.CharField(
        _("diễn giải cho người dân (tiếng Anh)"),
        max_length=300,
        blank=True,
        help_text=_("Cho người đọc chọn tiếng Anh; để trống thì dùng diễn giải tiếng Việt."),
    )
    applies_to = models.CharField(
        _("áp dụng cho"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL
    )
    rateable = models.BooleanField(_("người dân đánh giá được"), default=False)
    rating_question = models.CharField(
        _("câu hỏi trên phiếu đánh giá"),
        max_length=300,
        blank=True,
        help_text=_("Để trống thì phiếu dùng phần diễn giải cho người dân."),
    )
    rating_question_en = models.CharField(
        _("câu hỏi trên phiếu đánh giá (tiếng Anh)"),
        max_length=300,
        blank=True,
        help_text=_("Cho người dân chọn tiếng Anh; để trống thì phiếu hỏi bằng tiếng Việt."),
    )
    rating_yes_is_breach = models.BooleanField(
        _("trả lời “có” là vi phạm"),
        default=False,
        help_text=_("Câu hỏi hỏi về hành vi sai, ví dụ “Có bị đòi hỏi điều không đúng không?”."),
    )
    observable = models.BooleanField(_("kiểm tra được khi thanh tra"), default=False)
    default_severity = models.CharField(
        _("mức độ mặc định"), max_length=15, choices=Severity.choices, default=Severity.MINOR
    )
    keywords = models.CharField(_("từ khóa"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    is_incomplete = models.BooleanField(_("chưa đầy đủ"), default=False)
    note = models.TextField(
        _("ghi chú biên tập"),
        blank=True,
        help_text=_("Ghi chú cho người biên tập, ví dụ phần văn bản nguồn còn thiếu."),
    )
    search_text = models.TextField(editable=False, default="")
    search_text_en = models.TextField(editable=False, default="")

    objects = ClauseQuerySet.as_manager()

    class Meta:
        ordering = ["section_id", "order", "code"]
        verbose_name = _("chuẩn mực")
        verbose_name_plural = _("chuẩn mực")
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="conduct_clause_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.short_title}"

    @property
    def reader_title(self) -> str:
        """The short title in the reader's language: the English one when the reader
        switched to English and the clause has it, else the Vietnamese."""
        return title_for_reader(self.short_title, self.short_title_en)

    @property
    def reader_title_lang(self) -> str:
        """The language `reader_title` is in ("en" or "vi"), for the `lang` attribute."""
        return for_reader(self.short_title, self.short_title_en)[1]

    @property
    def reader_plain(self) -> str:
        """The plain-language text in the reader's language (the English when the reader
        switched to English and the clause has it, else the Vietnamese)."""
        return for_reader(self.plain_text, self.plain_text_en)[0]

    @property
    def reader_plain_lang(self) -> str:
        """The language `reader_plain` is in ("en" or "vi"), for the `lang` attribute."""
        return for_reader(self.plain_text, self.plain_text_en)[1]

    @property
    def search_copies(self) -> str:
        """Both folded copies, one a line (`fold` leaves no line break in a copy): the
        Vietnamese, then the English; for a page's own filter, which reads them as
        `ClauseQuerySet.search` does (the English for a Vietnamese reader only for a word no
        clause's Vietnamese holds)."""
        return f"{self.search_text}\n{self.search_text_en}"

    @property
    def reader_label(self) -> str:
        """Code and short title in the reader's language ("II.1.c Không gây khó khăn…")."""
        return f"{self.code} {self.reader_title}"

    def refresh_search_text(self) -> None:
        """Fill both folded copies: the Vietnamese one every reader searches and the
        English one only English readers search (`ClauseQuerySet.search`); migration
        0011 applies the same lists to old rows."""
        self.search_text = fold(
            " ".join([self.code, self.short_title, self.text, self.plain_text, self.keywords])
        )
        self.search_text_en = fold(
            " ".join([self.code, self.short_title_en, self.plain_text_en, self.rating_question_en])
        )
