import datetime as dt

import pytest

from congvu.core.calendar import add_working_days, is_working_day, working_days_between
from congvu.core.models import WorkingDayOverride

D = dt.date
pytestmark = pytest.mark.django_db


def test_tet_2026_days_off_are_skipped():
    # Tết Bính Ngọ: Monday 16/02/2026 to Friday 20/02/2026 are public holidays.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1


def test_a_five_working_day_deadline_over_tet_2026_lands_after_the_break():
    assert add_working_days(D(2026, 2, 12), 5) == D(2026, 2, 26)


def test_tet_2027_days_off_are_skipped():
    # Tết Đinh Mùi: 04/02/2027 (29 Tết) to 10/02/2027.
    assert not is_working_day(D(2027, 2, 4))
    assert not is_working_day(D(2027, 2, 10))
    assert add_working_days(D(2027, 2, 3), 1) == D(2027, 2, 11)
    assert working_days_between(D(2027, 2, 1), D(2027, 2, 12)) == 4


def test_a_make_up_saturday_counts_as_a_working_day():
    assert is_working_day(D(2026, 8, 22))
    assert not is_working_day(D(2026, 8, 29))


def test_an_official_override_wins_over_the_package():
    WorkingDayOverride.objects.create(
        date=D(2026, 2, 23), is_working_day=False, reason="Nghỉ bù (giả định cho kiểm thử)"
    )
    WorkingDayOverride.objects.create(
        date=D(2026, 2, 28), is_working_day=True, reason="Làm bù thứ Bảy (giả định cho kiểm thử)"
    )
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 24)
    assert working_days_between(D(2026, 2, 13), D(2026, 3, 2)) == 6


def test_counting_backwards_is_the_mirror_of_counting_forwards():
    assert add_working_days(D(2026, 2, 23), -1) == D(2026, 2, 13)
    assert working_days_between(D(2026, 2, 23), D(2026, 2, 13)) == -1
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
