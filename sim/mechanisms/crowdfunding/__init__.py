"""Crowdfunding: residents propose, vote on, fund and build shared projects (S0, S4).

One job per module: `valuation` (benefit, harm, shares, motivation), `contributions`
(conditional cooperation, the provision point), `campaigns` (a week of every campaign at
once), `projects` (the pipeline's records), `proposals` (need, leaders, building meetings),
`effects` (trust, efficacy, disputes), `mechanism` (the weekly pipeline) and `reporting`
(time-series columns and the summary).
Consent rules live in sim.mechanisms.consent, shared with the remuneration contract.
"""


def __getattr__(name: str):
    """`Crowdfunding`, imported when first asked for: a run without the mechanism loads only
    its records (`projects`) and time-series columns (`reporting`)."""
    if name == "Crowdfunding":
        from sim.mechanisms.crowdfunding.mechanism import Crowdfunding

        return Crowdfunding
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Crowdfunding"]
