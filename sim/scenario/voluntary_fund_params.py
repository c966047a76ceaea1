"""Parameters of the voluntary fund: monthly voluntary contributions to a building's shared good."""

from typing import Literal

from pydantic import model_validator

from sim.scenario.mechanism_params import Mechanism
from sim.scenario.params import choice, gap_share, ratio, share, yuan


class VoluntaryFund(Mechanism):
    """Each month households give what they will to their building's (or compound's) fund for
    cleaning or greenery; conditional cooperators give as they expect their neighbours to."""

    scope: Literal["building", "compound"] = choice(
        "building",
        "Who shares a fund and sees each other's contributions: a building or a compound",
        source="S2, S4: self-funded cleaning and upkeep",
    )
    suggested_contribution: float = yuan(
        20.0,
        "Monthly contribution the fund asks of each household (a contribution share of 1)",
        le=1e5,
        per="month",
        source="assumed: S2, S4 small self-management fees",
    )
    free_rider_share: float = share(
        0.3, "Share of households who never give", source="lit: Fischbacher, Gaechter & Fehr 2001"
    )
    conditional_cooperator_share: float = share(
        0.5,
        "Share of households who give as they expect their neighbours to (c = a + b E)",
        source="lit: Fischbacher, Gaechter & Fehr 2001",
    )
    conditional_base: float = share(
        0.1,
        "Contribution share a of a conditional cooperator who expects nothing of the others",
        source="lit: Fischbacher, Gaechter & Fehr 2001",
    )
    conditional_slope: float = ratio(
        0.6,
        "Slope b of a conditional cooperator's contribution in its expectation (b < 1: it "
        "matches the others imperfectly, so contributions decay; b = 1: they do not)",
        le=2,
        source="lit: Fischbacher & Gaechter 2010; Fehr & Gaechter 2000 (decay over rounds)",
    )
    initial_belief: float = share(
        0.5,
        "Contribution share a household first expects of its neighbours",
        source="lit: first-round beliefs about half the endowment (Fischbacher & Gaechter 2010)",
    )
    belief_update: float = share(
        0.5,
        "Weight of the others' contributions of the last round in a household's new expectation",
        source="assumed: beliefs adapt to observed contributions (Fischbacher & Gaechter 2010)",
    )
    meeting_lift: float = gap_share(
        0.5,
        "Share of the gap to full cooperation by which a meeting held since the last round "
        "restores expectations",
        source="lit: Ostrom, Walker & Gardner 1992; Balliet 2010 (communication, d about 1); "
        "assumed size",
    )

    @model_validator(mode="after")
    def _shares(self) -> "VoluntaryFund":
        if self.free_rider_share + self.conditional_cooperator_share > 1:
            raise ValueError("free_rider_share + conditional_cooperator_share must not exceed 1")
        return self
