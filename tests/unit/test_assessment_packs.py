"""Rule packs as data: which pack a school year uses, the shipped defaults, bands, and adding a pack."""
import copy
import json
from datetime import date
from fractions import Fraction
from importlib import resources

import pytest

from chalicelib.domain.assessment import (
    FO, SOCH, SOR, InvalidInput, NoRulePack, PeriodInputs, RulePackInvalid, Scheme, WorkResult, compute_period,
    load_packs, pack_for, rule_packs, scheme_for,
)


def shipped_data() -> dict:
    text = resources.files("chalicelib.domain").joinpath("data", "rule-packs.json").read_text(encoding="utf-8")
    return json.loads(text)


KZ_2027 = {
    "code": "KZ-2027",
    "effective_from": "2027-09-01",
    "source": "a hypothetical revision: lighter SOCH, '3' from 45 %",
    "fo_max": 10,
    "sor_method": "points",
    "pool_fo_with_sor": False,
    "schemes": {
        "term": {"weights": {"FO": 0.3, "SOR": 0.3, "SOCH": 0.4}, "required_at_close": ["SOCH"]},
        "half_year": {"weights": {"FO": "1/3", "SOR": "2/3"}, "required_at_close": ["SOR"]},
    },
    "half_year_hours": 1,
    "unmarked_grades": [1],
    "needed_for": [4, 5],
    "bands": [
        {"mark": 2, "from": 0, "name": {"ru": "неудовлетворительно", "kk": "қанағаттанарлықсыз"}},
        {"mark": 3, "from": 45, "name": {"ru": "удовлетворительно", "kk": "қанағаттанарлық"}},
        {"mark": 4, "from": 65, "name": {"ru": "хорошо", "kk": "жақсы"}},
        {"mark": 5, "from": 85, "name": {"ru": "отлично", "kk": "өте жақсы"}},
    ],
}


def with_pack(**changes) -> dict:
    pack = copy.deepcopy(KZ_2027)
    pack.update(changes)
    return {"packs": [pack]}


@pytest.mark.parametrize(("year", "code"), [
    (2016, "KZ-2016"), (2017, "KZ-2016"), (2019, "KZ-2016"), (2020, "KZ-2020"), (2021, "KZ-2020"),
    (2026, "KZ-2020"),
])
def test_a_school_year_uses_the_pack_in_force_at_its_start(year, code):
    assert pack_for(year).code == code


def test_there_is_no_pack_before_criteria_based_assessment():
    with pytest.raises(NoRulePack):
        pack_for(2015)


def test_kz_2020_weighs_fo_and_sor_a_quarter_each_and_the_soch_a_half():
    pack = pack_for(2026)
    assert dict(pack.weighting(Scheme.TERM).weights) == {FO: Fraction(1, 4), SOR: Fraction(1, 4), SOCH: Fraction(1, 2)}
    assert dict(pack.weighting(Scheme.HALF_YEAR).weights) == {FO: Fraction(1, 2), SOR: Fraction(1, 2)}
    assert pack.effective_from == date(2020, 9, 1)


def test_kz_2016_counts_sor_and_soch_only():
    pack = pack_for(2019)
    assert pack.weighting(Scheme.TERM).counted() == (SOR, SOCH)
    assert pack.weighting(Scheme.TERM).weights[FO] == 0


def test_shipped_settings_default_as_the_rules_say():
    for pack in rule_packs():
        assert (pack.sor_method, pack.pool_fo_with_sor, pack.fo_max) == ("points", False, 10)
        assert [(b.mark, b.lowest, b.highest) for b in pack.bands] == [(2, 0, 39), (3, 40, 64), (4, 65, 84),
                                                                       (5, 85, 100)]
        assert [b.name["ru"] for b in pack.bands] == ["неудовлетворительно", "удовлетворительно", "хорошо",
                                                      "отлично"]
        assert [b.name["kk"] for b in pack.bands] == ["қанағаттанарлықсыз", "қанағаттанарлық", "жақсы",
                                                      "өте жақсы"]


def test_the_shipped_packs_are_read_once():
    assert rule_packs() is rule_packs()


@pytest.mark.parametrize(("percent", "mark"), [
    ("0", 2), ("39.49", 2), ("39.5", 3), ("43.31", 3), ("43.52", 3), ("64.49", 3), ("64.4999999", 3),
    ("64.5", 4), ("84.49", 4), ("84.5", 5), ("100", 5),
])
def test_the_band_is_read_from_the_percentage_rounded_half_up(percent, mark):
    assert pack_for(2026).mark_for(Fraction(percent)) == mark


def test_a_percentage_outside_0_to_100_has_no_band():
    with pytest.raises(InvalidInput):
        pack_for(2026).mark_for(Fraction(1001, 10))


def test_a_new_pack_is_data_plus_this_test():
    raw = shipped_data()
    raw["packs"].append(KZ_2027)
    packs = load_packs(json.loads(json.dumps(raw)))
    assert [pack_for(year, packs).code for year in (2019, 2026, 2027, 2030)] == [
        "KZ-2016", "KZ-2020", "KZ-2027", "KZ-2027"]
    pack = pack_for(2027, packs)
    inputs = PeriodInputs(fo=[10], sor=[WorkResult(50, 100)], soch=[WorkResult(40, 100)])
    standing = compute_period(pack, Scheme.TERM, inputs)
    assert standing.total == Fraction(61)  # 0.3 * 100 + 0.3 * 50 + 0.4 * 40
    assert standing.mark == 3
    only_soch = PeriodInputs(soch=[WorkResult(44, 100)])
    assert compute_period(pack, Scheme.TERM, only_soch).mark == 2
    assert compute_period(pack_for(2026, packs), Scheme.TERM, only_soch).mark == 3
    half_year = compute_period(pack, Scheme.HALF_YEAR, PeriodInputs(fo=[4], sor=[WorkResult(70, 100)]))
    assert half_year.total == Fraction(1, 3) * 40 + Fraction(2, 3) * 70


@pytest.mark.parametrize("changes", [
    {"schemes": {"term": {"weights": {"FO": 0.25, "SOR": 0.25, "SOCH": 0.4}}, "half_year": {"weights": {"SOR": 1}}}},
    {"schemes": {"term": {"weights": {"FO": -0.5, "SOR": 1, "SOCH": 0.5}}, "half_year": {"weights": {"SOR": 1}}}},
    {"schemes": {"term": {"weights": {"FO": 0.5, "SOCH": 0.5, "HW": 0}}, "half_year": {"weights": {"SOR": 1}}}},
    {"schemes": {"term": {"weights": {"SOR": 0.5, "SOCH": 0.5}}}},
    {"schemes": {"term": {"weights": {"SOR": 1}, "required_at_close": ["SOCH"]}, "half_year": {"weights": {"SOR": 1}}}},
    {"sor_method": "median"},
    {"pool_fo_with_sor": "yes"},
    {"fo_max": 0},
    {"effective_from": "2027-13-01"},
    {"needed_for": [6]},
    {"bands": [{"mark": 3, "from": 40, "name": {"ru": "удовлетворительно", "kk": "қанағаттанарлық"}}]},
    {"bands": [{"mark": 2, "from": 0, "name": {"ru": "плохо"}}]},
    {"bands": [{"mark": 3, "from": 0, "name": {"ru": "а", "kk": "а"}}, {"mark": 2, "from": 50, "name": {"ru": "б",
                                                                                                       "kk": "б"}}]},
    {"colour": "blue"},
])
def test_a_pack_that_breaks_a_rule_is_refused(changes):
    with pytest.raises(RulePackInvalid):
        load_packs(with_pack(**changes))


def test_two_packs_cannot_take_effect_on_the_same_day():
    twin = dict(copy.deepcopy(KZ_2027), code="KZ-2027b")
    with pytest.raises(RulePackInvalid):
        load_packs({"packs": [KZ_2027, twin]})


def test_a_missing_field_is_refused():
    pack = copy.deepcopy(KZ_2027)
    del pack["bands"]
    with pytest.raises(RulePackInvalid):
        load_packs({"packs": [pack]})


def test_weights_are_exact_whatever_their_notation():
    pack = load_packs(with_pack())[0]
    assert pack.weighting(Scheme.TERM).weights[FO] == Fraction(3, 10)
    assert pack.weighting(Scheme.HALF_YEAR).weights[FO] == Fraction(1, 3)


def test_a_school_may_choose_the_configurable_settings():
    pack = pack_for(2026).with_settings(sor_method="mean_of_percentages", pool_fo_with_sor=True, fo_max=5,
                                        half_year_weights={"FO": "0.4", "SOR": "0.6"})
    assert (pack.sor_method, pack.pool_fo_with_sor, pack.fo_max) == ("mean_of_percentages", True, 5)
    assert pack.weighting(Scheme.HALF_YEAR).weights[SOR] == Fraction(3, 5)
    assert pack_for(2026).sor_method == "points"  # the shipped pack is untouched


@pytest.mark.parametrize("settings", [
    {"sor_method": "median"}, {"fo_max": 0}, {"half_year_weights": {"FO": 0.5, "SOR": 0.6}},
])
def test_settings_are_checked_like_the_data(settings):
    with pytest.raises(RulePackInvalid):
        pack_for(2026).with_settings(**settings)


def test_fo_cannot_be_pooled_where_it_does_not_count():
    with pytest.raises(RulePackInvalid):
        pack_for(2019).with_settings(pool_fo_with_sor=True)


@pytest.mark.parametrize(("year", "grade", "assessment", "hours", "scheme"), [
    (2026, 7, "criteria", 3, Scheme.TERM),
    (2026, 7, "criteria", 2, Scheme.TERM),
    (2026, 7, "criteria", 1, Scheme.HALF_YEAR),
    (2026, 1, "criteria", 4, Scheme.UNMARKED),
    (2026, 5, "pass_fail", 2, Scheme.PASS_FAIL),
    (2026, 1, "pass_fail", 2, Scheme.UNMARKED),
    (2026, 9, "none", 1, Scheme.UNMARKED),
    (2018, 1, "criteria", 4, Scheme.TERM),  # grade 1 lost its marks in 2020 (assessment-rules.md §5)
])
def test_how_a_subject_is_marked_depends_on_grade_assessment_and_hours(year, grade, assessment, hours, scheme):
    assert scheme_for(pack_for(year), grade=grade, assessment=assessment, hours_per_week=hours) is scheme


def test_an_unknown_subject_assessment_is_refused():
    with pytest.raises(InvalidInput):
        scheme_for(pack_for(2026), grade=5, assessment="letters", hours_per_week=2)
