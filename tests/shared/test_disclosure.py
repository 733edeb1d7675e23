"""What withhold() keeps back: small groups, and whatever differences of shown figures would
reveal them (a territory minus its shown schools, a territory minus a cluster and the rest)."""

import random
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest

from shared.disclosure import (
    SETTLE,
    AsLaunched,
    as_launched,
    published,
    reads_personal_results,
    withhold,
    withhold_sides,
)
from shared.identity import Principal, Role

MINIMUM = 5


def revealed(sizes, groups, withheld) -> list[tuple[frozenset, int]]:
    """Every set of withheld schools whose total a reader can compute as a shown group minus
    shown schools and minus other shown groups inside it (pairs of groups: what a territory,
    its clusters and its municipalities give), with its number of people, when it is between
    1 and the minimum − 1."""
    shown_leaves = {leaf for leaf in sizes if leaf not in withheld.leaves}
    shown_groups = {g: set(ms) for g, ms in groups.items() if g not in withheld.groups}
    found = []
    candidates = [(g, set()) for g in shown_groups]
    candidates += [
        (a, shown_groups[b])
        for a, b in combinations(sorted(shown_groups), 2)
        if shown_groups[b] < shown_groups[a]
    ]
    candidates += [
        (b, shown_groups[a])
        for a, b in combinations(sorted(shown_groups), 2)
        if shown_groups[a] < shown_groups[b]
    ]
    for group, minus in candidates:
        rest = frozenset(shown_groups[group] - minus - shown_leaves)
        total = sum(sizes[leaf] for leaf in rest)
        if 0 < total < MINIMUM:
            found.append((rest, total))
    return found


def test_a_group_below_the_minimum_is_withheld_and_one_at_it_is_not():
    sizes = {"s1": 1, "s2": 4, "s3": 5}
    withheld = withhold(sizes, {}, MINIMUM)
    assert withheld.leaves == {"s1", "s2"}
    assert withheld.groups == set()


@pytest.mark.parametrize("small", [1, MINIMUM - 1])
def test_a_territory_minus_its_shown_schools_never_gives_a_withheld_one(small):
    sizes = {"s1": small, "s2": 7, "s3": 6, "s4": 9}
    groups = {"m1": ["s1", "s2", "s3", "s4"]}
    withheld = withhold(sizes, groups, MINIMUM)
    # s3 is the smallest school shown beside s1: withheld with it, 6 + small teachers.
    assert withheld.leaves == {"s1", "s3"}
    assert withheld.groups == set()
    assert revealed(sizes, groups, withheld) == []


def test_two_withheld_schools_of_the_minimum_together_need_no_third():
    sizes = {"s1": 2, "s2": 3, "s3": 6}
    groups = {"m1": ["s1", "s2", "s3"]}
    withheld = withhold(sizes, groups, MINIMUM)
    assert withheld.leaves == {"s1", "s2"}  # 2 + 3 = 5: the difference covers five people
    assert revealed(sizes, groups, withheld) == []


def test_a_territory_smaller_than_the_minimum_is_withheld_with_its_schools():
    sizes = {"s1": 1, "s2": 2}
    withheld = withhold(sizes, {"m1": ["s1", "s2"], "c1": ["s1"]}, MINIMUM)
    assert withheld.leaves == {"s1", "s2"}
    assert withheld.groups == {"m1", "c1"}


def test_a_territory_minus_a_cluster_never_gives_a_withheld_school():
    # m1 − c1 would give s4 (3 people), and no shown school is, like s4, in m1 alone: the
    # municipality's figure goes. s1 (1 person) in c1 is withheld with s2, its smallest peer.
    sizes = {"s1": 1, "s2": 6, "s3": 8, "s4": 3}
    groups = {"m1": ["s1", "s2", "s3", "s4"], "c1": ["s1", "s2", "s3"]}
    withheld = withhold(sizes, groups, MINIMUM)
    assert revealed(sizes, groups, withheld) == []
    assert withheld.leaves == {"s1", "s2", "s4"}
    assert withheld.groups == {"m1"}


def test_a_region_minus_its_municipality_is_covered():
    # r1 = m1 + s9 (attached to the region itself, 2 people): r1 − m1 would give s9.
    sizes = {"s1": 6, "s2": 7, "s9": 2}
    groups = {"r1": ["s1", "s2", "s9"], "m1": ["s1", "s2"]}
    withheld = withhold(sizes, groups, MINIMUM)
    assert revealed(sizes, groups, withheld) == []
    # No shown school sits only in the region as s9 does: the region's figure goes.
    assert withheld.groups == {"r1"}


def test_nobody_at_all_is_not_a_group_to_protect():
    sizes = {"s1": 0, "s2": 6}
    withheld = withhold(sizes, {"m1": ["s1", "s2"]}, MINIMUM)
    assert withheld.leaves == {"s1"}  # nothing to show of s1; s2 stays: m1 − s2 is nobody


def test_many_schools_and_overlapping_clusters_leave_nothing_to_difference():
    sizes = {f"s{i}": n for i, n in enumerate([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 1, 0, 5])}
    groups = {
        "m1": [f"s{i}" for i in range(0, 7)],
        "m2": [f"s{i}" for i in range(7, 13)],
        "c1": ["s0", "s5", "s7"],
        "c2": ["s5", "s6", "s8", "s9"],
        "r": list(sizes),
    }
    withheld = withhold(sizes, groups, MINIMUM)
    assert revealed(sizes, groups, withheld) == []
    assert withhold(sizes, groups, MINIMUM) == withheld  # the same answer every time


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        (Role.admin, True),
        (Role.methodologist, True),
        (Role.organization_leader, True),
        (Role.territory_analyst, False),
        (Role.viewer, False),
        (Role.teacher, False),
        (Role.service, False),
    ],
)
def test_who_reads_personal_results(role, reads):
    assert reads_personal_results(Principal(kind="user", id="x", role=role)) is reads


@pytest.mark.parametrize("seed", range(20))
def test_random_districts_leave_nothing_to_difference(seed):
    rng = random.Random(seed)
    sizes = {f"s{i}": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 20]) for i in range(40)}
    groups = {f"m{j}": [f"s{i}" for i in range(j * 10, j * 10 + 10)] for j in range(4)}
    groups["r"] = list(sizes)[:-3]  # three schools under no municipality of the region
    groups |= {f"c{c}": rng.sample(list(sizes), rng.randint(2, 6)) for c in range(5)}
    withheld = withhold(sizes, groups, MINIMUM)
    assert revealed(sizes, groups, withheld) == []


def test_a_campaign_publishes_its_figures_a_settling_time_after_its_close():
    closes = datetime(2026, 5, 31, 12, tzinfo=UTC)
    assert not published(closes, closes - timedelta(days=1))
    assert not published(closes, closes)
    assert not published(closes, closes + SETTLE - timedelta(microseconds=1))
    assert published(closes, closes + SETTLE)


def test_a_withheld_item_says_whether_for_the_minimum_or_a_difference():
    sizes = {"s1": 1, "s2": 6, "s3": 9}
    withheld = withhold(sizes, {"m": ["s1", "s2", "s3"]}, MINIMUM)
    assert withheld.reason("s1", 1, MINIMUM) == "minimum"
    assert withheld.reason("s2", 6, MINIMUM) == "difference"
    assert withheld.reason("s3", 9, MINIMUM) is None


@pytest.mark.parametrize(
    ("with_deficit", "without", "shown"),
    [(5, 0, False), (0, 5, False), (4, 1, False), (1, 4, False), (2, 3, True), (3, 2, True)],
)
def test_a_yes_no_share_needs_two_on_each_side(with_deficit, without, shown):
    withheld = withhold_sides({"s1": (with_deficit, without)}, {})
    assert ("s1" in withheld) is not shown


def test_a_difference_of_shown_shares_never_gives_an_extreme_school():
    # m1: 7 with, 3 without, shown; s2 (2 of 5) shown beside it would give s1's 5 of 5.
    counts = {"s1": (5, 0), "s2": (2, 3)}
    withheld = withhold_sides(counts, {"m1": ["s1", "s2"]})
    assert withheld.leaves == {"s1", "s2"} and withheld.groups == set()
    # With a third school the part withheld is {s1, s2'} where s2' is the smallest partner.
    counts = {"s1": (5, 0), "s2": (2, 3), "s3": (3, 4)}
    withheld = withhold_sides(counts, {"m1": ["s1", "s2", "s3"]})
    assert withheld.leaves == {"s1", "s2"} and withheld.groups == set()
    # Nothing to pair with: the group goes too.
    withheld = withhold_sides({"s1": (5, 0)}, {"m1": ["s1"]})
    assert withheld.leaves == {"s1"} and withheld.groups == {"m1"}


def _territories(rng: random.Random, leaves: list[str]) -> dict[str, list[str]]:
    """Four municipalities of ten schools and a region over all but the last three."""
    groups = {f"m{j}": leaves[j * 10 : j * 10 + 10] for j in range(4)}
    groups["r"] = leaves[:-3]
    return groups


@pytest.mark.parametrize("seed", range(20))
def test_clusters_drawn_at_will_change_no_school_and_hold_no_withheld_one(seed):
    """An analyst may draw any cluster, after the figures are out too: whichever clusters
    exist, the same schools are withheld, and a cluster is shown only when every school of
    it with anyone in it is (its figure is then a sum of figures shown anyway) and it is not
    itself below the minimum."""
    rng = random.Random(seed)
    sizes = {f"s{i}": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 20]) for i in range(40)}
    territories = _territories(rng, list(sizes))
    alone = withhold(sizes, territories, MINIMUM)
    for _ in range(5):
        clusters = {f"c{c}": rng.sample(list(sizes), rng.randint(1, 8)) for c in range(6)}
        withheld = withhold(sizes, territories | clusters, MINIMUM, ad_hoc=clusters)
        assert withheld.leaves == alone.leaves
        assert withheld.groups - clusters.keys() == alone.groups
        for cluster, members in clusters.items():
            holds_withheld = any(sizes[s] and s in withheld.leaves for s in members)
            small = sum(sizes[s] for s in members) < MINIMUM
            assert (cluster in withheld.groups) is (holds_withheld or small), (cluster, members)


@pytest.mark.parametrize("seed", range(10))
def test_clusters_drawn_at_will_change_no_share_withheld_for_individual_results(seed):
    rng = random.Random(seed)
    counts = {f"s{i}": (rng.randint(0, 6), rng.randint(0, 6)) for i in range(40)}
    territories = _territories(rng, list(counts))
    alone = withhold_sides(counts, territories)
    clusters = {f"c{c}": rng.sample(list(counts), rng.randint(1, 8)) for c in range(8)}
    withheld = withhold_sides(counts, territories | clusters, ad_hoc=clusters)
    assert withheld.leaves == alone.leaves
    for cluster, members in clusters.items():
        holds_withheld = any(sum(counts[s]) and s in withheld.leaves for s in members)
        sides = [sum(counts[s][i] for s in members) for i in (0, 1)]
        one_sided = sum(sides) > 0 and min(sides) < 2
        assert (cluster in withheld.groups) is (holds_withheld or one_sided), (cluster, members)


def test_the_cluster_an_analyst_draws_after_reading_gives_the_small_school_nothing():
    # S1 (1 teacher) is withheld, and S2 (the smallest beside it) with it; S3 is shown. A
    # cluster of S1 and S3, drawn after reading S3, would give S1 as its figure minus S3's.
    sizes = {"s1": 1, "s2": 6, "s3": 9}
    district = {"m1": ["s1", "s2", "s3"]}
    before = withhold(sizes, district, MINIMUM)
    assert before.leaves == {"s1", "s2"}
    after = withhold(sizes, district | {"c9": ["s1", "s3"]}, MINIMUM, ad_hoc=["c9"])
    assert after.leaves == before.leaves and after.groups == {"c9"}
    assert after.reason("c9", 10, MINIMUM) == "difference"
    # A cluster of the shown school and one where nobody answered is shown.
    nobody = withhold(
        sizes | {"s4": 0}, {"m1": [*sizes, "s4"], "c8": ["s3", "s4"]}, MINIMUM, ad_hoc=["c8"]
    )
    assert "c8" not in nobody.groups and "s3" not in nobody.leaves


def test_groups_as_launched_take_part_as_they_were_and_those_drawn_since_are_ad_hoc():
    at_launch = {"m1": {"s1", "s2", "s3"}, "c1": {"s1", "s2"}, "c2": {"s3"}, "c3": {"s2"}}
    now = {"m1": {"s1", "s2", "s3"}, "c1": {"s1", "s3"}, "c2": {"s3"}, "c4": {"s1", "s2"}}
    groups, ad_hoc = as_launched(at_launch, now)
    assert groups == {
        "m1": {"s1", "s2", "s3"},  # the same: itself
        "c2": {"s3"},
        AsLaunched("c1"): {"s1", "s2"},  # redrawn: as it was, and as it is (ad hoc)
        "c1": {"s1", "s3"},
        AsLaunched("c3"): {"s2"},  # gone since: as it was
        "c4": {"s1", "s2"},  # drawn since: ad hoc
    }
    assert ad_hoc == {"c1", "c4"}


@pytest.mark.parametrize("seed", range(20))
def test_whatever_is_drawn_after_the_launch_no_school_changes(seed):
    """The analyst redraws clusters and territories between readings: each reading decides
    over the groups as launched, and what a group drawn since shows is a sum of schools shown."""
    rng = random.Random(seed)
    sizes = {f"s{i}": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 20]) for i in range(40)}
    launched = _territories(rng, list(sizes))
    launched |= {f"c{c}": rng.sample(list(sizes), rng.randint(2, 6)) for c in range(5)}
    first = withhold(sizes, launched, MINIMUM)
    for _ in range(5):
        now = {g: list(ms) for g, ms in launched.items() if rng.random() < 0.7}
        now |= {f"c{c}": rng.sample(list(sizes), rng.randint(1, 8)) for c in range(3, 9)}
        groups, ad_hoc = as_launched(launched, now)
        withheld = withhold(sizes, groups, MINIMUM, ad_hoc=ad_hoc)
        assert withheld.leaves == first.leaves
        decided = {g.group if isinstance(g, AsLaunched) else g for g in withheld.groups - ad_hoc}
        assert decided == first.groups
        for group, members in now.items():
            if group in ad_hoc:
                shown_only = all(not sizes[s] or s not in withheld.leaves for s in members)
                big = sum(sizes[s] for s in members) >= MINIMUM
                assert (group not in withheld) is (shown_only and big), (group, members)
            else:
                assert (group in withheld) is (group in first.groups), group
