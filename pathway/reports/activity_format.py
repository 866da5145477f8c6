"""How the activity report writes its figures, in one place so every table (and its CSV)
shows them alike."""

from pathway.clinical.stats import proportion


def percent(value):
    return "-" if value is None else f"{value * 100:.1f}%"


def interval(result):
    if result.ci_low is None:
        return "-"
    return f"{result.ci_low * 100:.1f}% to {result.ci_high * 100:.1f}%"


def cells(*values):
    return [str(value) for value in values]


def share(k, n):
    """[count, %, 95% CI] for k of n (Wilson interval)."""
    result = proportion(k, n)
    return [str(k), percent(result.proportion), interval(result)]
