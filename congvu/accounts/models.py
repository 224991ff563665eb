from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Citizens never need one."""

    full_name = models.CharField(_("họ và tên"), max_length=120, blank=True)
    must_change_password = models.BooleanField(
        _("phải đổi mật khẩu được cấp"),
        default=False,
        help_text=_(
            "Mật khẩu do quản trị cấp (tài khoản mới, đặt lại): người dùng đặt mật khẩu riêng "
            "trước khi làm việc khác."
        ),
    )
    # Set by the language switch while signed in; the e-mails they get follow it.
    language = models.CharField(
        _("ngôn ngữ"),
        max_length=8,
        choices=[("vi", "Tiếng Việt"), ("en", "English")],
        default="vi",
    )
    # Each notice (a case assigned, a statement asked, an inspection concluded…) is also
    # e-mailed when it comes, to an account with an address; the daily digests are whatever
    # this says, unless their group is turned off below.
    mail_notices = models.BooleanField(_("gửi e-mail mỗi thông báo"), default=True)
    # The groups of notices (`core.mail_groups.MailGroup` codes) not to e-mail, digests
    # included; empty: every group. Stored turned off, so that a group added later is on.
    mail_muted_groups = models.JSONField(
        _("nhóm thông báo không gửi e-mail"), default=list, blank=True
    )
    # The e-mails' language; blank: the language last chosen with the switch (`language`).
    mail_language = models.CharField(
        _("ngôn ngữ e-mail"),
        max_length=8,
        blank=True,
        choices=[("", _("Theo ngôn ngữ đang dùng")), ("vi", "Tiếng Việt"), ("en", "English")],
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    HOME_AFFAIRS = "home_affairs", _("Cán bộ Sở Nội vụ")
    HEAD = "head", _("Người đứng đầu cơ quan")
    FOCAL_POINT = "focal_point", _("Đầu mối")
    CASE_HANDLER = "case_handler", _("Cán bộ xử lý vụ việc")
    INSPECTOR = "inspector", _("Thanh tra, kiểm tra viên")
    VIEWER = "viewer", _("Người xem")
    STAFF = "staff", _("Cán bộ, công chức (chỉ bản thân)")


class RoleGrant(models.Model):
    """`user` holds `role` on `organisation` (and, by default, everything below it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("cơ quan"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    include_subtree = models.BooleanField(_("gồm cả đơn vị trực thuộc"), default=True)
    granted_at = models.DateTimeField(_("cấp lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"], name="grant_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "cv_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=80)
    key_prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    #: Chosen when made (`settings.API_TOKEN_LIFETIMES`); empty = never, where allowed.
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and not self.expired

    @staticmethod
    def hash_key(key: str) -> str:
        # Tokens carry 256 random bits, so a fast hash is enough (no brute force possible).
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class RecoveryCode(models.Model):
    """A single-use code for the second sign-in step when the phone is not at hand.

    Only a hash is kept (the codes carry ~50 random bits and are shown once, when made);
    a new set replaces the old one; a used code keeps its `used_at`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mã dự phòng đăng nhập")
        verbose_name_plural = _("mã dự phòng đăng nhập")
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'used' if self.used_at else 'unused'})"


class TrustedBrowser(models.Model):
    """A browser where `user` passed the second sign-in step and asked to be remembered.

    The browser holds a random token in a cookie; only its SHA-256 is kept here. Of the
    browser itself only coarse names are kept (`browser`, `platform`: "Chrome", "Windows"),
    never the user agent or the IP address (accounts/trusted_browsers.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="trusted_browsers")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    #: What the user's password was when remembered (a digest of Django's session auth
    #: hash): a password changed by any door — the app, the admin, `changepassword` —
    #: ends it, as it ends the user's sessions.
    password_mark = models.CharField(max_length=64, editable=False)
    browser = models.CharField(_("trình duyệt"), max_length=40, blank=True)
    platform = models.CharField(_("hệ điều hành"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("ghi nhớ lúc"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("quên lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("trình duyệt được ghi nhớ")
        verbose_name_plural = _("trình duyệt được ghi nhớ")

    def __str__(self) -> str:
        return f"{self.user} — {self.label}"

    @property
    def label(self) -> str:
        from django.utils.translation import gettext

        if self.browser and self.platform:
            return gettext("%(browser)s trên %(platform)s") % {
                "browser": self.browser,
                "platform": self.platform,
            }
        return self.browser or self.platform or gettext("Trình duyệt không rõ")


class SignIn(models.Model):
    """One time `user` was signed in to, and how: what the sign-in history shows them, so
    that a stolen password or a lost key is noticed (accounts/sign_ins.py).

    Privacy by default: of the browser only coarse names are kept (`browser`, `platform`:
    "Chrome", "Windows", from `trusted_browsers.describe`), never the user agent nor the
    IP address. Only the newest `settings.CONGVU_SIGN_IN_HISTORY` of each user are kept.

    A failed attempt on the account (`outcome` other than SUCCESS: a wrong password, a
    wrong second-step code, an attempt the lockout refused) is a row too, so that the owner
    sees someone tried; repeats close together are one row (`attempts`, `last_at`), and
    failures are bounded apart from successes, so a flood cannot push the real sign-ins out
    (`sign_ins.record_failure`)."""

    class Method(models.TextChoices):
        PASSWORD = "password", _("Chỉ mật khẩu")
        CODE = "code", _("Mật khẩu và mã từ ứng dụng xác thực")
        RECOVERY_CODE = "recovery_code", _("Mật khẩu và mã dự phòng")
        PASSKEY = "passkey", _("Mật khẩu và khóa truy cập (passkey)")
        REMEMBERED_BROWSER = "remembered_browser", _("Mật khẩu trên trình duyệt được ghi nhớ")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Thành công")
        WRONG_PASSWORD = "wrong_password", _("Sai mật khẩu")
        WRONG_CODE = "wrong_code", _("Sai mã xác thực")
        LOCKED_OUT = "locked_out", _("Tài khoản bị tạm khóa")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_ins")
    at = models.DateTimeField(_("lúc"), default=timezone.now, editable=False)
    method = models.CharField(
        _("cách đăng nhập"), max_length=20, choices=Method.choices, default=Method.PASSWORD
    )
    browser = models.CharField(_("trình duyệt"), max_length=40, blank=True)
    platform = models.CharField(_("hệ điều hành"), max_length=40, blank=True)
    outcome = models.CharField(
        _("kết quả"), max_length=20, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    #: Failed attempts of the same kind from the same browser names, close together, are
    #: one row: how many, and when the last one was (None: a single attempt).
    attempts = models.PositiveIntegerField(_("số lần"), default=1)
    last_at = models.DateTimeField(_("lần cuối lúc"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("lần đăng nhập")
        verbose_name_plural = _("lịch sử đăng nhập")
        indexes = [models.Index(fields=["user", "-at"], name="sign_in_user_at")]

    def __str__(self) -> str:
        return f"{self.user} — {self.at:%Y-%m-%d %H:%M} — {self.method} — {self.outcome}"

    @property
    def failed(self) -> bool:
        return self.outcome != self.Outcome.SUCCESS
