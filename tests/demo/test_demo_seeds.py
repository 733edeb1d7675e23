"""The demo copies of the seed roadmaps (services/demo/seeds/) are cleaned of OCR damage: no
Latin letters inside Russian words or in their place, no letters of other alphabets, no
stray marks of the recognition or the export, no broken years."""

import re

import pytest

from services.demo.loader import SEEDS

COPIES = sorted(SEEDS.glob("*.txt"))
WORD = re.compile(r"[^\W\d_]+")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]")
ROMAN = re.compile(r"[IVX]+")  # section numbers: the only Latin the documents use
RUSSIAN = re.compile(r"[А-Яа-яЁёA-Za-z]+")
# What recognition and export left behind: markup, formulas, symbols no table cell holds
# (<p> is the export's paragraph inside a cell, which the roadmap import reads as a new line:
# left out before the checks).
PARAGRAPH = re.compile(r"</?p>")
STRAY = re.compile(r"</?[a-z]+>|\\[a-z]+|[{}¢º₂⊥\u0600-\u06ff]|(?<!_)_(?!_)")
BROKEN_YEARS = (
    re.compile(r"\b(?:19|20)\d{3,}\b"),  # a digit too many: "20201", "20221"
    re.compile(r"\b20\d\d\s+20\d\d\b"),  # a range without its dash: "2021 2022"
    re.compile(r"\b20\d\d-\s+20\d\d\b"),  # a range split after its dash: "2021- 2022"
    re.compile(r"\b20[0-3]\s\d\b|\b2\s0[0-3]\d\b"),  # a year split by a space: "202 1"
)


def _lines(path):
    """The numbered lines, the cells' paragraph marks (<p>) left out."""
    text = PARAGRAPH.sub(" ", path.read_text(encoding="utf-8"))
    return list(enumerate(text.splitlines(), start=1))


def test_there_are_the_five_copies():
    assert [p.name[:3] for p in COPIES] == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("path", COPIES, ids=lambda p: p.name[:3])
def test_no_latin_letter_stands_in_or_beside_a_russian_one(path):
    found = []
    for number, line in _lines(path):
        for word in WORD.findall(line):
            mixed = CYRILLIC.search(word) and LATIN.search(word)
            latin = not CYRILLIC.search(word) and not ROMAN.fullmatch(word)
            foreign = not RUSSIAN.fullmatch(word)  # і, Γ and other alphabets' letters
            if mixed or latin or foreign:
                found.append((number, word))
    assert found == []


@pytest.mark.parametrize("path", COPIES, ids=lambda p: p.name[:3])
def test_no_stray_marks_of_the_recognition(path):
    found = [(n, m.group()) for n, line in _lines(path) for m in STRAY.finditer(line)]
    assert found == []


@pytest.mark.parametrize("path", COPIES, ids=lambda p: p.name[:3])
def test_every_year_is_whole(path):
    found = [
        (n, m.group())
        for n, line in _lines(path)
        for year in BROKEN_YEARS
        for m in year.finditer(line)
    ]
    assert found == []


def test_the_checks_catch_the_damage_they_were_written_for():
    """The examples of the issue, and the kinds found in the copies before they were cleaned."""
    damaged = ("Pemerini.", "поді готовки", "сайтах OO", "OB3", "Γ.")
    for text in damaged:
        words = WORD.findall(text)
        assert any(
            (CYRILLIC.search(w) and LATIN.search(w))
            or (not CYRILLIC.search(w) and not ROMAN.fullmatch(w))
            or not RUSSIAN.fullmatch(w)
            for w in words
        ), text
    for text in ("<u> </u>", "\\mathbf{V}", "1 _ Отдел", "۷."):
        assert STRAY.search(text), text
    for text in ("В течение 20201 2022 гг.", "декабрь 20221 года", "2021- 2022", "202 1 г."):
        assert any(year.search(text) for year in BROKEN_YEARS), text
    kept = ("2021-2022", "2021 – 2022", "_____ Ш.Р.Магомедов", "III квартал 2022 г.")
    for text in kept:
        assert not any(year.search(text) for year in BROKEN_YEARS), text
        assert not STRAY.search(text), text
