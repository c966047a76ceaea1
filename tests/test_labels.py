"""Human labels for figures, from the scenario schema's descriptions and units."""

from sim.report.labels import MAX_LABEL, output_label, parameter_label, shorten


def test_a_parameter_is_labelled_by_its_description_and_unit():
    assert parameter_label("households.initial_trust_firm") == (
        "Mean initial trust in the property firm (0-1)"
    )
    assert parameter_label("service.fee_per_m2") == "Monthly property fee (yuan/m2/month)"


def test_a_unit_already_in_the_words_is_not_repeated_and_switches_read_as_on():
    assert parameter_label("structure.compounds") == "Number of compounds"
    assert parameter_label("mechanisms.points.enabled") == "points on"


def test_an_unknown_key_falls_back_to_its_last_part_in_words():
    assert parameter_label("nowhere.some_thing") == "some thing"


def test_outputs_read_as_words_with_their_summary():
    assert output_label("final.participation_rate") == "participation rate (final)"
    assert (
        output_label("last_year.fee_collection_rate_last_year_mean")
        == "fee collection rate (last-year mean)"
    )
    assert output_label("trust_firm") == "trust firm"


def test_long_labels_are_cut_at_a_word_boundary():
    text = "word " * 30
    cut = shorten(text)
    assert len(cut) <= MAX_LABEL and cut.endswith("…") and " wor…" not in cut
