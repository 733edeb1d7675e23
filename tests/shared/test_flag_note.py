"""The mark of a value flagged data went into, from the reports' item fields: none for an
unflagged value or one not said (kept before flags); an organization's without a count; a
formula's group value (flagged, no count) without one; with skip, how many were left out, but
not of a formula's group value (its inputs' counts added up may count one school twice)."""

from shared.value_labels import flag_legend, flag_note

N = "\u00a0"


def test_the_mark_says_what_the_item_says_and_nothing_more():
    assert flag_note(False, 0, 0, "territory") is None
    assert flag_note(None, None, None, "organization") is None
    assert flag_note(None, None, 0, "territory") is None
    own = flag_note(True, 1, 0, "organization")
    assert own is not None and own.words == f"⚠{N}требует проверки"
    group = flag_note(True, 3, 0, "cluster")
    assert group is not None and group.words == f"⚠{N}требует проверки (3 орг.)"
    formula = flag_note(True, None, 0, "territory")  # a formula's group value: not counted
    assert formula is not None and formula.words == f"⚠{N}требует проверки"
    skipped = flag_note(None, None, 2, "territory")
    assert skipped is not None and skipped.words == f"⚠{N}не учтены данные на проверке (2 орг.)"
    both = flag_note(True, None, 2, "territory")
    assert both is not None and both.title.count("нарушают правило проверки") == 2
    counted_both = flag_note(True, 1, 2, "territory")
    assert counted_both is not None
    assert (
        counted_both.words
        == f"⚠{N}требует проверки (1 орг.); не учтены данные на проверке (2 орг.)"
    )
    assert counted_both.text.count("(1 орг.)") == 1  # the sheet's cell: each count once
    assert counted_both.text.count("(2 орг.)") == 1

    assert flag_legend([None, None]) == ""
    assert "в скобках" not in flag_legend([own, None])
    assert "не учтены" not in flag_legend([own, group])
    assert "не учтены данные на проверке" in flag_legend([own, skipped])


def test_a_formulas_group_value_does_not_count_organizations_left_out():
    # One school flagged in both values a formula reads, left out of both: its inputs say 1
    # each, and the sum (2) is no count of organizations.
    formula = flag_note(False, None, 2, "territory")
    assert formula is not None
    assert formula.words == f"⚠{N}не учтены данные на проверке"
    assert "орг." not in formula.title and "орг." not in formula.text
    legend = flag_legend([formula])
    assert "не учтены данные на проверке" in legend and "в скобках" not in legend
    # A data value's group value counts them, and the legend says what the brackets count.
    skipped = flag_note(None, None, 2, "territory")
    assert "(в скобках — скольких)" in flag_legend([formula, skipped])
