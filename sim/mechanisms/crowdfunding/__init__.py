"""Crowdfunding: residents propose, vote on, fund and build shared projects (S0, S4).

One job per module: `valuation` (benefit, harm, shares, motivation), `contributions`
(conditional cooperation, the provision point), `campaigns` (a week of every campaign at
once), `projects` (the pipeline's records), `proposals` (need, leaders, building meetings),
`effects` (trust, efficacy, disputes), `mechanism` (the weekly pipeline) and `reporting`
(time-series columns and the summary).
Consent rules live in sim.mechanisms.consent, shared with the remuneration contract.
"""

from sim.mechanisms.crowdfunding.mechanism import Crowdfunding

__all__ = ["Crowdfunding"]
