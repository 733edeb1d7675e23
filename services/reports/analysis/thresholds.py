"""The thresholds of the complex analysis: ours, not federal (the federal ones are not public).

Each is a setting read from the environment (`SOKO_ANALYSIS_<NAME>`, e.g.
`SOKO_ANALYSIS_JOURNAL_MISMATCH_SHARE=30`) or the `.env` file, with the documented default
below; README "Complex analysis" lists them. Percentages are 0–100.
"""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Thresholds(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOKO_ANALYSIS_", env_file=".env", extra="ignore")

    # Every analysis: a paper written by fewer participants in a school says nothing of it.
    min_participants: int = Field(default=10, ge=1)

    # Objectivity signs (analysis/objectivity.py).
    # boundary_spike: participants at a mark's minimum score ≥ ratio × the mean at the scores
    # one below and one above it, and at least `boundary_spike_min_count` of them. Four, not
    # three: in a school of a dozen pupils spread over twenty-odd scores, three at one score
    # with none beside happen by chance (the demo's ordinary schools showed it in 4 papers of
    # 15); four did not.
    boundary_spike_ratio: float = Field(default=2.0, gt=1)
    boundary_spike_min_count: int = Field(default=4, ge=1)
    # inverted_profile: completion (percent) of advanced or high tasks ≥ basic ones' minus this
    # margin, or the correlation of the school's task profile with the territory's below
    # `inverted_profile_correlation`.
    inverted_profile_margin: float = Field(default=0.0, ge=0, le=100)
    inverted_profile_correlation: float = Field(default=0.0, ge=-1, le=1)
    # not_confirmed_by_gia: the cohort's ВПР quality (share of marks 4 and 5) in the top part
    # of the territory (percentile rank ≥ `gia_vpr_rank`) and its ОГЭ/ЕГЭ in the same subject
    # at or below `gia_exam_rank`.
    gia_vpr_rank: float = Field(default=75.0, ge=0, le=100)
    gia_exam_rank: float = Field(default=50.0, ge=0, le=100)
    # journal_mismatch: the share (percent) of participants whose mark was raised or lowered
    # against the journal. 40, not 25: in a typical ВПР a fifth to a quarter of the marks
    # differ from the journal (mostly lowered), so 25 flagged ordinary schools (in the demo
    # too, at 25–31 %), while marking that is not objective shows 40 % and more.
    journal_mismatch_share: float = Field(default=40.0, ge=0, le=100)
    # sudden_rise: the school's mean completion (percent) rose over the previous year by more
    # than the territory's rise plus this many percentage points.
    sudden_rise_points: float = Field(default=15.0, ge=0, le=100)
    # risk: `high` from this many signs, `low` from one.
    high_risk_signs: int = Field(default=2, ge=1)

    # Low-results schools, ШНОР (analysis/low_results.py): the share (percent) of mark 2 above
    # `low_results_mark_2_share`, or the mean completion in the territory's bottom
    # `low_results_bottom_share` percent of schools, in at least `low_results_papers`
    # procedures or subjects, for `low_results_years` consecutive years.
    low_results_mark_2_share: float = Field(default=30.0, ge=0, le=100)
    low_results_bottom_share: float = Field(default=10.0, gt=0, le=100)
    low_results_papers: int = Field(default=2, ge=1)
    low_results_years: int = Field(default=2, ge=1)

    # Social context (analysis/context.py): the bottom `context_quartile` percent of the index
    # are schools in unfavourable social conditions (ШНСУ), the top ones favourable.
    context_quartile: float = Field(default=25.0, gt=0, lt=50)
    # Resilient schools (analysis/resilient.py): results in the top `resilient_result_share`
    # percent of the territory while the index is in the bottom `context_quartile` percent.
    resilient_result_share: float = Field(default=25.0, gt=0, lt=100)

    # task_deficit (recommendations): a task whose completion (percent) in a school is below
    # this and below the territory's by `task_deficit_gap` points.
    task_deficit_completion: float = Field(default=50.0, ge=0, le=100)
    task_deficit_gap: float = Field(default=10.0, ge=0, le=100)
