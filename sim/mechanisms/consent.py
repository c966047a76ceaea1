"""Consent rules for owners' votes: unanimity, a share, a simple majority, Civil Code art. 278.

A vote among the eligible owners E, each with the area a_i of their flat, records who took part
(P) and who said yes (Y). With n(.) a headcount and A(.) an area:

    unanimity                n(Y) = n(E)                          (an abstention counts against)
    share s                  n(Y) >= s n(E)  and  A(Y) >= s A(E)   (older elevator rules: s = 0.9)
    majority                 n(Y) > n(P) / 2                       (of participants; no quorum)
    civil_code_278_ordinary  quorum: n(P) >= 2/3 n(E) and A(P) >= 2/3 A(E);
                             n(Y) > n(P) / 2  and  A(Y) > A(P) / 2
    civil_code_278_major     the same quorum; n(Y) >= 3/4 n(P) and A(Y) >= 3/4 A(P)
                             (renovation or rebuilding, change of use of common parts, raising
                             maintenance funds: so at least half of all owners)

("more than half" is the Code's 过半数; "at least" its 三分之二以上 and 四分之三以上.) With the
optional veto, the vote also fails if any owner whose own flat the project harms took part and
said no. Headcounts are compared exactly; areas with a relative tolerance of 1e-9, so that a
hand-computed boundary case is decided as the law reads.

How owners vote (`cast_ballots`). Each eligible owner takes part with chance `turnout` and, if
it has a stake, says yes with its own chance y_i. An indifferent owner (one who gains and loses
about nothing) who takes part abstains after all with chance `abstain` (the calculus of voting:
no stake, no vote; Riker & Ordeshook 1968), votes as its stairwell unit does with chance
`follow` (yes with the yes share of the unit's decided voters: those with a stake; the whole
vote's when its unit has none; it abstains when nobody decided), votes no with chance `no`
(status-quo bias; Samuelson & Zeckhauser 1988), and otherwise decides by y_i like the others.
Draws, in this order: one uniform per owner for turnout, one for the yes, and, when some owner
is indifferent, one for the indifferent behaviour (the yes draw also decides a follower's vote).
"""

from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import numpy as np

UNANIMITY = "unanimity"
SHARE = "share"
MAJORITY = "majority"
CIVIL_CODE_ORDINARY = "civil_code_278_ordinary"
CIVIL_CODE_MAJOR = "civil_code_278_major"

#: Every consent rule a project kind may name.
CONSENT_RULES: tuple[str, ...] = (
    UNANIMITY,
    SHARE,
    MAJORITY,
    CIVIL_CODE_ORDINARY,
    CIVIL_CODE_MAJOR,
)

AREA_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ConsentRule:
    """What a vote needs: a quorum, and an approval share of participants or of all eligible."""

    name: str
    quorum: Fraction = Fraction(0)  # of eligible owners, by headcount and by area
    approval: Fraction = Fraction(1, 2)
    strict: bool = True  # approval must be exceeded ("more than") rather than reached
    of_participants: bool = True  # approval counted among participants, else among all eligible
    by_area: bool = True  # approval (and quorum) needed by area as well as by headcount


@cache
def consent_rule(name: str, share: float = 0.9) -> ConsentRule:
    """The rule of a given name; `share` is the approval share of the `share` rule."""
    if name == UNANIMITY:
        return ConsentRule(name, approval=Fraction(1), strict=False, of_participants=False)
    if name == SHARE:
        fraction = Fraction(share).limit_denominator(10_000)
        return ConsentRule(name, approval=fraction, strict=False, of_participants=False)
    if name == MAJORITY:
        return ConsentRule(name, by_area=False)
    if name == CIVIL_CODE_ORDINARY:
        return ConsentRule(name, quorum=Fraction(2, 3))
    if name == CIVIL_CODE_MAJOR:
        return ConsentRule(name, quorum=Fraction(2, 3), approval=Fraction(3, 4), strict=False)
    raise ValueError(f"unknown consent rule {name!r} (one of: {', '.join(CONSENT_RULES)})")


@dataclass(frozen=True)
class IndifferentVote:
    """What indifferent owners who take part do: shares that abstain, follow, vote no."""

    abstain: float = 0.0
    follow: float = 0.0
    no: float = 0.0


def cast_ballots(
    yes_chance: np.ndarray,
    turnout: float,
    indifferent: np.ndarray,
    unit: np.ndarray,
    behaviour: IndifferentVote,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Who takes part and who says yes (masks), one entry per eligible owner.

    `indifferent` marks owners without a stake, `unit` gives each owner's stairwell unit (any
    integer labels); see the module docstring for the rule and the order of the draws.
    """
    n = yes_chance.size
    voted = rng.random(n) < turnout
    draw = rng.random(n)
    yes = voted & (draw < yes_chance)
    if not indifferent.any():
        return voted, yes
    pick = rng.random(n)
    abstains = indifferent & (pick < behaviour.abstain)
    follows = indifferent & ~abstains & (pick < behaviour.abstain + behaviour.follow)
    says_no = indifferent & ~abstains & ~follows
    says_no &= pick < behaviour.abstain + behaviour.follow + behaviour.no
    decided = voted & ~indifferent
    group, units = unit_groups(unit)
    voters = np.bincount(group, weights=decided, minlength=units)
    yeses = np.bincount(group, weights=yes & decided, minlength=units)
    overall = yeses.sum() / voters.sum() if voters.sum() > 0 else np.nan
    lead = np.divide(yeses, voters, out=np.full(units, overall), where=voters > 0)[group]
    voted = voted & ~abstains & ~(follows & np.isnan(lead))
    yes = np.where(follows, draw < np.nan_to_num(lead), yes & ~says_no) & voted
    return voted, yes


def unit_groups(unit: np.ndarray) -> tuple[np.ndarray, int]:
    """Each owner's unit as 0, 1, ... in the order of the units' labels, and how many units
    (``np.unique(unit, return_inverse=True)``; read off directly when the owners come unit by
    unit in that order, as a project's flats do)."""
    if unit.size and np.all(unit[1:] >= unit[:-1]):
        group = np.zeros(unit.size, dtype=np.intp)
        np.cumsum(unit[1:] != unit[:-1], out=group[1:])
        return group, int(group[-1]) + 1
    labels, group = np.unique(unit, return_inverse=True)
    return group, labels.size


@dataclass(frozen=True)
class Tally:
    """The counted result of one vote."""

    rule: str
    eligible: int
    turnout: int
    yes_headcount: int
    yes_area_share: float  # yes area / participants' area (0 when nobody took part)
    turnout_area_share: float  # participants' area / eligible area
    quorum_met: bool
    approved: bool  # the approval share is reached (quorum and veto aside)
    vetoed: bool

    @property
    def passed(self) -> bool:
        """The vote carries: quorum met, approval reached, no veto."""
        return self.quorum_met and self.approved and not self.vetoed


def headcount_reaches(part: int, whole: int, share: Fraction, strict: bool) -> bool:
    """part > share x whole (strict) or part >= share x whole, in exact arithmetic."""
    left, right = part * share.denominator, share.numerator * whole
    return left > right if strict else left >= right


def area_reaches(part: float, whole: float, share: Fraction, strict: bool) -> bool:
    """The same comparison for areas, within a relative tolerance."""
    margin = float(share) * whole
    slack = AREA_TOLERANCE * max(whole, 1.0)
    return part > margin + slack if strict else part >= margin - slack


def tally(
    rule: ConsentRule,
    area: np.ndarray,
    voted: np.ndarray,
    yes: np.ndarray,
    harmed: np.ndarray | None = None,
) -> Tally:
    """Count a vote of the eligible owners (one entry each) under a consent rule.

    `voted` and `yes` are masks (a yes is counted only where the owner voted); `harmed` marks
    owners whose veto counts, or is None for no veto.
    """
    area = np.asarray(area, dtype=float)
    voted = np.asarray(voted, dtype=bool)
    yes = np.asarray(yes, dtype=bool) & voted
    eligible, turnout, yes_count = voted.size, np.count_nonzero(voted), np.count_nonzero(yes)
    total_area = float(area.sum())
    voted_area = float(area[voted].sum())
    yes_area = float(area[yes].sum())

    quorum_met = headcount_reaches(turnout, eligible, rule.quorum, strict=False)
    if rule.by_area:
        quorum_met = quorum_met and area_reaches(voted_area, total_area, rule.quorum, False)

    base_count = turnout if rule.of_participants else eligible
    base_area = voted_area if rule.of_participants else total_area
    approved = base_count > 0 and headcount_reaches(
        yes_count, base_count, rule.approval, rule.strict
    )
    if rule.by_area:
        approved = approved and area_reaches(yes_area, base_area, rule.approval, rule.strict)

    vetoed = False
    if harmed is not None:
        vetoed = bool(np.any(np.asarray(harmed, dtype=bool) & voted & ~yes))
    return Tally(
        rule=rule.name,
        eligible=eligible,
        turnout=turnout,
        yes_headcount=yes_count,
        yes_area_share=yes_area / voted_area if voted_area > 0 else 0.0,
        turnout_area_share=voted_area / total_area if total_area > 0 else 0.0,
        quorum_met=bool(quorum_met),
        approved=bool(approved),
        vetoed=vetoed,
    )
