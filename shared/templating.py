"""Server-rendered HTML: one Jinja2 set-up for every service's pages and documents (the api's
pages, the surveys form, the reports' documents): autoescaped, whitespace trimmed, an unknown
name an error rather than an empty string, Russian dates, Russian plural agreement, and
names in natural order."""

import math
import re
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from shared.numbers import file_size


def ru_date(value: Any, zone: tzinfo | None = None) -> str:
    """A date as Russian readers write it (31.12.2026); «—» for none. A moment (an aware
    datetime) is dated in `zone` when given (the deployment's SOKO_TIMEZONE: 22:30 UTC on
    31.12 is 01.01 in Moscow), as stored otherwise."""
    if isinstance(value, datetime) and zone is not None and value.tzinfo is not None:
        value = value.astimezone(zone)
    return value.strftime("%d.%m.%Y") if isinstance(value, date) else "—"


def moscow_relative(at: datetime) -> str:
    """The zone of an aware time as Russian timetables say it: «МСК», «МСК+2» (Yekaterinburg),
    «МСК−1» (Kaliningrad): its offset from Moscow's UTC+3, not «MSK» or «+05»."""
    offset = at.utcoffset() or timedelta(0)
    hours = (offset - timedelta(hours=3)) / timedelta(hours=1)
    return "МСК" if hours == 0 else f"МСК{hours:+g}".replace("-", "−")


def ru_moment(value: Any, zone: tzinfo) -> str:
    """A moment as «31.12.2026 14:05 МСК» in `zone` (the deployment's SOKO_TIMEZONE) with its
    offset from Moscow (`moscow_relative`): a school in Yekaterinburg reads «16:05 МСК+2»,
    not a bare time of an unknown zone; «—» for none, a date for a date."""
    if not isinstance(value, datetime):
        return ru_date(value)
    local = value.astimezone(zone)
    return f"{local:%d.%m.%Y %H:%M} {moscow_relative(local)}"


def ru_plural(count: Any, one: str, few: str, many: str) -> str:
    """The noun form that agrees with `count` in Russian: `one` after 1, 21, 101…
    («1 ответ»), `few` after 2–4, 22–24… and after a fraction («3 ответа», «2,5 балла»),
    `many` otherwise (0, 5–20, 25…: «42 ответа», «11 ответов»). After «из» pass the genitive
    forms: ru_plural(n, "мероприятия", "мероприятий", "мероприятий")."""
    number = float(count)
    if not number.is_integer():
        return few
    n = abs(int(number)) % 100
    if 11 <= n <= 14:
        return many
    return one if n % 10 == 1 else few if 2 <= n % 10 <= 4 else many


def ru_quotes(text: str) -> str:
    """Quotes within quotes as Russian typography sets them: «ёлочки» outside, „лапки“ inside,
    by depth, whichever of the two a part was written with. A name carrying its own quotes put
    in a text's: «МБОУ «СОШ № 15» с. Озёрное» → «МБОУ „СОШ № 15“ с. Озёрное», and one that
    already nests them, «МБДОУ «Детский сад № 1 „Солнышко“»», one level deeper: «МБДОУ
    „Детский сад № 1 «Солнышко»“». A text whose quotes do not pair is left as it is."""
    opening, closing = text.count("«") + text.count("„"), text.count("»") + text.count("“")
    if opening != closing or "«" not in text:
        return text
    out, depth = [], 0
    for char in text:
        if char in "«„":
            depth += 1
            out.append("„" if depth % 2 == 0 else "«")
        elif char in "»“" and depth > 0:
            out.append("“" if depth % 2 == 0 else "»")
            depth -= 1
        else:
            out.append(char)
    return "".join(out)


def grouped(text: str) -> str:
    """A number's digits in threes, as Russian readers write it: "11197" → "11 197",
    "-2161,5" → "-2 161,5" (a no-break space, so that a number never breaks over lines)."""
    sign = text[:1] if text[:1] in "-+\u2212" else ""
    whole, comma, fraction = text[len(sign) :].partition(",")
    if len(whole) <= 3 or not whole.isdigit():
        return text
    head = len(whole) % 3 or 3
    parts = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
    return sign + "\u00a0".join(parts) + comma + fraction


def count_text(n: int | float | None) -> str:
    """A count on a page: 11197 → "11 197" (the `ru_number` filter of the templates)."""
    return "" if n is None else grouped(str(n))


def share_text(percent: float | None) -> Markup:
    """A share (percent) on a page, whole: 50.4 → "50&nbsp;%" (HTML: a no-break space); a
    share that rounds to 0 or 100 but is neither says so: 0.18 → "менее 1 %", 99.7 → "более
    99 %", so that one answer of 571 never reads as none (the `ru_percent` filter); None → "—"."""
    if percent is None:
        return Markup("—")
    if 0 < percent < 1:
        return Markup("менее&nbsp;1&nbsp;%")
    if 99 < percent < 100:
        return Markup("более&nbsp;99&nbsp;%")
    return Markup("{}&nbsp;%").format(math.floor(percent + 0.5))  # half up, as Jinja's round


# What a name's order ignores: quote marks of any kind, «№», dots, dashes and other
# punctuation — «"дорожная карта" 2.3» and ««дорожная карта» 1.1» sort by their words and numbers.
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key putting numbers in numeric order: «Школа № 3» before «Школа № 10»; quote
    marks and punctuation ignored (straight quotes sort with «ёлочки»), names differing only
    in them then in their own order."""
    words = " ".join(_PUNCTUATION.sub(" ", text).split())
    parts = tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", words)
        if part
    )
    return (*parts, (-1, text.casefold()))  # ends before any longer name's next part


def environment(directory: Path) -> jinja2.Environment:
    """The Jinja2 environment of the templates in `directory`, with the `ru_date`, `ru_number`,
    `ru_percent`, `quoted` and `file_size` («5,0 МБ») filters and
    `ru_plural` (`{{ n }} {{ ru_plural(n, "ответ", "ответа", "ответов") }}`: «42 ответа»)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["ru_date"] = ru_date
    env.filters["ru_number"] = count_text
    env.filters["ru_percent"] = share_text
    env.filters["quoted"] = quoted
    env.filters["file_size"] = file_size
    env.globals["ru_plural"] = ru_plural
    return env


def quoted(name: object) -> str:
    """A name in «ёлочки», its own quotes made „лапки“ (`ru_quotes`): `{{ org|quoted }}` gives
    «МБОУ „СОШ № 4“», never «МБОУ «СОШ № 4»»."""
    return ru_quotes(f"«{name}»")


def page_templates(directory: Path) -> Jinja2Templates:
    """FastAPI's template responses over `environment(directory)`."""
    return Jinja2Templates(env=environment(directory))
