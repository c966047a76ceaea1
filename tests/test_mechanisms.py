"""Mechanism switches: unbuilt ones are refused; built ones act only when switched on."""

import numpy as np
import pytest

from sim.mechanisms import BUILT_MECHANISMS
from sim.mechanisms.party_mobilisation import mobilisation_push
from sim.model import CommunityModel
from sim.runner import simulate
from sim.scenario import loader
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Mechanisms, PartyMobilisation
from sim.state import BUILDING_HEAD, CENTRAL_HOUSEHOLD, FIRM, SELF_MANAGED, UNMANAGED

#: A small community in which every dispute not escalated reaches mediation.
MEDIATION_RUN = ["structure.compounds=4", "steps=40", "disputes.bilateral_settle=0"]


@pytest.mark.parametrize("name", sorted(Mechanisms.model_fields))
def test_enabling_a_mechanism_that_is_not_built_is_an_error_naming_its_switch(name, monkeypatch):
    """Every mechanism is built today; the guard is checked by pretending one is not."""
    monkeypatch.setattr(loader, "BUILT_MECHANISMS", BUILT_MECHANISMS - {name})
    with pytest.raises(ScenarioError) as caught:
        load_scenario("default", [f"mechanisms.{name}.enabled=true"])
    assert caught.value.field == f"mechanisms.{name}.enabled"
    assert f"mechanisms.{name}.enabled" in str(caught.value)
    assert "not built" in str(caught.value)


@pytest.mark.parametrize("name", sorted(BUILT_MECHANISMS))
def test_built_mechanisms_can_be_switched_on_and_off(name):
    for value in (True, False):
        scenario = load_scenario("default", [f"mechanisms.{name}.enabled={str(value).lower()}"])
        assert getattr(scenario.mechanisms, name).enabled is value


@pytest.mark.parametrize("seed", [1, 2])
def test_party_mobilisation_on_lets_party_members_mediate(seed):
    scenario = load_scenario(
        "default", [*MEDIATION_RUN, "mechanisms.party_mobilisation.enabled=true", f"seed={seed}"]
    )
    mediators = simulate(scenario).disputes["mediator"]
    assert (mediators == "party_member").sum() >= 1


@pytest.mark.parametrize("seed", [1, 2])
def test_party_mobilisation_off_means_no_dispute_is_mediated_by_a_party_member(seed):
    scenario = load_scenario(
        "default", [*MEDIATION_RUN, "mechanisms.party_mobilisation.enabled=false", f"seed={seed}"]
    )
    mediators = simulate(scenario).disputes["mediator"]
    assert mediators.isin(["compound_committee", "residents_committee"]).sum() >= 1
    assert not (mediators == "party_member").any()


def test_mobilisation_push_is_zero_when_off_and_counts_active_role_holders_when_on(small_model):
    hh = small_model.households
    saved = hh.active.copy()
    try:
        hh.active[:] = True
        off = mobilisation_push(hh, small_model.ties.adjacency, PartyMobilisation(enabled=False))
        spec = PartyMobilisation(enabled=True, mobilisation_strength=0.15, mobilisation_cap=0.4)
        on = mobilisation_push(hh, small_model.ties.adjacency, spec)
    finally:
        hh.active[:] = saved
    assert np.all(off == 0)
    role_holder = hh.is_party & np.isin(hh.role, [BUILDING_HEAD, CENTRAL_HOUSEHOLD])
    count = small_model.ties.adjacency @ role_holder.astype(float)
    assert np.allclose(on, np.minimum(0.4, 0.15 * count))
    assert on.max() > 0


def firmless(enabled: bool, *extra: str):
    overrides = ["steps=52", f"mechanisms.self_management.enabled={str(enabled).lower()}"]
    return simulate(load_scenario("firmless_self_management", [*overrides, *extra]))


def test_self_management_off_no_compound_becomes_self_managed():
    result = firmless(False)
    model = result.model
    assert not model.self_management_committees
    assert np.all(model.compounds.manager == UNMANAGED)
    assert (result.timeseries["self_managed_compounds"] == 0).all()
    assert np.all(model.households.fees_paid == 0)


def test_self_management_on_in_firmless_scenario_some_compounds_self_manage_and_collect():
    result = firmless(True)
    model = result.model
    committees = model.self_management_committees
    assert len(committees) >= 1
    assert np.all(model.compounds.manager[list(committees)] == SELF_MANAGED)
    assert result.timeseries["self_managed_compounds"].iloc[-1] == len(committees)
    assert sum(c.revenue_total for c in committees.values()) > 0
    in_committee_compound = np.isin(model.world.compound, list(committees))
    assert model.households.fees_paid[in_committee_compound].sum() > 0
    assert model.households.fees_paid[~in_committee_compound].sum() == 0


def test_self_management_forms_only_where_no_firm_serves():
    scenario = load_scenario(
        "default",
        [
            "structure.compounds=6",
            "structure.share_without_firm=0.5",
            "steps=30",
            "service.exit_after_loss_months=240",
            "mechanisms.self_management.enabled=true",
            "mechanisms.self_management.formation_participation=0",
            "mechanisms.self_management.formation_chance=1",
        ],
    )
    model = CommunityModel(scenario, seed=4)
    model.run()
    has_firm = model.world.compound_has_firm
    assert np.all(model.compounds.manager[has_firm] == FIRM)
    assert np.all(model.compounds.manager[~has_firm] == SELF_MANAGED)
    assert sorted(model.self_management_committees) == np.flatnonzero(~has_firm).tolist()
