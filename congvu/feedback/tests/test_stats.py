from __future__ import annotations

import pytest

from congvu.feedback.stats import proportion, wilson


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Known values (e.g. statsmodels proportion_confint(..., method="wilson")).
        (50, 100, 0.403832, 0.596168),
        (81, 263, 0.255289, 0.366210),
        (0, 10, 0.0, 0.277533),
        (10, 10, 0.722467, 1.0),
        (8, 10, 0.490162, 0.943318),
        (1, 1, 0.206549, 1.0),
    ],
)
def test_the_wilson_interval_matches_published_values(
    successes: int, n: int, low: float, high: float
) -> None:
    interval = wilson(successes, n)
    assert interval is not None
    assert interval[0] == pytest.approx(low, abs=1e-6)
    assert interval[1] == pytest.approx(high, abs=1e-6)


def test_there_is_no_interval_without_ratings() -> None:
    assert wilson(0, 0) is None
    assert proportion(0, 0) is None


def test_the_interval_always_contains_the_share_and_stays_within_zero_and_one() -> None:
    for n in (1, 2, 7, 30, 1000):
        for successes in range(0, n + 1, max(1, n // 7)):
            interval = wilson(successes, n)
            assert interval is not None
            assert 0.0 <= interval[0] <= successes / n <= interval[1] <= 1.0


def test_more_ratings_give_a_narrower_interval() -> None:
    small, large = wilson(8, 10), wilson(800, 1000)
    assert small is not None and large is not None
    assert large[1] - large[0] < small[1] - small[0]


def test_an_impossible_count_is_refused() -> None:
    with pytest.raises(ValueError):
        wilson(11, 10)
