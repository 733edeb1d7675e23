"""The Russian deadline parser, against every deadline cell of the seed roadmaps and by rule."""

import dataclasses
from datetime import date

import pytest

from services.api.roadmaps.deadlines import Deadline, parse_deadline
from services.demo.loader import SEEDS
from shared.periods import parse_period

d = date
AY19, AY21, Y21 = "2019/2020", "2021/2022", "2021"
W, R, S, U = "window", "recurring", "schedule", "unparsed"


def parse(text: str, period: str | None = None) -> Deadline:
    return parse_deadline(text, parse_period(period) if period else None)


def window(text: str, period: str | None = None) -> tuple[date | None, date | None]:
    deadline = parse(text, period)
    return deadline.due_start, deadline.due_end


def outcome(text: str, period: str | None = None) -> tuple:
    deadline = parse(text, period)
    return deadline.kind, deadline.due_start, deadline.due_end, deadline.recurrence


# Every distinct deadline cell of services/demo/seeds/*.txt (wrapped cells joined, whitespace
# normalised), with the period its roadmap's title gives:
# (text, period, kind, due_start, due_end, recurrence).
SEED_DEADLINES = [
    # 000: additional education cluster, 2019–2020; its title names no period.
    ("Сентябрь 2019", None, W, d(2019, 9, 1), d(2019, 9, 30), None),
    ("Октябрь 2019", None, W, d(2019, 10, 1), d(2019, 10, 31), None),
    ("Ноябрь – декабрь 2019 г.", None, W, d(2019, 11, 1), d(2019, 12, 31), None),
    ("Январь 2020 г.", None, W, d(2020, 1, 1), d(2020, 1, 31), None),
    ("Февраль – апрель 2020 г.", None, W, d(2020, 2, 1), d(2020, 4, 30), None),
    ("Май – июнь 2020 г.", None, W, d(2020, 5, 1), d(2020, 6, 30), None),
    # 001: digital technologies cluster, "в 2019 - 2020 уч. году".
    ("июнь - август, 2019", AY19, W, d(2019, 6, 1), d(2019, 8, 31), None),
    ("июнь-август, 2019", AY19, W, d(2019, 6, 1), d(2019, 8, 31), None),
    ("август, 2019", AY19, W, d(2019, 8, 1), d(2019, 8, 31), None),
    ("1-2 недели сентября, 2019", AY19, W, d(2019, 9, 1), d(2019, 9, 14), None),
    ("2-3 неделя сентября, 2019", AY19, W, d(2019, 9, 8), d(2019, 9, 21), None),
    ("4-я неделя сентября, 2019", AY19, W, d(2019, 9, 22), d(2019, 9, 28), None),
    ("октябрь, 2019", AY19, W, d(2019, 10, 1), d(2019, 10, 31), None),
    ("в течение года", AY19, R, d(2019, 9, 1), d(2020, 8, 31), "during_period"),
    ("февраль - апрель", AY19, W, d(2020, 2, 1), d(2020, 4, 30), None),
    ("март", AY19, W, d(2020, 3, 1), d(2020, 3, 31), None),
    ("март - май", AY19, W, d(2020, 3, 1), d(2020, 5, 31), None),
    ("апрель", AY19, W, d(2020, 4, 1), d(2020, 4, 30), None),
    ("май", AY19, W, d(2020, 5, 1), d(2020, 5, 31), None),
    # 003: experimental programme 2019–2021; its table names no period.
    ("Январь 2019 года-декабрь 2019 года", None, W, d(2019, 1, 1), d(2019, 12, 31), None),
    ("Январь 2020 года - декабрь 2020 года", None, W, d(2020, 1, 1), d(2020, 12, 31), None),
    ("Января 2021 года – декабрь 2021 года", None, W, d(2021, 1, 1), d(2021, 12, 31), None),
    # 004: Kaytag district roadmap, approved in 2021.
    ("2021", Y21, W, d(2021, 1, 1), d(2021, 12, 31), None),
    ("ежегодно", Y21, R, d(2021, 1, 1), d(2021, 12, 31), "yearly"),
    ("по потребности", Y21, U, None, None, None),
    ("в соответствии с графиком проведения", Y21, S, d(2021, 1, 1), d(2021, 12, 31), None),
    ("По плану УО По плану куратора", Y21, S, d(2021, 1, 1), d(2021, 12, 31), None),
    ("По плану МО УО", Y21, S, d(2021, 1, 1), d(2021, 12, 31), None),
    ("По графику проведения процедур", Y21, S, d(2021, 1, 1), d(2021, 12, 31), None),
    ("август 2021г.", Y21, W, d(2021, 8, 1), d(2021, 8, 31), None),
    ("По плану МОУО", Y21, S, d(2021, 1, 1), d(2021, 12, 31), None),
    # 002 (OCR): the district's roadmaps "на 2021-2022 учебный год"; 1.1 first.
    ("В соответствии с графиком проведения ВПР", AY21, S, d(2021, 9, 1), d(2022, 8, 31), None),
    ("Сентябрь-ноябрь 2021", AY21, W, d(2021, 9, 1), d(2021, 11, 30), None),
    ("Август-сентябрь 2021 ежегодно", AY21, R, d(2021, 8, 1), d(2021, 9, 30), "yearly"),
    ("В соответствии с планом- БИПКРО", AY21, S, d(2021, 9, 1), d(2022, 8, 31), None),
    ("Ноябрь 2021", AY21, W, d(2021, 11, 1), d(2021, 11, 30), None),
    ("Февраль 2022", AY21, W, d(2022, 2, 1), d(2022, 2, 28), None),
    ("В течение 2021-2022 гг.", AY21, W, d(2021, 1, 1), d(2022, 12, 31), None),
    ("Август 2021 Август 2022", AY21, W, d(2021, 8, 1), d(2022, 8, 31), None),
    # 002, 1.2: schools with low results.
    ("15 августа 2021 г.", AY21, W, d(2021, 8, 15), d(2021, 8, 15), None),
    ("2021 г.", AY21, W, d(2021, 1, 1), d(2021, 12, 31), None),
    ("Август - сентябрь 2021 г.", AY21, W, d(2021, 8, 1), d(2021, 9, 30), None),
    ("Сентябрь - октябрь 2021 г.", AY21, W, d(2021, 9, 1), d(2021, 10, 31), None),
    ("Ноябрь - декабрь 2021 г.", AY21, W, d(2021, 11, 1), d(2021, 12, 31), None),
    ("Август 2021 г.", AY21, W, d(2021, 8, 1), d(2021, 8, 31), None),
    ("Август 2021г декабрь 2022 г.", AY21, W, d(2021, 8, 1), d(2022, 12, 31), None),
    ("Сентябрь 2021 г.", AY21, W, d(2021, 9, 1), d(2021, 9, 30), None),
    ("Апрель, июнь 2021 г.", AY21, W, d(2021, 4, 1), d(2021, 6, 30), None),
    ("Октябрь 2021 г.", AY21, W, d(2021, 10, 1), d(2021, 10, 31), None),
    ("Октябрь - ноябрь 2021г.", AY21, W, d(2021, 10, 1), d(2021, 11, 30), None),
    ("Октябрь-ноябрь 2021 г", AY21, W, d(2021, 10, 1), d(2021, 11, 30), None),
    ("Декабрь 2021 г.", AY21, W, d(2021, 12, 1), d(2021, 12, 31), None),
    ("Январь 2022г.", AY21, W, d(2022, 1, 1), d(2022, 1, 31), None),
    ("Январь - декабрь 2022 г.", AY21, W, d(2022, 1, 1), d(2022, 12, 31), None),
    ("апрель 2022 г.", AY21, W, d(2022, 4, 1), d(2022, 4, 30), None),
    ("Апрель - май, сентябрь, декабрь 2022 г", AY21, W, d(2022, 4, 1), d(2022, 12, 31), None),
    ("Ноябрь-декабрь 2021 г.", AY21, W, d(2021, 11, 1), d(2021, 12, 31), None),
    ("Апрель, ноябрь 2022 г", AY21, W, d(2022, 4, 1), d(2022, 11, 30), None),
    ("Ноябрь 2021 г.", AY21, W, d(2021, 11, 1), d(2021, 11, 30), None),
    ("Июнь 2021 г декабрь 2022 г", AY21, W, d(2021, 6, 1), d(2022, 12, 31), None),
    # 002, 1.3: talents.
    ("ноябрь 2021 г.", AY21, W, d(2021, 11, 1), d(2021, 11, 30), None),
    ("не реже 1 раза в полугодие", AY21, R, d(2021, 9, 1), d(2022, 8, 31), "semiannual"),
    (
        "ежемесячно (третья пятница месяца, по предварительн ой записи)",
        AY21,
        R,
        d(2021, 9, 1),
        d(2022, 8, 31),
        "monthly",
    ),
    (
        "в соответствии с графиками проведения мероприятий",
        AY21,
        S,
        d(2021, 9, 1),
        d(2022, 8, 31),
        None,
    ),
    (
        "в соответствии со сроками проведения мероприятий",
        AY21,
        S,
        d(2021, 9, 1),
        d(2022, 8, 31),
        None,
    ),
    ("в течение 2021 - 2022 учебного года", AY21, W, d(2021, 9, 1), d(2022, 8, 31), None),
    ("в течение года", AY21, R, d(2021, 9, 1), d(2022, 8, 31), "during_period"),
    ("август 2021 г. •", AY21, W, d(2021, 8, 1), d(2021, 8, 31), None),
    ("- месяца, следующего за отчетным)", AY21, U, None, None, None),
    ("- следующего за отчетным)", AY21, U, None, None, None),
    ("июль - август 2022 г.", AY21, W, d(2022, 7, 1), d(2022, 8, 31), None),
    ("август 2022 г.", AY21, W, d(2022, 8, 1), d(2022, 8, 31), None),
    ("октябрь- ноябрь 2021, далее ежегодно", AY21, R, d(2021, 10, 1), d(2021, 11, 30), "yearly"),
    ("III квартал 2022 г.", AY21, W, d(2022, 7, 1), d(2022, 9, 30), None),
    # 002, 1.4: career guidance.
    ("2021-2022 учебный год", AY21, W, d(2021, 9, 1), d(2022, 8, 31), None),
    ("Сентябрь - октябрь2021", AY21, W, d(2021, 9, 1), d(2021, 10, 31), None),
    ("ежегодно", AY21, R, d(2021, 9, 1), d(2022, 8, 31), "yearly"),
    ("Март-апрель 2021", AY21, W, d(2021, 3, 1), d(2021, 4, 30), None),
    ("2020-2021", AY21, W, d(2020, 9, 1), d(2021, 8, 31), None),
    # 002, 2.1: objectivity of assessment.
    ("Ежегодно, май-июнь", AY21, R, d(2022, 5, 1), d(2022, 6, 30), "yearly"),
    ("Ежегодно, январь, сентябрь", AY21, R, d(2021, 9, 1), d(2022, 1, 31), "yearly"),
    ("Октябрь-ноябрь 2021", AY21, W, d(2021, 10, 1), d(2021, 11, 30), None),
    ("Май-июнь 2022", AY21, W, d(2022, 5, 1), d(2022, 6, 30), None),
    ("Октябрь-ноябрь ежегодно", AY21, R, d(2021, 10, 1), d(2021, 11, 30), "yearly"),
    ("в соответствии с графиком", AY21, S, d(2021, 9, 1), d(2022, 8, 31), None),
    ("по графику курсов", AY21, S, d(2021, 9, 1), d(2022, 8, 31), None),
    (
        "В соответствии с планом-графиком курсовой подготовки",
        AY21,
        S,
        d(2021, 9, 1),
        d(2022, 8, 31),
        None,
    ),
    (
        "В течение года в соответствии с перечнем процедур, "
        "предусматривающих выборочную перепроверку",
        AY21,
        R,
        d(2021, 9, 1),
        d(2022, 8, 31),
        "during_period",
    ),
    (
        "В соответствии с планом-графиком проведения ВПР",
        AY21,
        S,
        d(2021, 9, 1),
        d(2022, 8, 31),
        None,
    ),
    ("В течение 2021 2022 гг.", AY21, W, d(2021, 1, 1), d(2022, 12, 31), None),
    # 002, 2.2: monitoring school leaders.
    ("Октябрь 2021 - июль 2022", AY21, W, d(2021, 10, 1), d(2022, 7, 31), None),
    ("Июль - август 2022", AY21, W, d(2022, 7, 1), d(2022, 8, 31), None),
    ("Август 2022", AY21, W, d(2022, 8, 1), d(2022, 8, 31), None),
    ("В течение 2021-2022", AY21, W, d(2021, 9, 1), d(2022, 8, 31), None),
    ("Февраль-март 2022", AY21, W, d(2022, 2, 1), d(2022, 3, 31), None),
    # 002, 2.3: teachers' professional development.
    ("Ежегодно (сентябрь- октябрь)", AY21, R, d(2021, 9, 1), d(2021, 10, 31), "yearly"),
    ("Ежегодно (постоянно)", AY21, R, d(2021, 9, 1), d(2022, 8, 31), "during_period"),
    ("Ежегодно", AY21, R, d(2021, 9, 1), d(2022, 8, 31), "yearly"),
    ("Ежегодно (по отдельному графику)", AY21, S, d(2021, 9, 1), d(2022, 8, 31), "yearly"),
    # 002, 2.4: methodological work.
    (
        "В соответствии с планом-графиком курсовой подготовки на 2022 год",
        AY21,
        S,
        d(2022, 1, 1),
        d(2022, 12, 31),
        None,
    ),
    ("Сентябрь - декабрь ежегодно", AY21, R, d(2021, 9, 1), d(2021, 12, 31), "yearly"),
    ("Сентябрь - декабрь 2021", AY21, W, d(2021, 9, 1), d(2021, 12, 31), None),
    ("Август - сентябрь 2021", AY21, W, d(2021, 8, 1), d(2021, 9, 30), None),
    ("До 01.11.2021", AY21, W, d(2021, 9, 1), d(2021, 11, 1), None),
    ("Ноябрь - декабрь 2021", AY21, W, d(2021, 11, 1), d(2021, 12, 31), None),
    # 002, 2.5: upbringing.
    ("Сентябрь-декабрь 2021", AY21, W, d(2021, 9, 1), d(2021, 12, 31), None),
    ("' '", AY21, U, None, None, None),
    ("Октябрь 2021 - декабрь 2022", AY21, W, d(2021, 10, 1), d(2022, 12, 31), None),
    ("-", AY21, U, None, None, None),
    # 002, preschool roadmap "на 2021-2022 годы": two calendar years, so no single period.
    ("2022", None, W, d(2022, 1, 1), d(2022, 12, 31), None),
    ("2021", None, W, d(2021, 1, 1), d(2021, 12, 31), None),
    ("Ежегодно", None, R, None, None, "yearly"),
    ("сентябрь 2021", None, W, d(2021, 9, 1), d(2021, 9, 30), None),
]


@pytest.mark.parametrize(
    ("text", "period", "kind", "start", "end", "recurrence"),
    SEED_DEADLINES,
    ids=[f"{row[0]}@{row[1]}" for row in SEED_DEADLINES],
)
def test_seed_deadline(text, period, kind, start, end, recurrence):
    assert outcome(text, period) == (kind, start, end, recurrence)
    assert (parse(text, period).reason is not None) == (kind == U)


def test_seed_table_rows_are_distinct():
    keys = [(" ".join(text.split()), period) for text, period, *_ in SEED_DEADLINES]
    assert len(keys) == len(set(keys))


def test_seed_texts_come_from_the_seed_documents():
    # Wrapped cells are interleaved with other columns in the files, so words are checked.
    corpus = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    words = set(corpus.split())
    missing = {w for text, *_ in SEED_DEADLINES for w in text.split() if w not in words}
    assert not missing


@pytest.mark.parametrize("period", [None, AY21, Y21])
def test_any_seed_cell_gives_a_consistent_deadline(period):
    # Not only deadline columns: the parser must survive any text a table import feeds it.
    cells = {
        cell.strip()
        for path in sorted(SEEDS.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        for cell in line.split("\t")
    }
    for cell in cells:
        deadline = parse(cell, period)
        assert (deadline.kind == U) == (deadline.reason is not None), cell
        if deadline.due_start and deadline.due_end:
            assert deadline.due_start <= deadline.due_end, cell


def test_keeps_the_original_text_verbatim():
    text = "  Ноябрь – декабрь\n2019 г. "
    assert parse(text).text == text


def test_deadline_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse("май 2020").kind = "unparsed"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "Ноябрь – декабрь 2019 г.",
        "ноябрь—декабрь 2019 гг.",
        "ноябрь-декабрь 2019 года",
        "НОЯБРЬ - ДЕКАБРЬ 2019",
        "ноября – декабря 2019",
        "с ноября по декабрь 2019 г.",
        "ноябрь 2019 – декабрь 2019",
    ],
)
def test_month_range_tolerates_dashes_case_and_year_words(text):
    assert outcome(text) == (W, d(2019, 11, 1), d(2019, 12, 31), None)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("октябрь 2019", d(2019, 10, 1), d(2019, 10, 31)),
        ("в сентябре 2021 года", d(2021, 9, 1), d(2021, 9, 30)),
        ("февраль 2024", d(2024, 2, 1), d(2024, 2, 29)),
    ],
)
def test_single_month_is_the_whole_month(text, start, end):
    assert window(text) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1-2 недели сентября, 2019", d(2019, 9, 1), d(2019, 9, 14)),
        ("4-я неделя сентября 2019", d(2019, 9, 22), d(2019, 9, 28)),
        ("первая неделя октября 2019", d(2019, 10, 1), d(2019, 10, 7)),
        ("вторая-третья неделя октября 2019", d(2019, 10, 8), d(2019, 10, 21)),
        ("5 неделя октября 2019", d(2019, 10, 29), d(2019, 10, 31)),
        ("последняя неделя февраля 2020", d(2020, 2, 23), d(2020, 2, 29)),
    ],
)
def test_weeks_of_a_month_are_seven_day_blocks(text, start, end):
    assert window(text) == (start, end)


@pytest.mark.parametrize(
    ("text", "period", "start", "end"),
    [
        ("III квартал 2022", None, d(2022, 7, 1), d(2022, 9, 30)),
        ("1 квартал 2022 г.", None, d(2022, 1, 1), d(2022, 3, 31)),
        ("ІІІ квартал 2022", None, d(2022, 7, 1), d(2022, 9, 30)),
        ("II-III квартал", AY21, d(2022, 4, 1), d(2022, 9, 30)),
        ("IV квартал", AY21, d(2021, 10, 1), d(2021, 12, 31)),
        ("2 квартал", Y21, d(2021, 4, 1), d(2021, 6, 30)),
    ],
)
def test_quarters_are_calendar_quarters(text, period, start, end):
    assert window(text, period) == (start, end)


@pytest.mark.parametrize(
    ("text", "period", "start", "end"),
    [
        ("1 полугодие 2022", AY21, d(2022, 9, 1), d(2022, 12, 31)),
        ("1 полугодие", AY21, d(2021, 9, 1), d(2021, 12, 31)),
        ("2 полугодие", AY21, d(2022, 1, 1), d(2022, 8, 31)),
        ("1 полугодие 2022", None, d(2022, 1, 1), d(2022, 6, 30)),
        ("II полугодие", Y21, d(2021, 7, 1), d(2021, 12, 31)),
    ],
)
def test_half_years_follow_the_school_year_in_an_academic_period(text, period, start, end):
    assert window(text, period) == (start, end)


@pytest.mark.parametrize(
    ("text", "period", "start", "end"),
    [
        ("до 01.11.2021", AY21, d(2021, 9, 1), d(2021, 11, 1)),
        ("до 01.11.2021", None, None, d(2021, 11, 1)),
        ("до 1 ноября 2021 г.", None, None, d(2021, 11, 1)),
        ("до 15 сентября", AY21, d(2021, 9, 1), d(2021, 9, 15)),
        ("не позднее 15.09.2021", None, None, d(2021, 9, 15)),
        ("до конца 2021 года", None, None, d(2021, 12, 31)),
        ("до конца сентября", AY21, d(2021, 9, 1), d(2021, 9, 30)),
        ("до 15.08.2021", AY21, None, d(2021, 8, 15)),
    ],
)
def test_until_a_day_ends_there_and_starts_with_the_period(text, period, start, end):
    assert window(text, period) == (start, end)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15.09.2021", d(2021, 9, 15)),
        ("15 сентября 2021 г.", d(2021, 9, 15)),
        ("1.9.21", d(2021, 9, 1)),
    ],
)
def test_plain_date_is_a_one_day_window(text, day):
    assert outcome(text) == (W, day, day, None)


@pytest.mark.parametrize(
    "text",
    [
        "2021-2022 учебный год",
        "в течение 2021/2022 уч. года",
        "2021/22 учебный год",
        "2021 - 2022",
        "на 2021–2022 учебный год",
    ],
)
def test_academic_year_is_september_to_august(text):
    assert outcome(text) == (W, d(2021, 9, 1), d(2022, 8, 31), None)


def test_plural_years_are_calendar_years():
    assert window("2021 - 2022 гг.") == (d(2021, 1, 1), d(2022, 12, 31))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Август 2021 г. – декабрь 2022 г.", d(2021, 8, 1), d(2022, 12, 31)),
        ("сентябрь 2019 – май 2020", d(2019, 9, 1), d(2020, 5, 31)),
        ("сентябрь 2019 – май", d(2019, 9, 1), d(2020, 5, 31)),
        ("ноябрь – февраль 2020", d(2019, 11, 1), d(2020, 2, 29)),
        ("Сентябрь 2019, май 2020", d(2019, 9, 1), d(2020, 5, 31)),
        ("Апрель - май, сентябрь, декабрь 2022 г", d(2022, 4, 1), d(2022, 12, 31)),
    ],
)
def test_spans_and_several_pieces_give_one_covering_window(text, start, end):
    assert window(text) == (start, end)


@pytest.mark.parametrize(
    ("text", "period", "start", "end"),
    [
        ("сентябрь", AY21, d(2021, 9, 1), d(2021, 9, 30)),
        ("январь", AY21, d(2022, 1, 1), d(2022, 1, 31)),
        ("август", AY21, d(2022, 8, 1), d(2022, 8, 31)),
        ("сентябрь - май", AY21, d(2021, 9, 1), d(2022, 5, 31)),
        ("сентябрь", Y21, d(2021, 9, 1), d(2021, 9, 30)),
        ("январь", Y21, d(2021, 1, 1), d(2021, 1, 31)),
        ("май", "2022Q2", d(2022, 5, 1), d(2022, 5, 31)),
    ],
)
def test_a_missing_year_comes_from_the_period(text, period, start, end):
    assert window(text, period) == (start, end)


@pytest.mark.parametrize(
    "text", ["сентябрь", "март - май", "2-3 неделя сентября", "до 15 сентября"]
)
def test_a_missing_year_without_a_period_is_unparsed(text):
    assert outcome(text) == (U, None, None, None)
    assert parse(text).reason == "no year"


@pytest.mark.parametrize(
    ("text", "period", "recurrence", "start", "end"),
    [
        ("ежегодно", AY21, "yearly", d(2021, 9, 1), d(2022, 8, 31)),
        ("ежегодно", None, "yearly", None, None),
        ("ежеквартально", Y21, "quarterly", d(2021, 1, 1), d(2021, 12, 31)),
        ("еженедельно", Y21, "weekly", d(2021, 1, 1), d(2021, 12, 31)),
        ("ежемесячно (третья пятница месяца)", Y21, "monthly", d(2021, 1, 1), d(2021, 12, 31)),
        ("не реже 1 раза в полугодие", Y21, "semiannual", d(2021, 1, 1), d(2021, 12, 31)),
        ("2 раза в год", Y21, "semiannual", d(2021, 1, 1), d(2021, 12, 31)),
        ("не реже одного раза в месяц", Y21, "monthly", d(2021, 1, 1), d(2021, 12, 31)),
        ("в течение года", Y21, "during_period", d(2021, 1, 1), d(2021, 12, 31)),
        ("в течение учебного года", AY21, "during_period", d(2021, 9, 1), d(2022, 8, 31)),
        ("постоянно", AY21, "during_period", d(2021, 9, 1), d(2022, 8, 31)),
        ("в течение всего периода", AY21, "during_period", d(2021, 9, 1), d(2022, 8, 31)),
    ],
)
def test_recurring_deadlines_take_the_period_as_window(text, period, recurrence, start, end):
    assert outcome(text, period) == (R, start, end, recurrence)


@pytest.mark.parametrize(
    ("text", "period"), [("Октябрь-ноябрь ежегодно", None), ("май - сентябрь ежегодно", AY21)]
)
def test_recurring_dates_that_cannot_be_placed_leave_no_window(text, period):
    assert outcome(text, period) == (R, None, None, "yearly")


def test_recurrence_detail_names_the_day_of_the_month():
    deadline = parse("ежемесячно (третья пятница месяца, по предварительн ой записи)")
    assert (deadline.recurrence, deadline.recurrence_detail) == ("monthly", "третья пятница месяца")


@pytest.mark.parametrize(
    "text",
    [
        "по графику",
        "в соответствии с графиком проведения ВПР",
        "по плану УО",
        "по отдельному плану",
        "согласно графику",
        "в соответствии со сроками проведения мероприятий",
    ],
)
def test_schedule_bound_deadlines_take_the_period_as_window(text):
    assert outcome(text, AY21) == (S, d(2021, 9, 1), d(2022, 8, 31), None)
    assert outcome(text) == (S, None, None, None)


def test_schedule_with_an_explicit_year_takes_that_year():
    assert outcome("по плану-графику на 2022 год", AY21) == (
        S,
        d(2022, 1, 1),
        d(2022, 12, 31),
        None,
    )


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("Ceнтябрь 2021", 9),  # Latin "C" and "e"
        ("oктябрь 2021", 10),  # Latin "o"
        ("ОKТЯБРЬ 2021", 10),  # Latin "K"
        ("сен тябрь 2021", 9),
        ("сен.тябрь 2021", 9),
        ("Сентябрь2021г.", 9),
        ("август 2021 г. •", 8),
    ],
)
def test_ocr_noise_inside_words_is_normalised(text, month):
    assert outcome(text)[:2] == (W, d(2021, month, 1))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty text"),
        ("   ", "empty text"),
        ("' '", "no date found"),
        ("в течение", "no date found"),
        ("Января 2021 года – декабрь 20221 года", "invalid year 20221"),
        ("по потребности", "on demand: no fixed deadline"),
        ("по мере необходимости", "on demand: no fixed deadline"),
        ("3 раза в год", "unsupported frequency"),
        ("ежедневно", "unsupported frequency"),
        ("Сентябрь-ноябрь 2021 0", "unrecognised text '0'"),
        ("- ¢ . месяца, следующего за отчетным)", "unrecognised text 'месяца'"),
        ("Сентябрь 2021 (входная диагностика)", "unrecognised text 'входная'"),
        ("сентябрь 1021", "implausible year 1021"),
        ("31.11.2021", "invalid date"),
        ("5 неделя февраля 2021", "invalid date"),
        ("6 неделя марта 2021", "invalid week number"),
        ("V квартал 2021", "unrecognised text 'v'"),
        ("2019-2021", "year range 2019-2021 is not one academic year"),
        ("до ноября 2021", "'до' with a month or year is ambiguous"),
        ("сентябрь -", "a range without its end"),
        ("до 01.11.2021, декабрь 2021", "'до' mixed with other dates"),
    ],
)
def test_unreadable_deadlines_are_unparsed_with_a_reason(text, reason):
    assert outcome(text) == (U, None, None, None)
    assert parse(text).reason == reason


@pytest.mark.parametrize(
    ("text", "period", "reason"),
    [
        ("сентябрь, май, декабрь 2022", None, "ambiguous year"),
        ("май - сентябрь", AY21, "range ends before it starts"),
        ("ноябрь - февраль", Y21, "range ends before it starts"),
        ("I-II полугодие", AY21, "a range of school half-years crosses a year boundary"),
    ],
)
def test_never_guesses_a_year_that_the_text_leaves_open(text, period, reason):
    assert outcome(text, period) == (U, None, None, None)
    assert parse(text, period).reason == reason
