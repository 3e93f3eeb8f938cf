"""bench/stats.py, which says how sure a benchmark's per-round ratio is: the figures the
benchmark notes quote rest on it."""
import math
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "bench"))
from stats import describe, interval  # noqa: E402


def check(ratios, mean, low, high):
    got = interval(ratios)
    assert got == pytest.approx((mean, low, high), rel=1e-3), got


def test_identical_rounds_have_no_spread():
    check([1.05, 1.05, 1.05], 1.05, 1.05, 1.05)


def test_the_interval_is_symmetric_on_the_log_scale_with_students_t():
    # logs ln2, -ln2, 0: mean 0, sd ln2, 3 rounds -> t(2) = 4.30, half-width 4.30 * ln2 / sqrt(3)
    half = 4.30 * math.log(2) / math.sqrt(3)
    check([2.0, 0.5, 1.0], 1.0, math.exp(-half), math.exp(half))


def test_more_rounds_narrow_the_interval_for_the_same_spread():
    few = interval([1.1, 0.9, 1.1, 0.9])
    many = interval([1.1, 0.9] * 6)
    assert many[1] > few[1] and many[2] < few[2]


def test_five_rounds_read_as_mean_and_interval_to_two_places():
    assert describe([1.14, 0.92, 1.05, 0.95, 1.12]) == "geometric mean 1.03x, 95% CI 0.92-1.16"


@pytest.mark.parametrize("ratios", [[1.0, 1.1], [1.0, 0.0, 1.1], [1.0, float("nan"), 1.1]])
def test_too_few_or_failed_rounds_give_no_interval(ratios):
    assert describe(ratios) == ""
