"""The disclosure minimum: whose figures are withheld, so that no figure shown, and no difference
of figures shown, describes fewer people than `SOKO_DISCLOSURE_MINIMUM`.

Teachers' diagnostic results are personal data: the teacher, that school's leader and the
territory's methodologists (and administrators) read them. Everyone else, and every document
or recommendation (which go to many readers), sees a group's figures only when the group has
at least the minimum of people; anonymous answers are withheld below the minimum for everyone.

Withholding the small groups is not enough when bigger ones are shown: a territory's figure
minus its schools' figures is the figure of the one school withheld. `withhold()` therefore
also withholds, where needed, further schools (or, if there is no such school, a group) until
whatever the figures shown let a reader compute by differences covers either nobody or at
least the minimum of people.

Withholding at one moment is not enough either while answers still come in: two readings of
a campaign's figures taken before and after one person submits differ by exactly that
person's answers. In an identified campaign who has answered is no secret (`/pending`,
response rates); in an anonymous one the reader (a school's leader, say) may know which parent
has just answered (asked to, seen at a paper form, or by the minute the count went up), and
parents' answers are anonymous: nothing identifying, no time finer than a day. So a
campaign's figures, identified or anonymous, are published only once it has closed (and
`SETTLE` has passed, for a submission accepted just before the close to commit): until then
every group of it is withheld (`CAMPAIGN_OPEN`) from every reader, except that the readers of
an identified diagnostic's personal results see it as it stands. What does not vary with the
answers stays live: how many answered, how many are expected, the response rates (leaders
need them to chase respondents). After the close the figures no longer change: a campaign
whose figures are out and that has answers cannot be re-opened (campaigns/service.py).

A figure of a per-person yes/no (the share of teachers with a deficit, its counts) tells
more than its group's size does: 100 % or 0 % of a school's teachers, or 4 of 5 read by the
fifth, gives every teacher's result to whoever knows their own. So, for those who may not read
personal results, such a figure needs at least SIDE_MINIMUM people on each side, with and
without, or nobody (`withhold_sides`: a threshold on complementary cells, with the same
differences rule), and is otherwise withheld for INDIVIDUAL_RESULTS, one reason whichever
side is short, and whether the figure is short itself or only given away by a difference.

Nor is the rule over the groups as they stand enough: their readers draw them. A territory's
analyst names clusters, makes territories inside theirs and moves schools between them, after
a campaign has closed too; a cluster (or a new territory) of a withheld school and a shown one,
minus that shown school read before, gives the withheld school. So a campaign's figures are
decided over its groups as they were drawn when it was launched (each campaign organization
keeps its territories and clusters of that day), and never again differently: a group drawn
or redrawn since (`as_launched`: an ad hoc group, `ad_hoc`) protects nothing and is shown only
when every school of it is, its figure then a sum of figures the reader has anyway; one
holding a withheld school is withheld (`DIFFERENCE`, or `BELOW_MINIMUM` when it is itself
small). Whatever is drawn later, every school's figure stays the same.

A withheld group shows its number of respondents and nothing else: nothing that varies with
the answers (no per-question counts, no list of the questions answered, no competences).
"""

from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from shared.identity import Principal, Role, ScopeType

# Roles that read teachers' personal diagnostic results (of the organizations in their scope):
# a leader sees only their school, a methodologist their territory, an administrator all.
# A service acting for nobody does not: personal data is read for a person, in the audit log.
PERSONAL_RESULT_READERS = frozenset({Role.admin, Role.methodologist, Role.organization_leader})

Leaf = TypeVar("Leaf", bound=Hashable)
Group = TypeVar("Group", bound=Hashable)

# Why a group's figures are withheld (the `reason` of an aggregate, null when shown).
BELOW_MINIMUM = "minimum"  # fewer respondents than the minimum
DIFFERENCE = "difference"  # withheld so that a difference of shown figures reveals no one
CAMPAIGN_OPEN = "campaign_open"  # the campaign still takes answers (or closed within SETTLE)
# A figure of a per-person yes/no (a share of teachers with a deficit, its counts) with fewer
# than SIDE_MINIMUM people on one side, or one a difference of shown such figures would give
# away: whoever knows their own result would learn the others' (100 %, 0 %, 4 of 5).
INDIVIDUAL_RESULTS = "individual_results"
SIDE_MINIMUM = 2

# How long after its close a campaign's figures are published: a submission accepted just
# before the close may commit just after it, and a reading in between would then differ from
# every later one by that one person.
SETTLE = timedelta(minutes=1)


def published_at(closes_at: datetime) -> datetime:
    """When a campaign closing at `closes_at` publishes its figures (to those who may not
    read personal results, for an identified diagnostic)."""
    return closes_at + SETTLE


def published_by(now: datetime | None = None) -> datetime:
    """The latest close of a campaign whose figures are published by `now` (default: now)."""
    return (now or datetime.now(UTC)) - SETTLE


def published(closes_at: datetime, now: datetime | None = None) -> bool:
    """Whether a campaign closing at `closes_at` has published its figures by `now`."""
    return closes_at <= published_by(now)


def reads_personal_results(principal: Principal) -> bool:
    """Whether the caller may read teachers' personal results in their scope (the role's
    right; the scope check that the results are inside it is the caller's)."""
    return principal.role in PERSONAL_RESULT_READERS


def cluster_readable(principal: Principal | None, cluster_id: object) -> bool:
    """Whether a cluster's pooled figure is given to the caller (None: a service acting for
    nobody): only when their scope holds the cluster (everything, a territory, that cluster).
    A school-scoped caller reads their own school alone, so their "cluster" would be that
    school's figures under the cluster's name: they get no cluster figure."""
    if principal is None or principal.unrestricted:
        return True
    if principal.scope_type == ScopeType.cluster:
        return str(principal.scope_id) == str(cluster_id)
    return principal.scope_type == ScopeType.territory


def inside_at_launch(
    principal: Principal,
    organization_id: object,
    territory_ids: Collection[object],
    cluster_ids: Collection[object],
) -> bool:
    """Whether a campaign organization, with its territories and clusters as drawn at the
    campaign's launch, was inside the caller's scope then. One moved out of it since still
    takes part in deciding what the caller sees withheld (its figures are never shown to
    them): their readings before and after the move would otherwise be decided over
    different groups, and differ by what the move let through."""
    if principal.unrestricted:
        return True
    if principal.scope_type == ScopeType.territory:
        return principal.scope_id in territory_ids
    if principal.scope_type == ScopeType.cluster:
        return principal.scope_id in cluster_ids
    return principal.scope_id == organization_id


@dataclass(frozen=True)
class Withheld(Generic[Leaf, Group]):
    """What is not shown: the leaves (organizations) and the groups (clusters, territories)."""

    leaves: frozenset[Leaf]
    groups: frozenset[Group]

    @classmethod
    def nothing(cls) -> "Withheld[Leaf, Group]":
        return cls(frozenset(), frozenset())

    def __contains__(self, item: Hashable) -> bool:
        return item in self.leaves or item in self.groups

    def reason(self, item: Hashable, size: int, minimum: int) -> str | None:
        """Why `item` (a leaf or a group of `size` people) is withheld: BELOW_MINIMUM or
        DIFFERENCE; None when it is shown."""
        if item not in self.leaves and item not in self.groups:
            return None
        return BELOW_MINIMUM if size < minimum else DIFFERENCE


def withhold_questions(
    sizes: Mapping[str, Mapping[Leaf, int]],
    groups: Mapping[Group, Collection[Leaf]],
    minimum: int,
    already: Withheld[Leaf, Group],
    ad_hoc: Collection[Group] = (),
) -> dict[str, Withheld[Leaf, Group]]:
    """Per question, which leaves' and groups' figures of it to withhold: `sizes` gives per
    question each leaf's number of people who answered it (leaves absent: nobody). A group
    whose respondents are enough may hold a question answered by fewer than the minimum (an
    optional question, or one asked only after a rare answer): its counts and mean would be
    those few people's answers. The same rules as `withhold` apply to each question's answerers,
    starting from the groups withheld as a whole (`already`)."""
    leaves = set(already.leaves)
    for per_leaf in sizes.values():
        leaves |= per_leaf.keys()
    for members in groups.values():
        leaves |= set(members)
    return {
        question: withhold(
            {leaf: per_leaf.get(leaf, 0) for leaf in leaves}, groups, minimum, already, ad_hoc
        )
        for question, per_leaf in sizes.items()
    }


def _key(item: Hashable) -> str:
    """The order ties go by: a group as launched goes as it did before it was redrawn, so that
    the decision is the same whatever is drawn later."""
    return str(item.group if isinstance(item, AsLaunched) else item)


def withhold(
    sizes: Mapping[Leaf, int],
    groups: Mapping[Group, Collection[Leaf]],
    minimum: int,
    already: "Withheld[Leaf, Group] | None" = None,
    ad_hoc: Collection[Group] = (),
) -> Withheld[Leaf, Group]:
    """Which leaves and groups to withhold, given each leaf's number of people (`sizes`) and
    each group's leaves (a group's size is the sum of its leaves'; groups may overlap).
    `already`: leaves and groups withheld whatever their size (a question's figures within
    groups withheld as a whole), so that no difference reveals their part either.
    `ad_hoc`: the groups drawn or redrawn since the campaign's launch (`as_launched`): each
    is withheld when it holds a withheld leaf, and none of them protects a part (module
    docstring).

    1. Every leaf and group with fewer than `minimum` people is withheld.
    2. The withheld leaves are split by the set of shown groups each belongs to: a reader who
       has every shown figure can compute, by adding and subtracting them, at best the total
       of each such part (a territory minus its shown schools, a territory minus a cluster
       and the schools outside it). Each part must hold no one or at least `minimum` people;
       a part with fewer gets the smallest shown leaf of the same groups withheld with it,
       or, when there is none, its smallest group withheld (which merges it with others).
       Repeated until every part is safe. Deterministic: ties go by size, then by key.
    3. Ad hoc groups take no part in 2 (a part is protected by the other groups alone, so
       whichever ad hoc groups exist, the leaves withheld are the same); then every ad hoc
       group holding a withheld leaf (of anyone) is withheld.
    """
    return _settle(
        {leaf: (n,) for leaf, n in sizes.items()},
        groups,
        hidden=lambda c: c[0] < minimum,
        unsafe=lambda c: 0 < c[0] < minimum,
        already=already,
        ad_hoc=ad_hoc,
    )


@dataclass(frozen=True)
class AsLaunched(Generic[Group]):
    """A group as it was drawn at a campaign's launch, where it has been redrawn since: it takes
    part in deciding what is withheld, and is never shown."""

    group: Group


def as_launched(
    at_launch: Mapping[Group, Collection[Leaf]], now: Mapping[Group, Collection[Leaf]]
) -> tuple[dict[Hashable, frozenset[Leaf]], frozenset[Group]]:
    """The groups to decide a campaign's withholding over, and which of them are ad hoc, from
    its groups as drawn at its launch and as they are `now` (module docstring): a group the same
    in both is itself; one redrawn since takes part as it was (as `AsLaunched(group)`) and,
    as it is now, is ad hoc, as is a group drawn since. Groups gone since take part as they
    were."""
    groups: dict[Hashable, frozenset[Leaf]] = {}
    for group, members in at_launch.items():
        same = frozenset(members) == frozenset(now.get(group, ()))
        groups[group if same else AsLaunched(group)] = frozenset(members)
    ad_hoc = frozenset(group for group in now if group not in groups)
    groups.update((group, frozenset(now[group])) for group in ad_hoc)
    return groups, ad_hoc


def one_sided(with_: int, without: int, side_minimum: int = SIDE_MINIMUM) -> bool:
    """Whether a group's yes/no figure about its people (teachers with a deficit, and without)
    tells individual results: someone is in it and fewer than `side_minimum` are on one side
    (all or none of them, or all but one: whoever is that one, or is not, learns everyone's)."""
    return with_ + without > 0 and min(with_, without) < side_minimum


def withhold_sides(
    counts: Mapping[Leaf, tuple[int, int]],
    groups: Mapping[Group, Collection[Leaf]],
    already: "Withheld[Leaf, Group] | None" = None,
    side_minimum: int = SIDE_MINIMUM,
    ad_hoc: Collection[Group] = (),
) -> Withheld[Leaf, Group]:
    """Which leaves and groups to withhold so that no figure of a per-person yes/no shown,
    and no difference of such figures, tells individual results: `counts` gives each leaf's
    people with and without (e.g. teachers with a deficit in a competence, and without).

    The threshold on complementary cells, as statistical offices apply it to small groups:
    every leaf, group, and part a reader can compute by differences (as in `withhold`) needs
    at least `side_minimum` people on each side, or nobody. `already`: withheld whatever their
    counts (the groups withheld as a whole by the minimum); `ad_hoc` as in `withhold`. One
    reason for all of them
    (INDIVIDUAL_RESULTS), a leaf's own figure or a difference, so that withholding tells
    neither which extreme it is nor whether it is one."""
    return _settle(
        counts,
        groups,
        hidden=lambda c: one_sided(*c, side_minimum),
        unsafe=lambda c: one_sided(*c, side_minimum),
        already=already,
        ad_hoc=ad_hoc,
    )


def withhold_sides_each(
    figures: Mapping[str, Mapping[Leaf, tuple[int, int]]],
    leaves: Collection[Leaf],
    groups: Mapping[Group, Collection[Leaf]],
    already: "Withheld[Leaf, Group] | None" = None,
    ad_hoc: Collection[Group] = (),
) -> dict[str, Withheld[Leaf, Group]]:
    """`withhold_sides` for each of several yes/no figures of the same leaves (per competence,
    teachers with its deficit and without): `figures` gives per figure each leaf's counts (a
    leaf absent: nobody); each is decided over all `leaves`, from `already`."""
    return {
        name: withhold_sides(
            {leaf: counts.get(leaf, (0, 0)) for leaf in leaves}, groups, already, ad_hoc=ad_hoc
        )
        for name, counts in figures.items()
    }


def _settle(
    counts: Mapping[Leaf, tuple[int, ...]],
    groups: Mapping[Group, Collection[Leaf]],
    *,
    hidden: Callable[[tuple[int, ...]], bool],
    unsafe: Callable[[tuple[int, ...]], bool],
    already: "Withheld[Leaf, Group] | None",
    ad_hoc: Collection[Group] = (),
) -> Withheld[Leaf, Group]:
    """`withhold`'s rule over counts per leaf (a group's and a part's are the sums):
    `hidden` says which leaves and groups are withheld for their own counts, `unsafe` which
    part of withheld leaves a difference would give away, `ad_hoc` which groups are withheld
    whenever they hold a withheld leaf (and so never protect a part). Ties go by size (the
    counts' total), then by key."""

    def total(leaves: Collection[Leaf]) -> tuple[int, ...]:
        sums = [0] * width
        for leaf in leaves:
            for i, n in enumerate(counts[leaf]):
                sums[i] += n
        return tuple(sums)

    width = len(next(iter(counts.values()), ()))
    sizes = {leaf: sum(c) for leaf, c in counts.items()}
    members = {g: frozenset(leaf for leaf in ms if leaf in counts) for g, ms in groups.items()}
    containing: dict[Leaf, set[Group]] = {leaf: set() for leaf in counts}
    for group, leaves in members.items():
        for leaf in leaves:
            containing[leaf].add(group)
    group_counts = {g: total(ms) for g, ms in members.items()}
    group_size = {g: sum(c) for g, c in group_counts.items()}
    hidden_leaves = {leaf for leaf, c in counts.items() if hidden(c)}
    hidden_groups = {g for g, c in group_counts.items() if hidden(c)}
    if already is not None:
        hidden_leaves |= already.leaves & counts.keys()
        hidden_groups |= already.groups & members.keys()
    redrawn = frozenset(ad_hoc) & members.keys()
    while True:
        parts: dict[frozenset[Group], list[Leaf]] = {}
        shown: dict[frozenset[Group], list[Leaf]] = {}
        for leaf in counts:
            signature = frozenset(containing[leaf] - hidden_groups - redrawn)
            if signature:
                (parts if leaf in hidden_leaves else shown).setdefault(signature, []).append(leaf)
        unsafe_parts = sorted(
            (
                (sum(part), sorted(map(_key, signature)), signature)
                for signature, leaves in parts.items()
                if unsafe(part := total(leaves))
            ),
            key=lambda part: part[:2],
        )
        if not unsafe_parts:
            # (a leaf of nobody withheld has nothing to give away)
            hidden_groups.update(
                g for g in redrawn if any(sizes[leaf] for leaf in members[g] & hidden_leaves)
            )
            return Withheld(frozenset(hidden_leaves), frozenset(hidden_groups))
        for _, _, signature in unsafe_parts:
            partners = shown.get(signature)
            if partners:
                hidden_leaves.add(min(partners, key=lambda leaf: (sizes[leaf], _key(leaf))))
            else:
                # No shown leaf shares these groups: withhold the smallest of them (the part
                # then merges with others); the next pass looks again.
                hidden_groups.add(min(signature, key=lambda g: (group_size[g], _key(g))))
