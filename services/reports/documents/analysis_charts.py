"""The complex analysis chapter's charts, inline SVG like `charts` (no script, no external file,
every text escaped): schools' results against the social context index, and a school's task
completion profile against the territory's.

Every point has a `<title>`, the school's completions are also written above its points,
and the marks differ in shape as well as colour (a resilient school is a filled diamond with
its name beside it; the school's profile a solid line with circles, the territory's a dashed
line with squares), so a black-and-white print loses nothing.
"""

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from services.reports.documents import labels
from services.reports.documents.charts import FONT, WIDTH, _f, _short, _svg
from services.reports.documents.model import ScatterPoint, TaskProfile

SCHOOL, TERRITORY, RESILIENT = "#1f4e79", "#888888", "#b35c00"
SHADE = "#f3e3e3"


def _index_range(values: Sequence[float]) -> tuple[float, float]:
    """Whole (or half) standard deviations around every index, at least −1…1."""
    low = min([-1.0, *values])
    high = max([1.0, *values])
    return math.floor(low * 2) / 2, math.ceil(high * 2) / 2


def _percent(value: float) -> str:
    return f"{labels.number(value, 1, fixed=True)}{labels.NBSP}%"


def scatter_chart(
    title: str, points: Sequence[ScatterPoint], unfavourable_cut: float | None
) -> Markup:
    """Each school's result (mean completion, %) against its context index (ИСБШ, in SDs):
    the ШНСУ quartile (index ≤ `unfavourable_cut`) shaded, resilient schools named."""
    height, left, right, top, bottom = 360, 56, 24, 30, 52
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    low, high = _index_range([p.index for p in points])

    def x(v: float) -> float:
        return left + plot_w * (v - low) / (high - low)

    def y(v: float) -> float:
        return top + plot_h * (1 - min(max(v, 0.0), 100.0) / 100)

    body: list[str] = [f"<g {FONT}>"]
    if unfavourable_cut is not None:
        cut = x(min(max(unfavourable_cut, low), high))
        body.append(
            f"<rect class='unfavourable' x='{left}' y='{top}' width='{_f(cut - left)}' "
            f"height='{plot_h}' fill='{SHADE}'><title>{escape('ШНСУ: нижняя четверть индекса')}"
            f"</title></rect><line class='cut' x1='{_f(cut)}' y1='{top}' x2='{_f(cut)}' "
            f"y2='{top + plot_h}' stroke='#a94442' stroke-dasharray='4,3'/>"
            f"<text x='{left + 4}' y='{top + 12}' fill='#a94442'>ШНСУ</text>"
        )
    for value in range(0, 101, 25):
        body.append(
            f"<line class='grid' x1='{left}' y1='{_f(y(value))}' x2='{WIDTH - right}' "
            f"y2='{_f(y(value))}' stroke='#dddddd'/><text x='{left - 6}' y='{_f(y(value) + 4)}' "
            f"text-anchor='end' fill='#555555'>{value}</text>"
        )
    tick = low
    while tick <= high + 1e-9:
        body.append(
            f"<text x='{_f(x(tick))}' y='{top + plot_h + 16}' text-anchor='middle' "
            f"fill='#555555'>{escape(labels.number(tick, 1))}</text>"
        )
        tick += 0.5 if high - low <= 4 else 1.0
    body.append(
        f"<text class='axis' x='{left + plot_w / 2:.1f}' y='{height - 8}' text-anchor='middle'>"
        f"{escape('Индекс социального благополучия школы (ИСБШ), ст. откл.')}</text>"
        f"<text class='axis' transform='rotate(-90)' x='{-(top + plot_h / 2):.1f}' y='14' "
        f"text-anchor='middle'>{escape('Средний % выполнения')}</text>"
    )
    for p in sorted(points, key=lambda p: p.resilient):  # the named ones drawn last, on top
        px, py = x(p.index), y(p.result)
        tip = f"{p.name}: {_percent(p.result)}, индекс {labels.number(p.index, 2)}" + (
            "; резильентная школа" if p.resilient else ""
        )
        if p.resilient:
            body.append(
                f"<path class='point resilient' d='M{_f(px)},{_f(py - 6)} l6,6 l-6,6 l-6,-6 z' "
                f"fill='{RESILIENT}'><title>{escape(tip)}</title></path>"
                f"<text class='name' x='{_f(px + 8)}' y='{_f(py + 4)}'>"
                f"{escape(p.name)}</text>"
            )
        else:
            body.append(
                f"<circle class='point' cx='{_f(px)}' cy='{_f(py)}' r='4' fill='none' "
                f"stroke='{SCHOOL}' stroke-width='1.5'><title>{escape(tip)}</title></circle>"
            )
    body.append("</g>")
    return _svg(WIDTH, height, title, body, "scatter")


def profile_chart(title: str, profile: TaskProfile) -> Markup:
    """Completion (%) of each task, in printed order: the school's and the territory's."""
    height, left, right, top, bottom = 230, 44, 20, 34, 40
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    step = plot_w / max(len(profile.tasks), 1)

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(v: float) -> float:
        return top + plot_h * (1 - min(max(v, 0.0), 100.0) / 100)

    body: list[str] = [f"<g {FONT}>"]
    for value in range(0, 101, 25):
        body.append(
            f"<line class='grid' x1='{left}' y1='{_f(y(value))}' x2='{WIDTH - right}' "
            f"y2='{_f(y(value))}' stroke='#dddddd'/><text x='{left - 6}' y='{_f(y(value) + 4)}' "
            f"text-anchor='end' fill='#555555'>{value}</text>"
        )
    for i, (number, _, _) in enumerate(profile.tasks):
        body.append(
            f"<text x='{_f(x(i))}' y='{top + plot_h + 16}' text-anchor='middle'>"
            f"{escape(number)}</text>"
        )
    body.append(
        f"<text class='axis' x='{left + plot_w / 2:.1f}' y='{height - 6}' text-anchor='middle'>"
        "Задания</text>"
    )
    for series, index, colour, dash in (
        ("territory", 2, TERRITORY, " stroke-dasharray='5,3'"),
        ("school", 1, SCHOOL, ""),
    ):
        path = " ".join(f"{_f(x(i))},{_f(y(t[index]))}" for i, t in enumerate(profile.tasks))
        body.append(
            f"<polyline class='{series}' points='{path}' fill='none' stroke='{colour}' "
            f"stroke-width='2'{dash}/>"
        )
        who = profile.school if series == "school" else "территория"
        for i, task in enumerate(profile.tasks):
            tip = escape(f"Задание {task[0]}, {who}: {_percent(task[index])}")
            px, py = x(i), y(task[index])
            body.append(
                f"<circle class='point {series}' cx='{_f(px)}' cy='{_f(py)}' r='3.5' "
                f"fill='{colour}'><title>{tip}</title></circle><text class='value' "
                f"x='{_f(px)}' y='{_f(py - 7)}' text-anchor='middle'>"
                f"{escape(labels.number(task[index], 0))}</text>"
                if series == "school"
                else f"<rect class='point {series}' x='{_f(px - 3)}' y='{_f(py - 3)}' "
                f"width='6' height='6' fill='{colour}'><title>{tip}</title></rect>"
            )
    # The legend sits above the plot.
    body.append(
        f"<line x1='{left}' y1='12' x2='{left + 24}' y2='12' stroke='{SCHOOL}' stroke-width='2'/>"
        f"<text x='{left + 30}' y='16'>{escape(_short(profile.school, 40))}</text>"
        f"<line x1='{left + 300}' y1='12' x2='{left + 324}' y2='12' stroke='{TERRITORY}' "
        f"stroke-width='2' stroke-dasharray='5,3'/><text x='{left + 330}' y='16'>территория</text>"
    )
    body.append("</g>")
    return _svg(WIDTH, height, title, body, "profile")
