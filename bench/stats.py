"""How sure a ratio measured in rounds is: the geometric mean of per-round ratios and its 95%
confidence interval (Student's t on the logs).

Rounds on a shared 2-core machine swing by ±10%, so a median alone cannot say whether a ratio
is above 1.0 or only within the machine's noise; the interval can.

    printf '1.14\\n0.92\\n1.05\\n' | python3 bench/stats.py    # one ratio per line
"""
import math
import statistics
import sys

# Two-sided 95% quantiles of t by degrees of freedom. Where a df is missing, the next smaller
# one's, which widens the interval: the safe side.
T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26,
       10: 2.23, 15: 2.13, 20: 2.09, 30: 2.04}


def interval(ratios):
    """(geometric mean, low, high) of positive per-round ratios; needs at least two."""
    logs = [math.log(r) for r in ratios]
    t = T95[max(k for k in T95 if k <= len(logs) - 1)]
    half = t * statistics.stdev(logs) / math.sqrt(len(logs))
    mean = statistics.fmean(logs)
    return math.exp(mean), math.exp(mean - half), math.exp(mean + half)


def describe(ratios):
    """`geometric mean 1.03x, 95% CI 0.92-1.17`, or "" with fewer than three rounds or with a
    round that measured nothing (a failed run's ratio is 0 or NaN)."""
    if len(ratios) < 3 or not all(r > 0 for r in ratios):
        return ""
    mean, low, high = interval(ratios)
    return f"geometric mean {mean:.2f}x, 95% CI {low:.2f}-{high:.2f}"


if __name__ == "__main__":
    print(describe([float(x) for x in sys.stdin.read().split()]))
