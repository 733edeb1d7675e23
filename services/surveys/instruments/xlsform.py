"""Import and export instruments as XLSForm workbooks (https://xlsform.org, ODK / KoboToolbox).

Sheets: `survey` (type, name, label, hint, required, required_message, relevant, constraint,
constraint_message, choice_filter, calculation, appearance, texts per language as
`label::Russian (ru)` + our competence, points, positive), `choices` (list_name, name, label +
columns a choice_filter reads + our correct, points), `settings` (form_title, form_id, version,
default_language + our kind, audience, description, source) and, for diagnostics,
`competences` (name, label, threshold, description). Sections are groups. Reading goes through
pyxform (`xlsform_reader`); form logic is evaluated by `xpath`.
"""

from services.surveys.instruments.xlsform_common import XLSFormError
from services.surveys.instruments.xlsform_reader import from_xlsform
from services.surveys.instruments.xlsform_writer import to_xlsform

__all__ = ["XLSFormError", "from_xlsform", "to_xlsform"]
