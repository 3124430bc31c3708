"""Bar charts drawn by the server as SVG: the geometry is computed here, the template only draws it.

No chart library and no script: a chart is plain SVG inside the page, styled by
our own CSS classes, with a title and a description for screen readers, and
always next to a table that holds the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    back_width: float = 0.0  # the whole (e.g. all beds) behind the part (the beds taken)
    flagged: bool = False
    label_x: float = 0.0
    label_y: float = 0.0
    value_x: float = 0.0
    value_y: float = 0.0


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    baseline_y: float = 0.0
    horizontal: bool = True


LABEL_WIDTH = 150
VALUE_WIDTH = 70
ROW_HEIGHT = 22
BAR_HEIGHT = 14
PADDING = 6


def part_of_whole_chart(
    rows: list[tuple[str, int, int, bool]], *, title: str, description: str, width: int = 640
) -> Chart:
    """Horizontal bars of `part` out of `whole` (for example beds taken out of beds), one row each.

    `rows` are (label, part, whole, flagged). Each bar is as long as the row's own
    whole, scaled to the largest whole, with the part drawn over it.
    """
    plot = width - LABEL_WIDTH - VALUE_WIDTH
    largest = max((whole for _label, _part, whole, _flag in rows), default=0) or 1
    bars = []
    for index, (label, part, whole, flagged) in enumerate(rows):
        top = PADDING + index * ROW_HEIGHT
        back = plot * whole / largest
        front = plot * min(part, whole) / largest if whole else 0.0
        bars.append(
            Bar(
                label=label,
                value_text=f"{part}/{whole}",
                x=LABEL_WIDTH,
                y=top,
                width=round(front, 1),
                height=BAR_HEIGHT,
                back_width=round(back, 1),
                flagged=flagged,
                label_x=LABEL_WIDTH - PADDING,
                label_y=top + BAR_HEIGHT - 3,
                value_x=round(LABEL_WIDTH + back + PADDING, 1),
                value_y=top + BAR_HEIGHT - 3,
            )
        )
    height = PADDING * 2 + max(len(rows), 1) * ROW_HEIGHT
    return Chart(title=title, description=description, width=width, height=height, bars=bars)


COLUMN_AREA_HEIGHT = 160
AXIS_LABEL_HEIGHT = 34


def column_chart(
    columns: list[tuple[str, Decimal]], *, title: str, description: str, width: int = 640, unit: str = ""
) -> Chart:
    """Vertical columns of amounts (for example EUR spent per month); negative amounts draw as zero."""
    count = max(len(columns), 1)
    slot = (width - 2 * PADDING) / count
    largest = max((value for _label, value in columns), default=Decimal(0))
    largest = largest if largest > 0 else Decimal(1)
    top = PADDING + 16  # room for the value above the tallest column
    baseline = top + COLUMN_AREA_HEIGHT
    bars = []
    for index, (label, value) in enumerate(columns):
        tall = float(COLUMN_AREA_HEIGHT * max(value, Decimal(0)) / largest)
        left = PADDING + index * slot + slot * 0.15
        middle = PADDING + index * slot + slot / 2
        bars.append(
            Bar(
                label=label,
                value_text=formats.number_format(value, 0, force_grouping=True) + unit,
                x=round(left, 1),
                y=round(baseline - tall, 1),
                width=round(slot * 0.7, 1),
                height=round(tall, 1),
                label_x=round(middle, 1),
                label_y=baseline + 14,
                value_x=round(middle, 1),
                value_y=round(baseline - tall - 4, 1),
            )
        )
    return Chart(
        title=title,
        description=description,
        width=width,
        height=int(baseline + AXIS_LABEL_HEIGHT),
        bars=bars,
        baseline_y=baseline,
        horizontal=False,
    )
