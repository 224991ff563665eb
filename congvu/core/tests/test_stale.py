"""A form sent from a page that is no longer current does not undo someone's changes
(`core.stale`): the version drawn with the form, the refusal naming what changed, the
re-drawn form that goes through, and the forms that carry no version."""

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from congvu.core import stale
from congvu.core.models import WorkingDayOverride


class OverrideForm(forms.Form):
    reason = forms.CharField(required=False)
    is_working_day = forms.BooleanField(required=False)


@pytest.fixture
def override():
    return WorkingDayOverride.objects.create(
        date=dt.date(2026, 12, 1), is_working_day=False, reason="Nghỉ bù"
    )


def drawn(obj):
    form = OverrideForm()
    stale.add_field(form, obj)
    return form


def sent(obj, version, **data):
    form = OverrideForm({"stale": version, "reason": "Nghỉ bù", **data})
    stale.add_field(form, obj)
    assert form.is_valid(), form.errors
    return form


def save(form):
    with stale.guard(form) as current:
        current.reason = form.cleaned_data["reason"]
        current.is_working_day = form.cleaned_data["is_working_day"]
        current.save()


@pytest.mark.django_db
def test_the_version_follows_the_edited_fields_and_only_them(override):
    before = drawn(override).fields["stale"].initial
    assert 'type="hidden"' in str(drawn(override)["stale"])
    WorkingDayOverride.objects.filter(pk=override.pk).update(date=dt.date(2026, 12, 2))
    override.refresh_from_db()
    assert drawn(override).fields["stale"].initial == before  # not on the form
    WorkingDayOverride.objects.filter(pk=override.pk).update(reason="Nghỉ lễ")
    override.refresh_from_db()
    assert drawn(override).fields["stale"].initial != before


@pytest.mark.django_db
def test_a_save_from_an_overtaken_form_is_refused_with_what_changed_and_saves_nothing(override):
    tab_a = drawn(override).fields["stale"].initial
    save(sent(override, tab_a, reason="Nghỉ lễ"))  # tab B
    form = sent(override, tab_a, is_working_day="on")
    with pytest.raises(stale.Changed) as refused:
        save(form)
    errors = refused.value.message_dict
    assert "changed by someone else since you opened it" in errors[NON_FIELD_ERRORS][0]
    assert errors["reason"] == [
        "Người khác đã sửa mục này; hiện là: «Nghỉ lễ» / "
        "Someone else changed this; it is now: «Nghỉ lễ»"
    ]
    assert "is_working_day" not in errors
    override.refresh_from_db()
    assert (override.reason, override.is_working_day) == ("Nghỉ lễ", False)
    # The form drawn again carries the current version: sent again, it goes through.
    assert form.data["stale"] == drawn(override).fields["stale"].initial
    save(sent(override, form.data["stale"], reason="Nghỉ lễ", is_working_day="on"))
    override.refresh_from_db()
    assert (override.reason, override.is_working_day) == ("Nghỉ lễ", True)


@pytest.mark.django_db
def test_a_form_without_a_version_or_with_a_broken_one_is_not_guarded(override):
    save(sent(override, "", reason="Không có phiên bản"))
    save(sent(override, "edited by hand", reason="Sửa tay"))
    override.refresh_from_db()
    assert override.reason == "Sửa tay"


@pytest.mark.django_db
def test_a_form_may_say_in_its_own_words_what_changed(override):
    tab_a = drawn(override).fields["stale"].initial
    WorkingDayOverride.objects.filter(pk=override.pk).update(reason="Nghỉ lễ")
    form = OverrideForm({"stale": tab_a, "reason": "x"})
    stale.add_field(form, override, message=lambda current: f"Now: {current.reason}")
    assert form.is_valid()
    with pytest.raises(stale.Changed) as refused:
        save(form)
    assert refused.value.message_dict[NON_FIELD_ERRORS] == ["Now: Nghỉ lễ"]
