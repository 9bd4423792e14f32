"""A pupil's period standing: the §3 formula, rounding at band edges, live redistribution, closing, "needed"."""
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chalicelib.domain.assessment import (
    FO, FO_SOR, SOCH, SOR, InvalidInput, PeriodIncomplete, PeriodInputs, Scheme, Status, WorkResult,
    compute_period, load_packs, pack_for, ready_to_close,
)

KZ_2016, KZ_2020 = pack_for(2019), pack_for(2026)
TERM, HALF_YEAR = Scheme.TERM, Scheme.HALF_YEAR

# The worked example: FO 8, 9, 7, 10 -> 85 %; SOR 18/25 + 17/20 -> 35/45 = 77.77... %; SOCH 16/20 -> 80 %.
FULL = PeriodInputs(fo=[8, 9, 7, 10], sor=[WorkResult(18, 25), WorkResult(17, 20)], soch=[WorkResult(16, 20)])


def soch_only(percent: str) -> PeriodInputs:
    return PeriodInputs(soch=[WorkResult(Fraction(percent), 100)])


def term(inputs: PeriodInputs, pack=KZ_2020, **options):
    return compute_period(pack, TERM, inputs, **options)


def test_the_kz_2020_term_mark_is_a_quarter_fo_a_quarter_sor_and_half_soch():
    standing = term(FULL)
    assert standing.percents == {FO: 85, SOR: Fraction(700, 9), SOCH: 80}
    assert standing.total == Fraction(1, 4) * 85 + Fraction(1, 4) * Fraction(700, 9) + Fraction(1, 2) * 80
    assert (standing.rounded, standing.mark) == (81, 4)
    assert (standing.provisional, standing.final, standing.absent) == (False, False, ())


def test_needed_is_the_exact_soch_percentage_for_4_and_5():
    # 0.25 * 85 + 0.25 * 700/9 + 0.5 * s >= 64.5 (for "4") and >= 84.5 (for "5")
    assert term(FULL).needed == {4: Fraction(857, 18), 5: Fraction(1577, 18)}


def test_needed_ignores_the_soch_already_written():
    assert term(FULL).needed == term(PeriodInputs(fo=FULL.fo, sor=FULL.sor)).needed


@pytest.mark.parametrize(("percent", "rounded", "mark"), [
    ("39.49", 39, 2), ("39.5", 40, 3), ("43.31", 43, 3), ("43.52", 44, 3), ("64.49", 64, 3), ("64.5", 65, 4),
    ("84.49", 84, 4), ("84.5", 85, 5), ("0", 0, 2), ("100", 100, 5),
])
def test_only_the_final_percentage_is_rounded_half_up_with_all_decimals(percent, rounded, mark):
    standing = term(soch_only(percent))
    assert standing.total == Fraction(percent)
    assert (standing.rounded, standing.mark) == (rounded, mark)


def test_a_total_that_looks_like_64_5_but_is_below_it_gives_3():
    inputs = PeriodInputs(fo=[6], sor=[WorkResult(2, 3)], soch=[WorkResult(Decimal("65.66"), 100)])
    standing = term(inputs)
    assert standing.total == 15 + Fraction(50, 3) + Fraction(3283, 100)  # 64.4966...
    assert (standing.rounded, standing.mark) == (64, 3)


def test_kz_2016_ignores_fo():
    standing = term(FULL, KZ_2016)
    assert standing.total == Fraction(350, 9) + 40
    assert (standing.rounded, standing.mark) == (79, 4)
    assert [c.code for c in standing.components] == [SOR, SOCH]
    assert standing.percents[FO] == 85  # shown, not counted
    assert term(PeriodInputs(fo=[1], sor=FULL.sor, soch=FULL.soch), KZ_2016).total == standing.total


def test_a_one_hour_subject_is_marked_per_half_year_from_fo_and_sor():
    standing = compute_period(KZ_2020, HALF_YEAR, PeriodInputs(fo=FULL.fo, sor=FULL.sor))
    assert standing.total == Fraction(85, 2) + Fraction(350, 9)
    assert (standing.rounded, standing.mark, standing.needed) == (81, 4, {})
    assert compute_period(KZ_2016, HALF_YEAR, PeriodInputs(fo=FULL.fo, sor=FULL.sor)).total == Fraction(700, 9)


def test_the_half_year_weights_are_configurable():
    pack = KZ_2020.with_settings(half_year_weights={"FO": "0.4", "SOR": "0.6"})
    standing = compute_period(pack, HALF_YEAR, PeriodInputs(fo=[5], sor=[WorkResult(9, 10)]))
    assert standing.total == Fraction(2, 5) * 50 + Fraction(3, 5) * 90


def test_a_half_year_subject_has_no_soch():
    with pytest.raises(InvalidInput):
        compute_period(KZ_2020, HALF_YEAR, PeriodInputs(soch=[WorkResult(1, 2)]))


def test_sor_as_mean_of_percentages_gives_each_work_the_same_weight():
    pack = KZ_2020.with_settings(sor_method="mean_of_percentages")
    standing = term(FULL, pack)
    assert standing.percents[SOR] == Fraction(72 + 85, 2)
    assert standing.total == Fraction(85, 4) + Fraction(785, 40) + 40


def test_pooling_fo_with_sor_makes_one_half_weight_block():
    pack = KZ_2020.with_settings(pool_fo_with_sor=True)
    standing = term(FULL, pack)
    assert [(c.code, c.weight) for c in standing.components] == [(FO_SOR, Fraction(1, 2)), (SOCH, Fraction(1, 2))]
    assert standing.components[0].percent == Fraction(100 * (34 + 35), 40 + 45)
    assert standing.total == Fraction(1, 2) * Fraction(6900, 85) + 40


def test_before_the_soch_the_weights_are_redistributed_and_the_standing_is_provisional():
    standing = term(PeriodInputs(fo=[8, 9, 7, 10], sor=[WorkResult(18, 25)]))
    assert standing.total == Fraction(85 + 72, 2)
    assert [(c.code, c.applied_weight) for c in standing.components] == [
        (FO, Fraction(1, 2)), (SOR, Fraction(1, 2)), (SOCH, 0)]
    assert (standing.absent, standing.provisional, standing.final) == ((SOCH,), True, False)
    assert standing.needed == {4: Fraction(101, 2), 5: Fraction(181, 2)}  # (64.5 - 39.25) / 0.5, (84.5 - 39.25) / 0.5


def test_fo_alone_stands_for_everything_until_more_arrives():
    standing = term(PeriodInputs(fo=[7]))
    assert (standing.total, standing.mark, standing.absent) == (70, 4, (SOR, SOCH))
    # FO and SOCH share the weight 1/4 : 1/2, so total = 70/3 + 2/3 * s
    assert standing.needed[4] == (Fraction(129, 2) - Fraction(1, 3) * 70) * Fraction(3, 2)


def test_without_any_entry_there_is_no_total_yet():
    standing = term(PeriodInputs())
    assert (standing.total, standing.rounded, standing.mark, standing.provisional) == (None, None, None, True)
    assert standing.needed == {4: Fraction(129, 2), 5: Fraction(169, 2)}


def test_needed_is_null_above_100_and_0_when_already_reached():
    assert term(PeriodInputs(fo=[1], sor=[WorkResult(0, 10)])).needed == {4: None, 5: None}
    light_soch = load_packs({"packs": [{
        "code": "X", "effective_from": "2030-09-01", "fo_max": 10, "sor_method": "points", "pool_fo_with_sor": False,
        "schemes": {"term": {"weights": {"FO": 0.45, "SOR": 0.45, "SOCH": 0.1}, "required_at_close": ["SOCH"]},
                    "half_year": {"weights": {"FO": 0.5, "SOR": 0.5}}},
        "half_year_hours": 1, "unmarked_grades": [1], "needed_for": [4, 5],
        "bands": [{"mark": b.mark, "from": b.lowest, "name": dict(b.name)} for b in KZ_2020.bands]}]})[0]
    standing = term(PeriodInputs(fo=[10], sor=[WorkResult(9, 10)]), light_soch)
    assert standing.needed == {4: 0, 5: 0}  # 0.45 * 100 + 0.45 * 90 = 85.5 already


def test_closing_needs_the_soch():
    with pytest.raises(PeriodIncomplete):
        term(PeriodInputs(fo=[9], sor=[WorkResult(9, 10)]), closed=True)


def test_at_close_an_absent_fo_keeps_its_weight_redistributed_and_the_mark_is_final():
    standing = term(PeriodInputs(sor=[WorkResult(9, 10)], soch=[WorkResult(7, 10)]), closed=True)
    assert standing.total == Fraction(1, 3) * 90 + Fraction(2, 3) * 70
    assert (standing.final, standing.provisional, standing.absent) == (True, False, (FO,))


@pytest.mark.parametrize(("scheme", "inputs", "ready"), [
    (TERM, PeriodInputs(fo=[5], sor=[WorkResult(1, 2)]), False),
    (TERM, PeriodInputs(soch=[WorkResult(1, 2)]), True),
    (TERM, PeriodInputs(fo=[5], status=Status.NOT_ASSESSED), True),
    (TERM, PeriodInputs(status=Status.EXEMPT), True),
    (HALF_YEAR, PeriodInputs(fo=[5]), False),
    (HALF_YEAR, PeriodInputs(sor=[WorkResult(1, 2)]), True),
    (Scheme.PASS_FAIL, PeriodInputs(fo=[5]), False),
    (Scheme.PASS_FAIL, PeriodInputs(passed=False), True),
    (Scheme.UNMARKED, PeriodInputs(), True),
])
def test_which_pupils_block_closing(scheme, inputs, ready):
    assert ready_to_close(KZ_2020, scheme, inputs) is ready


@pytest.mark.parametrize("status", [Status.EXEMPT, Status.NOT_ASSESSED])
def test_exempt_and_not_assessed_pupils_get_that_instead_of_a_mark(status):
    standing = term(PeriodInputs(fo=[9], status=status), closed=True)
    assert (standing.mark, standing.total, standing.needed, standing.final) == (str(status), None, {}, True)


def test_a_pass_fail_subject_takes_the_teachers_verdict():
    def verdict(passed):
        return compute_period(KZ_2020, Scheme.PASS_FAIL, PeriodInputs(fo=[8], passed=passed)).mark
    assert (verdict(True), verdict(False), verdict(None)) == ("pass", "fail", None)
    with pytest.raises(PeriodIncomplete):
        compute_period(KZ_2020, Scheme.PASS_FAIL, PeriodInputs(), closed=True)
    with pytest.raises(InvalidInput):
        compute_period(KZ_2020, Scheme.PASS_FAIL, PeriodInputs(sor=[WorkResult(1, 2)]))


def test_an_unmarked_subject_takes_no_points():
    assert compute_period(KZ_2020, Scheme.UNMARKED, PeriodInputs()).mark is None
    with pytest.raises(InvalidInput):
        compute_period(KZ_2020, Scheme.UNMARKED, PeriodInputs(fo=[5]))


@pytest.mark.parametrize("make", [
    lambda: term(PeriodInputs(fo=[0])),
    lambda: term(PeriodInputs(fo=[11])),
    lambda: term(PeriodInputs(fo=[True])),
    lambda: term(PeriodInputs(passed=True)),
    lambda: WorkResult(1.5, 10),
    lambda: WorkResult(11, 10),
    lambda: WorkResult(-1, 10),
    lambda: WorkResult(0, 0),
    lambda: WorkResult(Decimal("NaN"), 10),
    lambda: PeriodInputs(sor=[(1, 2)]),
])
def test_entries_the_rules_do_not_allow_are_refused(make):
    with pytest.raises(InvalidInput):
        make()


def test_several_soch_works_pool_their_points():
    standing = term(PeriodInputs(soch=[WorkResult(10, 20), WorkResult(25, 30)]))
    assert standing.percents[SOCH] == Fraction(3500, 50)


# -- properties ------------------------------------------------------------------------------------------------

PACKS = [KZ_2016, KZ_2020, KZ_2020.with_settings(sor_method="mean_of_percentages"),
         KZ_2020.with_settings(pool_fo_with_sor=True),
         KZ_2020.with_settings(pool_fo_with_sor=True, sor_method="mean_of_percentages")]


@st.composite
def works(draw, max_size):
    result = []
    for maximum in draw(st.lists(st.integers(1, 40), max_size=max_size)):
        result.append(WorkResult(draw(st.integers(0, maximum)), maximum))
    return result


inputs_strategy = st.builds(PeriodInputs, fo=st.lists(st.integers(1, 10), max_size=8), sor=works(3), soch=works(1))
packs = st.sampled_from(PACKS)


@given(packs, inputs_strategy)
def test_the_total_stays_in_0_to_100_and_its_parts_add_up(pack, inputs):
    standing = term(inputs, pack)
    present = [c for c in standing.components if c.present]
    if not present:
        assert standing.total is None
        return
    assert 0 <= standing.total <= 100
    assert sum(c.applied_weight for c in present) == 1
    assert standing.total == sum(c.applied_weight * c.percent for c in present)
    assert standing.mark == pack.mark_for(standing.total)
    assert standing.provisional == (len(present) < len(standing.components))


@given(packs, inputs_strategy, st.data())
def test_the_mark_never_drops_when_one_result_goes_up(pack, inputs, data):
    bumps = [("fo", i) for i, points in enumerate(inputs.fo) if points < 10]
    bumps += [(kind, i) for kind in ("sor", "soch") for i, w in enumerate(getattr(inputs, kind))
              if w.points < w.max_points]
    assume(bumps)
    kind, index = data.draw(st.sampled_from(bumps))
    entries = list(getattr(inputs, kind))
    if kind == "fo":
        entries[index] += 1
    else:
        entries[index] = WorkResult(entries[index].points + 1, entries[index].max_points)
    before = term(inputs, pack)
    after = term(PeriodInputs(**{"fo": inputs.fo, "sor": inputs.sor, "soch": inputs.soch, kind: entries}), pack)
    if before.total is None:  # only FO entered, and the pack does not count FO
        assert after.total is None
        return
    assert after.total >= before.total
    assert after.mark >= before.mark


@given(packs, inputs_strategy)
def test_needed_is_the_exact_boundary(pack, inputs):
    standing = term(inputs, pack)
    for mark, needed in standing.needed.items():
        def with_soch(percent):
            return term(PeriodInputs(fo=inputs.fo, sor=inputs.sor, soch=[WorkResult(percent, 100)]), pack).mark
        if needed is None:
            assert with_soch(100) < mark
            continue
        assert 0 <= needed <= 100
        assert with_soch(needed) >= mark
        if needed > 0:
            assert with_soch(max(Fraction(0), needed - Fraction(1, 100))) < mark


@given(st.lists(st.integers(0, 25), min_size=1, max_size=4), st.integers(1, 25))
def test_both_sor_methods_agree_when_every_work_has_the_same_maximum(points, maximum):
    sor = [WorkResult(min(p, maximum), maximum) for p in points]
    mean = KZ_2020.with_settings(sor_method="mean_of_percentages")
    assert term(PeriodInputs(sor=sor)).percents[SOR] == term(PeriodInputs(sor=sor), mean).percents[SOR]
