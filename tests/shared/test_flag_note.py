"""The mark of a value flagged data went into, from the reports' item fields: none for an
unflagged value or one not said (kept before flags); an organization's without a count; a
formula's group value (flagged, no count) without one; with skip, how many were left out."""

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

    assert flag_legend([None, None]) == ""
    assert "в скобках" not in flag_legend([own, None])
    assert "не учтены" not in flag_legend([own, group])
    assert "не учтены данные на проверке" in flag_legend([own, skipped])
