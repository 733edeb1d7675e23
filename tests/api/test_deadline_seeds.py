"""The Russian deadline parser against every deadline cell of the seed roadmaps, and against any
seed cell at all."""

import pytest

from services.demo.loader import SEEDS
from tests.api.deadline_parsing import AY19, AY21, Y21, R, S, U, W, d, outcome, parse

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
