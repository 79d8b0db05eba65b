"""SVG line charts for the situational picture, each with a table of the
same numbers (the template draws both from what :func:`line_chart` returns).

Coordinates are given to the template as strings, so number localisation
(a decimal comma in Norwegian) never reaches the SVG geometry. Series differ
by colour *and* dash pattern, and the legend names them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

WIDTH = 640
HEIGHT = 240
LEFT = 52
RIGHT = 32
TOP = 16
BOTTOM = 44
LEGEND_ROW = 18
# Colours with enough contrast on white; dash patterns tell series apart
# without colour.
COLOURS = ["#1f4e8c", "#b3261e", "#2e6b30", "#6a3d9a", "#8a5100", "#00636b", "#4a4a4a"]
DASHES = ["", "8 4", "2 4", "10 4 2 4", "4 4", "1 3", "14 6"]


@dataclass
class Line:
    name: str
    values: Sequence[Decimal | int | None]
    colour: str = ""  # when the colour means something (a level); else by order


def _nice_top(top: float) -> float:
    """A round upper end of the scale at or above ``top``."""
    if top <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * magnitude
        if candidate >= top:
            return float(candidate)
    return float(10 * magnitude)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _tick(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def line_chart(
    key: str,
    title: str,
    labels: Sequence[str],
    lines: Sequence[Line],
    *,
    unit: str = "",
    periods: Sequence[Any] = (),
    minimum_top: float = 0,
    extra: Sequence[Line] = (),
    subject: str = "",
) -> dict[str, Any]:
    """What the template needs to draw ``lines`` over the periods named by
    ``labels`` (oldest first), and its table: one row per period, one column
    per line, then the ``extra`` columns (in the table only). A missing
    figure breaks the line and shows as – in the table. ``subject`` is the
    partnership's own words the title starts with (an indicator's name), for
    the template to mark with their language."""
    count = len(labels)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    numbers = [float(v) for line in lines for v in line.values if v is not None]
    top = _nice_top(max([*numbers, minimum_top], default=0))

    def x(i: int) -> float:
        if count <= 1:
            return LEFT + plot_width / 2
        return LEFT + plot_width * i / (count - 1)

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / top)

    drawn = []
    for n, line in enumerate(lines):
        segments: list[list[str]] = [[]]
        dots = []
        for i, value in enumerate(line.values):
            if value is None:
                if segments[-1]:
                    segments.append([])
                continue
            point = (_f(x(i)), _f(y(float(value))))
            segments[-1].append(f"{point[0]},{point[1]}")
            dots.append({"x": point[0], "y": point[1], "value": value, "label": labels[i]})
        drawn.append(
            {
                "name": line.name,
                "colour": line.colour or COLOURS[n % len(COLOURS)],
                "dash": DASHES[n % len(DASHES)],
                "segments": [" ".join(s) for s in segments if len(s) > 1],
                "dots": dots,
                "legend_y": _f(HEIGHT + LEGEND_ROW * n + 12),
                "legend_text_y": _f(HEIGHT + LEGEND_ROW * n + 16),
            }
        )
    # Whole numbers (counts) get no fractional scale labels.
    whole = all(value == int(value) for value in numbers)
    grid = [
        {
            "y": _f(y(top * share)),
            "text_y": _f(y(top * share) + 4),
            "label": "" if whole and top * share != int(top * share) else _tick(top * share),
        }
        for share in (0, 0.25, 0.5, 0.75, 1)
    ]
    step = max(1, -(-count // 12))
    ticks = [
        {"x": _f(x(i)), "label": label}
        for i, label in enumerate(labels)
        if i % step == 0 or i == count - 1
    ]
    columns = [*lines, *extra]
    rows = [
        {
            "label": label,
            "period": periods[i] if i < len(periods) else None,
            "values": [line.values[i] for line in columns],
        }
        for i, label in enumerate(labels)
    ]
    legend_height = LEGEND_ROW * len(lines) + 8
    return {
        "id": f"chart-{key}",
        "key": key,
        "title": title,
        "subject": subject,
        "width": WIDTH,
        "height": HEIGHT + legend_height,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "grid_label_x": LEFT - 6,
        "axis_y": _f(y(0)),
        "label_y": _f(y(0) + 18),
        "legend_x": LEFT,
        "legend_line_end": LEFT + 28,
        "legend_text_x": LEFT + 36,
        "grid": grid,
        "ticks": ticks,
        "lines": drawn,
        "headers": [f"{line.name} ({unit})" if unit else line.name for line in lines]
        + [line.name for line in extra],
        "rows": rows,
    }
