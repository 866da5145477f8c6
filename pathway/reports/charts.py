"""Small server-rendered SVG charts. Every chart is shown next to a table of its numbers."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list
    width: int = WIDTH
    height: int = HEIGHT
    baseline_y: float = HEIGHT - BOTTOM

    @property
    def aria_label(self):
        readings = ", ".join(f"{bar.label}: {bar.value:g}" for bar in self.bars)
        return f"{self.title}. {readings}." if readings else f"{self.title}: no data."


def bar_chart(title, labelled_values):
    """Bars for [(label, value)], scaled so the tallest bar fills the plot height."""
    values = [value for _, value in labelled_values]
    top = max(values, default=0) or 1
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(values), 1)
    bars = []
    for index, (label, value) in enumerate(labelled_values):
        height = plot_height * value / top
        bars.append(
            Bar(
                label=str(label),
                value=value,
                x=round(LEFT + index * step + step * 0.15, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(step * 0.7, 1),
                height=round(height, 1),
            )
        )
    return BarChart(title=title, bars=bars)
