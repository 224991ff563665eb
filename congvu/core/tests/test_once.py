"""A form sent twice acts once (`core.once`): the key, the replay, the lost race, the
rollback with the work, someone else's key, and the daily clean-up."""

import datetime as dt
import re
import uuid
from unittest import mock

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from congvu.core import daily, once
from congvu.core.models import FormSubmission, WorkingDayOverride


class NoteForm(forms.Form):
    note = forms.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        once.add_field(self)


def request_for(user=None):
    request = RequestFactory().post("/somewhere/?page=2")
    request.user = user or AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def sent(key, note="x"):
    form = NoteForm({"note": note, "once": str(key)})
    assert form.is_valid(), form.errors
    return form


def do_work(request, form, label):
    """The work a view would do: one row, here a working-day override."""
    with once.guard(request, form, leads_to="/done/") as sending:
        WorkingDayOverride.objects.create(
            date=dt.date(2026, 12, 1) + dt.timedelta(days=WorkingDayOverride.objects.count()),
            is_working_day=False,
            reason=label,
        )
        sending.leads_to(f"/done/{label}/")


def test_each_drawing_of_the_form_carries_a_new_key_and_a_redrawn_form_keeps_its_own():
    first, second = NoteForm().as_p(), NoteForm().as_p()
    keys = [re.search(r'name="once" value="([0-9a-f-]{36})"', html)[1] for html in (first, second)]
    assert keys[0] != keys[1]
    assert 'type="hidden"' in first
    bound = NoteForm({"note": "", "once": keys[0]})
    assert not bound.is_valid()
    assert f'value="{keys[0]}"' in bound.as_p()


@pytest.mark.django_db
def test_the_second_sending_does_no_work_and_leads_where_the_first_led(officer):
    key = uuid.uuid4()
    do_work(request_for(officer), sent(key), "first")
    with pytest.raises(once.AlreadySent) as replay:
        do_work(request_for(officer), sent(key), "second")
    assert list(WorkingDayOverride.objects.values_list("reason", flat=True)) == ["first"]
    request = request_for(officer)
    response = replay.value.response(request)
    assert (response.status_code, response["Location"]) == (302, "/done/first/")
    [message] = list(get_messages(request))
    assert "đã được gửi và ghi nhận trước đó" in str(message)
    assert "already sent and recorded" in str(message)


@pytest.mark.django_db
def test_a_sending_that_fails_keeps_nothing_so_the_corrected_form_goes_through(officer):
    key = uuid.uuid4()
    with pytest.raises(ValidationError), once.guard(request_for(officer), sent(key)):
        WorkingDayOverride.objects.create(
            date=dt.date(2026, 12, 1), is_working_day=False, reason="half"
        )
        raise ValidationError("bad input")
    assert not FormSubmission.objects.exists()
    assert not WorkingDayOverride.objects.exists()
    do_work(request_for(officer), sent(key), "corrected")
    assert list(WorkingDayOverride.objects.values_list("reason", flat=True)) == ["corrected"]
    assert FormSubmission.objects.get(pk=key).user == officer


@pytest.mark.django_db
def test_the_sending_that_loses_the_race_for_the_key_does_no_work(officer):
    # Both sendings looked for the key before either had written it; the first then
    # committed, and the second's INSERT of the same key fails.
    key = uuid.uuid4()
    do_work(request_for(officer), sent(key), "first")
    with (
        mock.patch.object(once, "_existing", return_value=None),
        pytest.raises(once.AlreadySent) as replay,
    ):
        do_work(request_for(officer), sent(key), "second")
    assert replay.value.url == "/done/first/"
    assert WorkingDayOverride.objects.count() == 1


@pytest.mark.django_db
def test_a_form_may_ask_before_validating_whether_its_key_did_its_work(officer, head):
    key = uuid.uuid4()
    check = NoteForm({"note": "", "once": str(key)})  # not valid: never validated here
    once.check_sent(request_for(officer), check)  # nothing sent yet: goes on
    do_work(request_for(officer), sent(key), "first")
    with pytest.raises(once.AlreadySent) as replay:
        once.check_sent(request_for(officer), check)
    assert replay.value.url == "/done/first/"
    once.check_sent(request_for(head), check)  # someone else's: left to `guard` to refuse
    once.check_sent(request_for(officer), NoteForm({"note": "x", "once": "broken"}))


@pytest.mark.django_db
def test_a_key_sent_by_someone_else_is_refused_not_replayed(officer, head):
    key = uuid.uuid4()
    do_work(request_for(officer), sent(key), "officer's")
    with pytest.raises(ValidationError) as refused:
        do_work(request_for(head), sent(key), "head's")
    assert "phiên làm việc khác" in refused.value.messages[0]
    assert "another session" in refused.value.messages[0]
    assert WorkingDayOverride.objects.count() == 1


@pytest.mark.django_db
def test_a_form_without_a_key_or_with_a_broken_one_is_simply_not_guarded():
    for raw in ("", "not-a-uuid"):
        form = NoteForm({"note": "x", "once": raw})
        assert form.is_valid()
        assert form.cleaned_data["once"] is None
        do_work(request_for(), form, f"unguarded{raw}")
    assert WorkingDayOverride.objects.count() == 2
    assert not FormSubmission.objects.exists()


@pytest.mark.django_db
def test_a_citizens_sending_without_an_account_is_guarded_too():
    key = uuid.uuid4()
    do_work(request_for(), sent(key), "citizen")
    with pytest.raises(once.AlreadySent):
        do_work(request_for(), sent(key), "citizen again")
    assert FormSubmission.objects.get(pk=key).user is None


@pytest.mark.django_db
def test_the_daily_job_forgets_keys_older_than_thirty_days():
    now = timezone.now()
    old = FormSubmission.objects.create(key=uuid.uuid4(), created_at=now - dt.timedelta(days=31))
    recent = FormSubmission.objects.create(key=uuid.uuid4(), created_at=now - dt.timedelta(days=29))
    assert "core.form_submissions" in daily.registered()
    assert daily.registered()["core.form_submissions"](timezone.localdate()) == 1
    assert list(FormSubmission.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not FormSubmission.objects.filter(pk=old.pk).exists()
