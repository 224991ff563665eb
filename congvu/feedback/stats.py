"""Plain statistics for the satisfaction index (no numpy: a few multiplications per row).

The index is a proportion (satisfied / counted). With few ratings a raw
proportion jumps around, so every figure is shown with its 95 % Wilson score
interval (Wilson 1927; the interval Brown, Cai & DasGupta 2001 recommend for
small samples): unlike the textbook "p ± 1.96·√(p(1-p)/n)", it stays inside
[0, 1] and is not zero-width at 0 % or 100 %.
"""

from __future__ import annotations

import math
from typing import Final

#: The 97.5th percentile of the standard normal distribution (two-sided 95 %).
Z95: Final = 1.959963984540054


def proportion(successes: int, n: int) -> float | None:
    """successes / n, or None when there is nothing to divide by."""
    if n <= 0:
        return None
    return successes / n


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval (low, high) for `successes` out of `n`; None when n is 0."""
    if n <= 0:
        return None
    if successes < 0 or successes > n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At 0 % and 100 % the bound is exactly 0 or 1; floating point would leave a hair.
    low = 0.0 if successes == 0 else max(0.0, centre - margin)
    high = 1.0 if successes == n else min(1.0, centre + margin)
    return low, high
