"""A CommunityModel that takes keyword parameters, so that `mesa.batch_run` can drive it.

It lives in its own importable module because batch_run's worker processes (spawned) must
find the class by name.
"""

from sim.model import CommunityModel
from sim.scenario.loader import load_scenario


class KeywordCommunityModel(CommunityModel):
    """One compound of the default scenario with `renter_share` and `steps` as keywords."""

    def __init__(self, renter_share: float = 0.35, steps: int = 20, seed: int | None = None):
        overrides = [
            "structure.compounds=1",
            f"steps={steps}",
            f"households.renter_share={renter_share}",
        ]
        super().__init__(load_scenario("default", overrides), seed=seed)
