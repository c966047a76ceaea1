"""Governance mechanisms, one module each, switched from ``scenario.mechanisms``."""

#: Mechanisms whose modules exist. Enabling any other mechanism is a scenario error, so a
#: switch never silently does nothing.
BUILT_MECHANISMS: frozenset[str] = frozenset(
    {
        "party_mobilisation",
        "self_management",
        "joint_meetings",
        "building_meetings",
        "remuneration_contract",
        "crowdfunding",
        "points",
        "recognition",
        "pilot_first",
        "voluntary_fund",
    }
)
