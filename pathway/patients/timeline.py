"""The outcome charts on a person's timeline: pain, ODI and EQ-5D-5L index by time point.

`plot` is plain arithmetic (time point labels and values in, SVG coordinates out), so a chart
can be checked by hand; `outcome_charts` picks the numbers out of one episode's responses.
Each measure has its own small chart on its own scale, since the three run in different
directions (lower pain and ODI are better, a higher index is better).
"""

from dataclasses import dataclass

from pathway.clinical import eq5d

# Every time point has a place on the x axis, so a chart shows what is still to come.
TIMEPOINTS = (
    ("baseline", "Baseline"),
    ("discharge", "Discharge"),
    ("month_6", "6 months"),
    ("month_12", "12 months"),
)
CHARTED = ("pain_nrs", "odi", "eq5d5l")


@dataclass(frozen=True)
class Box:
    """The chart's size in SVG units and the margins around the plotting area."""

    width: int = 300
    height: int = 170
    left: int = 48
    right: int = 36
    top: int = 16
    bottom: int = 30

    @property
    def plot_width(self):
        return self.width - self.left - self.right

    @property
    def plot_height(self):
        return self.height - self.top - self.bottom

    @property
    def plot_bottom(self):
        return self.top + self.plot_height

    @property
    def plot_right(self):
        return self.left + self.plot_width

    @property
    def tick_label_x(self):
        return self.left - 6

    @property
    def axis_label_y(self):
        return self.height - 8


BOX = Box()


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    text: str
    x: float
    y: float | None  # None when the time point has no value

    @property
    def label_y(self):
        return None if self.y is None else round(self.y - 9, 1)


@dataclass(frozen=True)
class Tick:
    text: str
    y: float


@dataclass(frozen=True)
class Measure:
    code: str
    title: str
    low: float
    high: float
    decimals: int
    better: str  # "lower" or "higher"
    ticks: tuple
    scale: str = ""  # the EQ-5D-5L value set's name


@dataclass(frozen=True)
class Chart:
    measure: Measure
    box: Box
    points: tuple
    segments: tuple  # polyline "x,y x,y" strings; a missing time point breaks the line
    ticks: tuple
    aria_label: str

    @property
    def plotted(self):
        return [point for point in self.points if point.y is not None]


def format_value(value, decimals):
    if value is None:
        return "not recorded"
    return f"{value:.{decimals}f}"


def plot(series, *, low, high, box=BOX):
    """[(x, y)] in SVG units for [(label, value)]: time points evenly spaced from the left to
    the right edge of the plotting area (a single one in the middle), `high` at the top and
    `low` at the bottom. A value of None gives y None; values outside low..high sit on the
    nearer edge. Rounded to 0.1 unit."""
    if high <= low:
        raise ValueError("The top of a chart's scale must be above the bottom")
    count = len(series)
    step = box.plot_width / (count - 1) if count > 1 else 0
    coordinates = []
    for position, (_label, value) in enumerate(series):
        x = box.left + (position * step if count > 1 else box.plot_width / 2)
        y = None
        if value is not None:
            clamped = min(max(value, low), high)
            y = round(box.top + (high - clamped) / (high - low) * box.plot_height, 1)
        coordinates.append((round(x, 1), y))
    return coordinates


def segments(coordinates):
    """Polyline point lists joining neighbouring time points that both have a value."""
    runs, current = [], []
    for x, y in coordinates:
        if y is None:
            if len(current) > 1:
                runs.append(current)
            current = []
        else:
            current.append(f"{x},{y}")
    if len(current) > 1:
        runs.append(current)
    return tuple(" ".join(run) for run in runs)


def chart(measure, series, box=BOX):
    coordinates = plot(series, low=measure.low, high=measure.high, box=box)
    points = tuple(
        Point(label, value, format_value(value, measure.decimals), x, y)
        for (label, value), (x, y) in zip(series, coordinates, strict=True)
    )
    ticks = tuple(
        Tick(format_value(value, measure.decimals if value % 1 else 0), y)
        for value, (_x, y) in zip(
            measure.ticks,
            plot([("", v) for v in measure.ticks], low=measure.low, high=measure.high, box=box),
            strict=True,
        )
    )
    readings = ", ".join(f"{point.label} {point.text}" for point in points)
    scale = f" on the {measure.scale} value set" if measure.scale else ""
    aria_label = f"{measure.title}{scale}, {measure.better} is better, by time point: {readings}."
    return Chart(measure, box, points, segments(coordinates), ticks, aria_label)


def measures(value_set_code):
    value_set = eq5d.VALUE_SETS[value_set_code]
    return (
        Measure("pain_nrs", "Pain (0 to 10)", 0, 10, 0, "lower", (0, 5, 10)),
        Measure("odi", "Disability (ODI, %)", 0, 100, 1, "lower", (0, 50, 100)),
        Measure(
            "eq5d5l",
            "EQ-5D-5L index",
            value_set.published_min,
            value_set.published_max,
            3,
            "higher",
            (value_set.published_min, 0, value_set.published_max),
            scale=value_set.label,
        ),
    )


def measure_value(code, response, value_set_code):
    """The charted number of one response: pain 0-10, ODI %, or the EQ-5D-5L index."""
    if response is None:
        return None
    if code == "pain_nrs":
        return response.scores.get("pain")
    if code == "odi":
        return response.scores.get("percent")
    if code == "eq5d5l":
        return (response.scores.get("index") or {}).get(value_set_code)
    raise ValueError(f"{code!r} is not charted")


def has_outcomes(grouped):
    """True when {timepoint: {instrument: response}} holds anything the charts show."""
    return any(code in by_instrument for by_instrument in grouped.values() for code in CHARTED)


def outcome_charts(grouped, value_set_code):
    """The three charts and the same numbers as table rows for one episode's responses
    ({timepoint: {instrument: response}}). Rows: (time point label, [value text per measure])
    for time points with at least one of the three measures."""
    charts, columns = [], []
    for measure in measures(value_set_code):
        series = [
            (
                label,
                measure_value(
                    measure.code, grouped.get(code, {}).get(measure.code), value_set_code
                ),
            )
            for code, label in TIMEPOINTS
        ]
        charts.append(chart(measure, series))
        columns.append(series)
    rows = []
    for position, (_code, label) in enumerate(TIMEPOINTS):
        values = [series[position][1] for series in columns]
        if any(value is not None for value in values):
            texts = [
                format_value(value, measure.decimals)
                for value, measure in zip(values, (c.measure for c in charts), strict=True)
            ]
            rows.append((label, texts))
    return charts, rows
