"""The remuneration contract (chou jin zhi, S0): owners keep the surplus, the firm earns a commission.

Adoption. From `campaign_start_week` the owners' committee of a firm-served compound campaigns
(meetings, leaflets, visits) and puts the contract to a vote every month until it passes. An
owner votes with chance `vote_turnout` and votes yes with chance

    logistic(4 (Tc - 1/2) + campaign_gain x months campaigned)

The vote follows Civil Code art. 278 for ordinary matters: a quorum of 2/3 of owners by
headcount and by area, and a majority of participants by headcount and by area (the
`civil_code_278_ordinary` rule of the consent module).

Accounts, monthly, once adopted: fees R go to the owners' account; the firm spends
C = F + V e on the service and is paid P = commission x C x clip(1 + w (r - 1/2), 0, 2), with r
the owners' rating (their mean satisfaction) and w = `rating_weight`; the owners' fund takes
R - C - P (books open to all). The firm cannot lose money, so it delivers the effort `effort`
(plus what upgrades have added) while the fund is not in debt, and the break-even effort of
the lump-sum rule otherwise. When the fund holds `upgrade_cost` per household it pays for an
upgrade: the effort ceiling rises by `upgrade_quality`, and every household sees it (a good event
for trust in the firm and in the committees). Each month open books are a good event for trust
in the firm of weight `transparency_gain` / gain.
"""

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from sim.dynamics.trust import reward
from sim.mechanisms.consent import CIVIL_CODE_ORDINARY, consent_rule, tally
from sim.mechanisms.records import VoteRecord

if TYPE_CHECKING:
    from sim.agents import PropertyFirm
    from sim.model import CommunityModel
    from sim.scenario.mechanism_params import RemunerationContract


class RemunerationTerms:
    """The owners' account and the firm's pay under the remuneration contract of one compound."""

    def __init__(self, spec: "RemunerationContract", households: int) -> None:
        self.spec = spec
        self.households = households
        self.fund = 0.0
        self.fees_in = 0.0
        self.costs_paid = 0.0
        self.upgrades = 0
        self.upgrades_spent = 0.0
        self.firm_pay = 0.0
        self.ceiling = spec.effort

    def target_effort(self, firm: "PropertyFirm") -> float:
        """Full promised effort while the owners' fund is solvent, else what fees pay for."""
        if self.fund >= 0:
            return self.ceiling
        return firm.affordable_effort(self.ceiling)

    def settle(self, revenue: float, cost: float, rating: float) -> float:
        """Book a month; return the firm's profit (its pay)."""
        factor = float(np.clip(1.0 + self.spec.rating_weight * (rating - 0.5), 0.0, 2.0))
        pay = self.spec.commission * cost * factor
        self.fees_in += revenue
        self.costs_paid += cost
        self.fund += revenue - cost - pay
        self.firm_pay += pay
        return pay

    def buy_upgrade(self) -> bool:
        """Spend the fund on an upgrade when it can afford one."""
        price = self.spec.upgrade_cost * self.households
        if self.fund < price:
            return False
        self.fund -= price
        self.upgrades_spent += price
        self.upgrades += 1
        self.ceiling = min(1.0, self.ceiling + self.spec.upgrade_quality)
        return True


def hold_vote(model: "CommunityModel", compound: int, months: int) -> VoteRecord:
    """The owners of a compound vote on the remuneration contract."""
    spec = model.params.mechanisms.remuneration_contract
    flats = model.world.flats_of_compound(compound)
    owners = flats[model.households.is_owner[flats]]
    area = model.world.area[owners]
    rng = model.rng
    votes = rng.random(owners.size) < spec.vote_turnout
    logit = 4.0 * (model.households.trust_committee[owners] - 0.5) + spec.campaign_gain * months
    yes = votes & (rng.random(owners.size) < expit(logit))
    count = tally(consent_rule(CIVIL_CODE_ORDINARY), area, votes, yes)
    return VoteRecord.of(count, model.week, compound, "remuneration_contract")


class RemunerationCampaigns:
    """Campaigns, votes, and the monthly accounts of compounds that adopted the contract."""

    def __init__(self, model: "CommunityModel") -> None:
        self.model = model
        self.spec = model.params.mechanisms.remuneration_contract
        self.terms: dict[int, RemunerationTerms] = {}
        self.months_campaigned: dict[int, int] = {}

    def month(self) -> None:
        """Run this month's votes where the contract is not yet adopted; buy upgrades."""
        model = self.model
        if model.week < self.spec.campaign_start_week:
            return
        for compound in sorted(model.owners_committees):
            if compound in self.terms or compound not in model.firms:
                continue
            months = self.months_campaigned.get(compound, 0) + 1
            self.months_campaigned[compound] = months
            record = hold_vote(model, compound, months)
            model.votes.add(record)
            if record.passed:
                self.terms[compound] = RemunerationTerms(
                    self.spec, int(model.compound_households[compound])
                )
        for compound, terms in self.terms.items():
            firm = model.firms.get(compound)
            if firm is not None:
                firm.terms = terms
            flats = model.world.flats_of_compound(compound)
            hh, trust = model.households, model.params.trust
            weight = self.spec.transparency_gain / max(trust.gain, 1e-12)
            reward(hh.trust_firm, flats, trust, weight=weight)
            while terms.buy_upgrade():
                reward(hh.trust_firm, flats, trust)
                reward(hh.trust_committee, flats, trust)

    @property
    def owners_fund(self) -> float:
        """Money in all owners' funds."""
        return float(sum(t.fund for t in self.terms.values()))

    @property
    def upgrades(self) -> int:
        """Upgrades paid from owners' funds so far."""
        return sum(t.upgrades for t in self.terms.values())
