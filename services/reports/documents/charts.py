"""Charts as inline SVG: no script, no external file, well-formed XML, every text escaped.

A horizontal bar chart of one indicator by school (or, for a yes/no indicator, by group: the
share of its schools with «да») with the target as a dashed line, and a line chart of one
indicator over the periods. Bars and points carry the status colour and a
`<title>` with the name and value, and every value is also written next to its bar or point,
so a black-and-white print loses nothing. A value flagged data went into (or was left out of)
carries «⚠» after its text and why in its `<title>` (`shared.value_labels.flag_note`).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from services.reports.documents import labels

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 680
LABEL_WIDTH = 210
VALUE_WIDTH = 90
ROW = 22
LINE = 12  # the second line of a label runs this much lower, its row by as much taller
# The characters of a label's line that fit LABEL_WIDTH at 11 px: Russian text in Arial takes
# about 6,2 px a character, 30 about 190 px; a longer label wraps between words onto a second.
LABEL_CHARS = 30
TOP, BOTTOM = 26, 26
FONT = "font-family='Arial, sans-serif' font-size='11'"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as the table shows it
    status: str | None
    flag: labels.FlagNote | None = None  # flagged data: «⚠», as the table marks it


def _marked(text: str, flag: labels.FlagNote | None) -> str:
    """A value's text with «⚠» when flagged data went into it or was left out."""
    return f"{text}{labels.NBSP}{labels.FLAG_MARK}" if flag else text


def _why(label: str, text: str, flag: labels.FlagNote | None) -> str:
    """A bar's or point's `<title>`: «Школа № 1: 80,0 % — в значение вошли данные, …»."""
    return f"{label}: {text}" + (f" — {flag.title}" if flag else "")


def _f(x: float) -> str:
    return f"{x:.1f}"


def _scale(
    values: Sequence[float | None], target: float | None, percent: bool, intervals: int
) -> tuple[float, list[float]]:
    """The axis maximum and its ticks: 0–100 for percentages, else round steps (1, 2, 2,5
    or 5 times a power of ten) just past the largest value."""
    known = [v for v in values if v is not None] + ([target] if target is not None else [])
    top = max([0.0, *known])
    if percent and top <= 100:
        return 100.0, [100 * i / intervals for i in range(intervals + 1)]
    if top <= 0:
        return 1.0, [0.0, 1.0]
    rough = top * 1.05 / intervals
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    count = math.ceil(top * 1.05 / step)
    return step * count, [step * i for i in range(count + 1)]


def _tick(value: float) -> str:
    return labels.number(value, 2)


def _svg(width: int, height: int, title: str, body: list[str], kind: str) -> Markup:
    head = (
        f"<svg xmlns='{SVG_NS}' class='chart {kind}' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title>"
    )
    # Every text above went through escape(); the rest are numbers and fixed markup.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def _fill(status: str | None) -> str:
    return "#" + labels.STATUS_COLOURS[status or "no_target"][1]


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    target: float | None,
    target_label: str,
    *,
    percent: bool,
) -> Markup:
    """One bar per school that has a value; a school without one says so in words. A label
    longer than a line takes two (its row taller), cut with «…» only past them."""
    lines = [_label_lines(bar.label) for bar in bars]
    tops = [TOP + ROW * i + LINE * sum(len(ls) - 1 for ls in lines[:i]) for i in range(len(bars))]
    height = TOP + ROW * max(len(bars), 1) + LINE * sum(len(ls) - 1 for ls in lines) + BOTTOM
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top, ticks = _scale([b.value for b in bars], target, percent, 4)

    def x(v: float) -> float:
        return LABEL_WIDTH + area * max(v, 0.0) / top

    body: list[str] = [f"<g {FONT}>"]
    for value in ticks:
        body.append(
            f"<line class='grid' x1='{_f(x(value))}' y1='{TOP - 4}' x2='{_f(x(value))}' "
            f"y2='{height - BOTTOM}' stroke='#dddddd'/>"
            f"<text x='{_f(x(value))}' y='{height - 8}' text-anchor='middle' fill='#555555'>"
            f"{escape(_tick(value))}</text>"
        )
    for bar, y, label in zip(bars, tops, lines, strict=True):
        body.append(_label(bar.label, label, y + 15))
        y += LINE * (len(label) - 1) // 2  # the bar faces the middle of a two-line label
        shown = _marked(bar.text, bar.flag)
        if bar.value is None:
            body.append(
                f"<text x='{LABEL_WIDTH + 4}' y='{y + 15}' fill='#555555'>{escape(shown)}"
                f"<title>{escape(_why(bar.label, bar.text, bar.flag))}</title></text>"
            )
            continue
        width = max(x(bar.value) - LABEL_WIDTH, 0.5)
        body.append(
            f"<rect class='bar' x='{LABEL_WIDTH}' y='{y + 4}' width='{_f(width)}' height='14' "
            f"fill='{_fill(bar.status)}'><title>{escape(_why(bar.label, bar.text, bar.flag))}"
            f"</title></rect><text class='value' x='{_f(LABEL_WIDTH + width + 4)}' y='{y + 15}'>"
            f"{escape(shown)}</text>"
        )
    if target is not None:
        tx = _f(x(target))
        body.append(
            f"<line class='target' x1='{tx}' y1='{TOP - 6}' x2='{tx}' y2='{height - BOTTOM}' "
            f"stroke='#000000' stroke-width='1.5' stroke-dasharray='5,3'/>"
            f"<text x='{tx}' y='{TOP - 10}' text-anchor='middle'>"
            f"{escape('цель ' + target_label)}</text>"
        )
    body.append("</g>")
    return _svg(WIDTH, height, title, body, "bars")


def line_chart(
    title: str,
    points: Sequence[tuple[str, float | None, str]],
    target: float | None,
    target_label: str,
    *,
    percent: bool,
    flags: Mapping[str, labels.FlagNote] | None = None,
) -> Markup:
    """Values over the periods (oldest first): `points` are (period, value, shown text). A
    period without a value (None) keeps its place on the axis, with no point and no line.
    `flags`: per period, the mark of flagged data in its value (where it is known)."""
    height, left, right, top_margin, bottom = 206, 50, 30, 34, 34
    plot_h = height - top_margin - bottom
    top, ticks = _scale([v for _, v, _ in points], target, percent, 2)
    step = (WIDTH - left - right) / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return top_margin + plot_h * (1 - max(v, 0.0) / top)

    body: list[str] = [f"<g {FONT}>"]
    for value in ticks:
        body.append(
            f"<line class='grid' x1='{left}' y1='{_f(y(value))}' x2='{WIDTH - right}' "
            f"y2='{_f(y(value))}' stroke='#dddddd'/><text x='{left - 6}' y='{_f(y(value) + 4)}' "
            f"text-anchor='end' fill='#555555'>{escape(_tick(value))}</text>"
        )
    known = [
        (left + i * step, y(v), period, v, text)
        for i, (period, v, text) in enumerate(points)
        if v is not None
    ]
    # The line joins neighbouring periods with values only: a period without one breaks it.
    runs: list[list[tuple[float, float]]] = [[]]
    for i, (_, v, _) in enumerate(points):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((left + i * step, y(v)))
    for run in runs:
        if len(run) > 1:
            path = " ".join(f"{_f(px)},{_f(py)}" for px, py in run)
            body.append(
                f"<polyline class='line' points='{path}' fill='none' stroke='#1f4e79' "
                "stroke-width='2'/>"
            )
    for i, (period, _, _) in enumerate(points):
        body.append(
            f"<text x='{_f(left + i * step)}' y='{height - 12}' text-anchor='middle'>"
            f"{escape(period)}</text>"
        )
    for px, py, period, _, text in known:
        flag = (flags or {}).get(period)
        body.append(
            f"<circle class='point' cx='{_f(px)}' cy='{_f(py)}' r='3.5' fill='#1f4e79'>"
            f"<title>{escape(_why(period, text, flag))}</title></circle>"
            f"<text class='value' x='{_f(px)}' y='{_f(py - 8)}' text-anchor='middle'>"
            f"{escape(_marked(text, flag))}</text>"
        )
    if target is not None:
        ty = _f(y(target))
        body.append(
            f"<line class='target' x1='{left}' y1='{ty}' x2='{WIDTH - right}' y2='{ty}' "
            f"stroke='#000000' stroke-width='1.5' stroke-dasharray='5,3'/>"
            # The legend sits above the plot, where no point's label can reach.
            f"<line x1='{left}' y1='10' x2='{left + 24}' y2='10' stroke='#000000' "
            f"stroke-width='1.5' stroke-dasharray='5,3'/>"
            f"<text x='{left + 30}' y='14'>{escape('цель ' + target_label)}</text>"
        )
    body.append("</g>")
    return _svg(WIDTH, height, title, body, "line")


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _label_lines(text: str) -> list[str]:
    """A bar's label in one line of LABEL_CHARS, or two broken between words, the second
    (and a word longer than a line) cut with «…»."""
    lines = [""]
    for word in text.split():
        joined = f"{lines[-1]} {word}".strip()
        if len(joined) <= LABEL_CHARS or not lines[-1]:
            lines[-1] = joined
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [_cut(line) for line in lines]


def _label(full: str, lines: list[str], y: int) -> str:
    """The label's <text>, right-aligned to the bars, its lines as <tspan>s past the first,
    with the full name as its <title> when it was wrapped or cut."""
    x = LABEL_WIDTH - 6
    more = "".join(f"<tspan x='{x}' dy='{LINE}'>{escape(line)}</tspan>" for line in lines[1:])
    whole = f"<title>{escape(full)}</title>" if " ".join(lines) != full else ""
    return (
        f"<text class='label' x='{x}' y='{y}' text-anchor='end'>{escape(lines[0])}{more}{whole}"
        "</text>"
    )


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
