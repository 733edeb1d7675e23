"""Text as people type it and documents carry it (shared/texts.py)."""

import pytest

from shared.texts import typed_text, without_invisible


@pytest.mark.parametrize(
    ("read", "kept"),
    [
        ("Дорожная\nкарта", "Дорожная карта"),  # a cell's line break between two words
        ("Дорожная\tкарта\r\n", "Дорожная карта  "),
        ("Гимназия\u200b №\u00a01", "Гимназия №\u00a01"),  # zero-width gone, NBSP kept
        ("\ufeffИтоги\x00", "Итоги"),
    ],
)
def test_a_documents_text_loses_what_does_not_show_but_never_glues_two_words(read, kept):
    assert without_invisible(read) == kept


def test_a_comment_of_several_lines_keeps_each_line_break_once():
    typed = "Исправьте КПК\r\nи\u200b стажировки\r\n\r\nпо ФГОС"
    assert without_invisible(typed, lines=True) == "Исправьте КПК\nи стажировки\n\nпо ФГОС"


def test_a_browsers_line_breaks_count_as_the_page_counted_them():
    assert typed_text("a\r\nb\r\n") == "a\nb\n" and typed_text("a\nb") == "a\nb"
