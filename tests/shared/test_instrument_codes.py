"""The codes a stored instrument definition names: every section's questions, the competences."""

from shared.instrument_codes import codes_in


def test_the_questions_of_every_section_and_the_competences():
    definition = {
        "code": "teachers_diag",
        "sections": [
            {"code": "s1", "questions": [{"code": "q1"}, {"code": "q2"}]},
            {"code": "s2", "questions": [{"code": "q3"}]},
        ],
        "competences": [{"code": "c1"}, {"code": "c2"}],
    }
    named = codes_in(definition)
    assert named.questions == {"q1", "q2", "q3"}
    assert named.competences == {"c1", "c2"}


def test_a_definition_not_copied_yet_or_without_lists_names_nothing():
    assert codes_in(None) == (set(), set())
    assert codes_in({"sections": [{"code": "s1"}], "competences": None}) == (set(), set())


def test_an_entry_without_a_code_is_passed_over():
    named = codes_in({"sections": [{"questions": [{"text": "?"}, {"code": "q1"}]}]})
    assert named.questions == {"q1"}
