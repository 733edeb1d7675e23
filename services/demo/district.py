"""A deterministic demo district: names and numbers generated from a fixed seed."""

import random
from dataclasses import dataclass, field

SEED = 2026
DEMO_DOMAIN = "demo.soko.ru"
SURNAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
]
MALE = [
    "Александр",
    "Алексей",
    "Андрей",
    "Дмитрий",
    "Евгений",
    "Иван",
    "Игорь",
    "Михаил",
    "Никита",
    "Олег",
    "Павел",
    "Сергей",
]
FEMALE = [
    "Анна",
    "Елена",
    "Ирина",
    "Марина",
    "Наталья",
    "Ольга",
    "Светлана",
    "Татьяна",
    "Юлия",
    "Людмила",
    "Галина",
    "Мария",
]
PATRONYMIC_ROOTS = [
    "Александров",
    "Алексеев",
    "Андреев",
    "Викторов",
    "Владимиров",
    "Иванов",
    "Николаев",
    "Петров",
    "Сергеев",
]
SUBJECTS = (
    "Русский язык",
    "Литература",
    "Математика",
    "Физика",
    "Химия",
    "Биология",
    "История",
    "Обществознание",
    "География",
    "Информатика",
    "Английский язык",
    "Начальные классы",
    "Физическая культура",
    "Музыка",
    "Изобразительное искусство",
    "Технология",
)
VILLAGES = [
    "Берёзовка",
    "Сосновка",
    "Каменка",
    "Луговое",
    "Озёрное",
    "Заречье",
    "Покровка",
    "Никольское",
    "Ивановка",
]


def full_name(rng: random.Random) -> str:
    """A seeded person's name «Фамилия Имя Отчество», mostly a woman's; names may repeat
    (`unique_name` does not)."""
    female = rng.random() < 0.8  # most teachers in Russian schools are women
    surname = rng.choice(SURNAMES) + ("а" if female else "")
    first = rng.choice(FEMALE if female else MALE)
    patronymic = rng.choice(PATRONYMIC_ROOTS) + ("на" if female else "ич")
    return f"{surname} {first} {patronymic}"


def unique_name(rng: random.Random, taken: set[str]) -> str:
    """`full_name(rng)`, drawn again while it is one of the district's `taken` names (which it
    joins): no two demo people share a name (a mentor who seems to mentor herself). The
    redraws come from a generator of their own, so `rng` moves as with `full_name` and the
    rest of the district (sizes, subjects, other names) stays as it was."""
    name = full_name(rng)
    again = random.Random(f"{SEED}:name:{name}")
    while name in taken:
        name = full_name(again)
    taken.add(name)
    return name


@dataclass
class School:
    name: str
    kind: str
    rural: bool
    students: int
    social_index: float
    cluster: int  # index into CLUSTERS, -1 for none
    staff: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def context(self) -> dict:
        """The organization's context data (контекстные данные) as posted: the social index
        and, following it (a lower index: fewer parents with higher education, more
        single-parent families and families in a socially dangerous situation, more pupils
        with disabilities or whose native language is not Russian), the components of the
        social context index (reports analysis/context_components.json), with a little
        seeded noise of the school's own (the district's other numbers are not changed)."""
        rng = random.Random(f"{SEED}:context:{self.name}")
        s = self.social_index

        def share(value: float, noise: float) -> float:
            return round(min(100.0, max(0.0, value + rng.uniform(-noise, noise))), 1)

        return {
            "students": self.students,
            "rural": self.rural,
            "social_index": s,
            "parents_higher_education_share": share(0.8 * s - 5, 3),
            "single_parent_share": share(40 - 0.3 * s, 2),
            "families_at_risk_share": share(8 - 0.08 * s, 0.5),
            "disabled_students": round(self.students * share(9 - 0.07 * s, 0.5) / 100),
            "non_native_speakers": round(self.students * share(12 - 0.1 * s, 1) / 100),
        }


CLUSTERS = (
    "Кластер «Цифровая оценка» (центр)",
    "Кластер сельских школ «Северный»",
    "Кластер сельских школ «Южный»",
)


def schools(count: int = 25) -> list[School]:
    """25 schools (some rural, some weaker), two kindergartens and a centre of extra education."""
    rng = random.Random(SEED)
    result = []
    taken: set[str] = set()  # every staff member's full name, unique in the district
    for n in range(1, count + 1):
        rural = n > 10
        village = VILLAGES[(n - 11) % len(VILLAGES)] if rural else ""
        name = f"МБОУ «СОШ № {n}»" + (f" с. {village}" if rural else "")
        if n in (1, 2):
            name = f"МБОУ «{'Гимназия' if n == 1 else 'Лицей'} № {n}»"
        cluster = 0 if n <= 10 else (1 if n <= 18 else 2)
        school = School(
            name=name,
            kind="school",
            rural=rural,
            students=rng.randint(60, 220) if rural else rng.randint(450, 1200),
            social_index=round(rng.uniform(25, 60) if rural else rng.uniform(45, 85), 1),
            cluster=cluster,
        )
        school.staff.append((unique_name(rng, taken), "leader", []))
        school.staff.append((unique_name(rng, taken), "deputy", []))
        for _ in range(rng.randint(6, 10) if rural else rng.randint(12, 18)):
            school.staff.append(
                (unique_name(rng, taken), "teacher", rng.sample(SUBJECTS, rng.randint(1, 2)))
            )
        result.append(school)
    result.append(
        School("МБДОУ «Детский сад № 1 „Солнышко“»", "kindergarten", False, 180, 60.0, -1)
    )
    result.append(School("МБДОУ «Детский сад № 2 „Радуга“»", "kindergarten", False, 150, 55.0, -1))
    result.append(School("МБУ ДО «Центр детского творчества»", "additional", False, 900, 60.0, 0))
    return result
