"""Import and export instruments as XLSForm workbooks (https://xlsform.org, ODK / KoboToolbox).

Sheets: `survey` (type, name, label, hint, required, relevant, constraint + our competence,
points, positive), `choices` (list_name, name, label + our correct, points), `settings`
(form_title, form_id, version, default_language + our kind, audience, description, source) and,
for diagnostics, `competences` (name, label, threshold, description). Sections are groups.
"""

from services.surveys.instruments.xlsform_common import XLSFormError
from services.surveys.instruments.xlsform_reader import from_xlsform
from services.surveys.instruments.xlsform_writer import to_xlsform

__all__ = ["XLSFormError", "from_xlsform", "to_xlsform"]
