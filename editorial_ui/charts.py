"""Charts for the reports page, drawn on the server as SVG: no script, no chart library.

Readable without colour: the current period is solid, the previous period hatched (a pattern,
not a hue), every bar carries its number in a `<title>` (shown on hover and read by screen
readers) and, where there is room, as text beside it. Heat-map cells print their count.
Styling uses SVG presentation attributes and classes, never inline `style`, to keep the CSP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 960
DEFS = (
    '<defs><pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse"'
    ' patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#14213d" stroke-width="2.5"/></pattern></defs>'
)
Point = tuple[str, int, int]  # label, this period, previous period


def _svg(
    height: int, body: list[str], label: str, hatch: str, width: int = WIDTH, extra: str = ""
) -> Markup:
    head = (
        f'<svg class="chart{extra}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    )
    return Markup(head + DEFS.format(id=hatch) + "".join(body) + "</svg>")  # noqa: S704


def _bar(x: float, y: float, w: float, h: float, fill: str, title: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}"'
        f' fill="{fill}" stroke="#14213d" stroke-width="0.6"><title>{escape(title)}</title></rect>'
    )


def _text(x: float, y: float, text: object, anchor: str = "start", cls: str = "") -> str:
    extra = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


@dataclass(frozen=True)
class ChartWords:
    """The few words a chart writes itself, in the page's language."""

    now: str = "deze periode"
    previous: str = "vorige periode"
    short: str = "vorige"
    legend: str = "legenda"


DUTCH = ChartWords()


def legend(hatch: str, words: ChartWords = DUTCH) -> Markup:
    now, before = words.now, words.previous
    body = [
        _bar(0, 4, 18, 12, "#14213d", now), _text(24, 15, now),
        _bar(170, 4, 18, 12, f"url(#{hatch})", before), _text(194, 15, before),
    ]  # fmt: skip
    return _svg(20, body, words.legend, hatch, width=360, extra=" legend-chart")


def columns(
    points: Sequence[Point], label: str, hatch: str, every: int = 1, words: ChartWords = DUTCH
) -> Markup:
    """Vertical bars in pairs (this period solid, previous hatched), one pair per point."""
    height, base = 240, 200
    peak = max([1, *(max(now, before) for _, now, before in points)])
    slot = (WIDTH - 40) / max(len(points), 1)
    body = [
        f'<line x1="36" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#6b7280"/>',
        _text(30, 24, peak, "end", "axis"),
        _text(30, base, 0, "end", "axis"),
    ]
    for n, point in enumerate(points):
        scale = (base - 20) / peak
        body.extend(_pair(point, 40 + n * slot, slot, scale, base, len(points), hatch, words))
        if n % every == 0:
            body.append(_text(40 + n * slot + slot / 2, base + 16, point[0], "middle", "axis"))
    return _svg(height, body, label, hatch)


def _pair(
    point: Point,
    x: float,
    slot: float,
    scale: float,
    base: int,
    count: int,
    hatch: str,
    words: ChartWords,
) -> list[str]:
    name, now, before = point
    w = max(slot * 0.42, 0.8)
    left = x + slot * 0.05
    parts = [
        _bar(left, base - now * scale, w, now * scale, "#14213d",
             f"{name}: {now} ({words.previous}: {before})"),
        _bar(left + w, base - before * scale, w, before * scale, f"url(#{hatch})",
             f"{name}, {words.previous}: {before}"),
    ]  # fmt: skip
    if count <= 31 and now:
        parts.append(_text(left + w / 2, base - now * scale - 4, now, "middle", "value"))
    return parts


def bars(points: Sequence[Point], label: str, hatch: str, words: ChartWords = DUTCH) -> Markup:
    """Horizontal bars with the label left and both numbers written out right."""
    row, left, right = 30, 190, 190
    peak = max([1, *(max(now, before) for _, now, before in points)])
    scale = (WIDTH - left - right) / peak
    body: list[str] = []
    for n, (name, now, before) in enumerate(points):
        y = n * row + 4
        body.append(_text(left - 8, y + 15, name, "end"))
        body.append(_bar(left, y, now * scale, 12, "#14213d", f"{name}: {now}"))
        body.append(_bar(left, y + 12, before * scale, 8, f"url(#{hatch})",
                         f"{name}, {words.previous}: {before}"))  # fmt: skip
        body.append(_text(left + max(now, before) * scale + 8, y + 15,
                          f"{now}  ({words.short}: {before})", "start", "value"))  # fmt: skip
    return _svg(max(len(points), 1) * row + 8, body, label, hatch)


def heatmap(grid: Sequence[Sequence[int]], days: Sequence[str], label: str) -> Markup:
    """Weekday × hour: darker is busier, and every cell prints its count."""
    cell_w, cell_h, left, top = 36, 28, 60, 22
    peak = max([1, *(max(row) for row in grid)])
    body = [_text(left + h * cell_w + cell_w / 2, 15, f"{h:02d}", "middle", "axis")
            for h in range(24)]  # fmt: skip
    for d, row in enumerate(grid):
        y = top + d * cell_h
        body.append(_text(left - 8, y + cell_h / 2 + 5, days[d], "end"))
        for h, count in enumerate(row):
            shade = 0.06 + 0.94 * count / peak if count else 0.0
            title = f"{days[d]} {h:02d}:00–{h + 1:02d}:00: {count}"
            body.append(
                f'<rect x="{left + h * cell_w}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}"'
                f' fill="#14213d" fill-opacity="{shade:.2f}" stroke="#d1d5db">'
                f"<title>{escape(title)}</title></rect>"
            )
            if count:
                cls = "cell light" if shade > 0.5 else "cell"
                body.append(_text(left + h * cell_w + cell_w / 2 - 1, y + cell_h / 2 + 4, count,
                                  "middle", cls))  # fmt: skip
    return _svg(top + 7 * cell_h + 4, body, label, "unused-hatch")
