"""Server-rendered horizontal bar charts: geometry only; the template draws the SVG and its table."""
from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 240
BAR_WIDTH = 320
ROW_HEIGHT = 28
VALUE_GAP = 8


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_y: int
    extra: str = ""


@dataclass
class Chart:
    key: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    extra_heading: str = ""


def bar_chart(key: str, title: str, rows: list[tuple[str, int]], *, label_heading: str,
              value_heading: str = "Number", description: str | None = None,
              extra_heading: str = "", extras: list[str] | None = None) -> Chart:
    """Bars scaled to the largest value; the description says the numbers in words for screen readers."""
    top = max((value for _label, value in rows), default=0)
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * ROW_HEIGHT + 4
        width = round(BAR_WIDTH * value / top) if top else 0
        bars.append(Bar(label=label[:40], value=value, y=y, width=max(width, 1 if value else 0),
                        text_y=y + ROW_HEIGHT // 2 + 1, extra=(extras[index] if extras else "")))
    if description is None:
        description = "; ".join(f"{label}: {value}" for label, value in rows) or "No data yet."
    return Chart(key=key, title=title, description=description, label_heading=label_heading,
                 value_heading=value_heading, bars=bars, width=LABEL_WIDTH + BAR_WIDTH + 60,
                 height=max(len(rows), 1) * ROW_HEIGHT + 8, extra_heading=extra_heading)
