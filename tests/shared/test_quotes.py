"""Names in quotes as Russian typography sets them (shared/templating.quoted, ru_quotes)."""

from pathlib import Path

from shared.templating import environment


def test_a_name_with_its_own_quotes_is_quoted_once_with_lapki_inside_and_escaped():
    page = environment(Path(".")).from_string("данные организации {{ name|quoted }}")
    assert page.render(name="МБОУ «СОШ № 4»") == "данные организации «МБОУ „СОШ № 4“»"
    assert page.render(name="Гимназия") == "данные организации «Гимназия»"
    assert page.render(name="<b>A & B</b>") == "данные организации «&lt;b&gt;A &amp; B&lt;/b&gt;»"
