"""The facts of data quality, from the api feed: data collections, their reporting windows and
where each organization's approval stands; the validation rules, their current violations
and the current outlier flags (README, "Data quality"). Violations and flags are current
states: a value that fixes one deletes its row in the api, and the feed's deletion deletes
the fact."""

from sqlalchemy import ARRAY, Boolean, Date, DateTime, Float, Integer, Text, Uuid

from services.reports.facts.declare import col as _col
from services.reports.facts.declare import fact as _fact
from services.reports.facts.declare import key as _key

collection = _fact(
    "collection",
    _key("id"),
    _col("name"),
    _col("owner_territory_id", Uuid),
    _col("organization_kinds", ARRAY(Text)),
    _col("indicator_ids", ARRAY(Uuid)),
)
collection_window = _fact(
    "collection_window",
    _key("collection_id"),
    _key("period", Text),
    _col("opens_date", Date),
    _col("due_date", Date),
)
# Where one organization's data of a collection and period stand: submitted, returned, or
# approved by `level` territories of its approval chain (1: its municipality).
collection_approval = _fact(
    "collection_approval",
    _key("id"),
    _col("collection_id", Uuid),
    _col("organization_id", Uuid),
    _col("period"),
    _col("status"),
    _col("level", Integer),
    _col("updated_at", DateTime(timezone=True)),
    indexes=(("organization_id", "period"),),
)

# A rule as the feed gives it: `expression` is `left operator right` as written.
validation_rule = _fact(
    "validation_rule",
    _key("id"),
    _col("code"),
    _col("owner_territory_id", Uuid),
    _col("expression"),
    _col("message"),
    _col("importance"),
    _col("action"),
    _col("active", Boolean),
    _col("indicator_codes", ARRAY(Text)),
)
# A rule the values of one organization and period break now, with both sides' values.
validation_violation = _fact(
    "validation_violation",
    _key("rule_id"),
    _key("organization_id"),
    _key("period", Text),
    _col("left_value", Float),
    _col("right_value", Float),
    _col("detected_at", DateTime(timezone=True)),
    indexes=(("organization_id", "period"),),
)
# A stored value one check flags now (`kind`: min_max, territory_z, history_z): the bound
# crossed, or the median, the number of values and the modified z-score.
outlier_flag = _fact(
    "outlier_flag",
    _key("indicator_id"),
    _key("organization_id"),
    _key("period", Text),
    _key("kind", Text),
    _col("value", Float),
    _col("bound", Float),
    _col("median", Float),
    _col("n", Integer),
    _col("score", Float),
    _col("flagged_at", DateTime(timezone=True)),
    indexes=(("organization_id", "period"),),
)
