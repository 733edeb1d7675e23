"""Indicator methods over the reports service's facts: one module per method family.

Each module has `FACTS` (the fact tables it reads) and `compute(ctx, definitions, known)`
(see base.py). Adding a method: its params model in `shared/indicator_methods.py` and one
module here, named in `MODULES`.
base.py is what they share; marks.py what a value says of the posted data values under it;
survey_campaigns.py and survey_tallies.py what the survey family (survey.py) reads.
"""

from types import ModuleType

from services.reports.indicator_values.methods import (
    assessment_metric,
    data_value,
    formula,
    organization_flagged_share,
    organization_share,
    survey,
)

MODULES: dict[str, ModuleType] = {
    "data_value": data_value,
    "organization_share": organization_share,
    "assessment_metric": assessment_metric,
    "organization_flagged_share": organization_flagged_share,
    "survey_positive_share": survey,
    "survey_mean": survey,
    "deficit_share": survey,
    "formula": formula,
}
