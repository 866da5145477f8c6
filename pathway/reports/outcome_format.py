"""How the outcomes report writes its figures: one place, so the page and the CSV show the
same strings."""

NOT_CALCULABLE = "–"


def number(value, decimals):
    if value is None:
        return NOT_CALCULABLE
    rounded = round(value, decimals) or 0.0  # never "-0.0"
    return f"{rounded:.{decimals}f}"


def mean_sd(n, mean, sd, decimals):
    if not n:
        return NOT_CALCULABLE
    return f"{number(mean, decimals)} ({number(sd, decimals)})"


def p_value(value):
    if value is None:
        return NOT_CALCULABLE
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def percent(share):
    return NOT_CALCULABLE if share.proportion is None else f"{share.proportion * 100:.1f}%"


def count_percent(share):
    return f"{share.k} ({percent(share)})"
