"""A validation rule in a reader's words: names for codes, «≤» for `<=`, a decimal comma."""

from shared.rule_words import expression_words, sides_words, split_rule

NAMES = {
    "teachers_with_category": "Педагогов с категорией",
    "teachers_total": "Педагогов всего",
}


def test_codes_become_names_and_operators_signs():
    rule = "teachers_with_category / teachers_total * 100 >= 0.5"
    assert expression_words(rule, NAMES) == (
        "«Педагогов с категорией» / «Педагогов всего» × 100 ≥ 0,5"
    )
    assert expression_words("(a - b) != 2", {"a": "А"}) == "(«А» − b) ≠ 2"  # b has no name


def test_a_broken_rule_names_each_side_with_its_value():
    left, operator, right = split_rule("teachers_with_category <= teachers_total")
    assert operator == "<="
    assert sides_words(left, right, 60.0, 45.0, NAMES) == (
        "«Педагогов с категорией» = 60; «Педагогов всего» = 45"
    )
    # An expression side is told in words; a side of numbers alone says itself.
    left, _, right = split_rule("teachers_with_category / teachers_total * 100 <= 100")
    assert sides_words(left, right, 133.333, 100.0, NAMES) == (
        "«Педагогов с категорией» / «Педагогов всего» × 100 = 133,33"
    )
    assert sides_words("teachers_total", "1", None, 1.0, NAMES) == "«Педагогов всего» = —"
