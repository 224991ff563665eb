from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvu.core.types import AuthenticatedHttpRequest

from . import access, services
from .forms import ApiTokenForm
from .models import ApiToken, RoleGrant


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:settings")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return super().form_valid(form)


@login_required
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's account: roles, password, personal API tokens."""
    new_key = None
    form = ApiTokenForm()
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            _token, new_key = services.create_api_token(
                request.user, name=form.cleaned_data["name"]
            )
            form = ApiTokenForm()
    grants = RoleGrant.objects.filter(user=request.user).select_related("organisation")
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=request.user),
            "grants": grants,
            "roles": access.roles_of(request.user),
        },
    )


@login_required
@require_POST
def revoke_token(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    services.revoke_api_token(token, actor=request.user)
    messages.success(request, _("Đã thu hồi mã truy cập."))
    return redirect("accounts:settings")
