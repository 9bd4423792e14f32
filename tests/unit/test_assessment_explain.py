"""Explanations in kk and ru, the served standing document, and serving exact numbers as JSON."""
import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.assessment import (
    InvalidInput, PeriodInputs, Scheme, Status, WorkResult, compute_period, explain, json_number, pack_for,
    round_half_up, standing_document,
)

KZ_2016, KZ_2020 = pack_for(2019), pack_for(2026)
FULL = PeriodInputs(fo=[8, 9, 7, 10], sor=[WorkResult(18, 25), WorkResult(17, 20)], soch=[WorkResult(16, 20)])


def items(standing, language="ru"):
    return {item["code"]: item for item in explain(standing, language)}


def term(inputs, pack=KZ_2020, **options):
    return compute_period(pack, Scheme.TERM, inputs, **options)


def test_the_explanation_walks_from_inputs_to_the_band():
    explained = explain(term(FULL), "ru")
    assert [item["code"] for item in explained] == [
        "rule_pack", "status.live", "input.FO", "input.SOR", "input.SOCH", "component.FO", "component.SOR",
        "component.SOCH", "total", "rounding", "band", "needed.4", "needed.5"]
    by_code = {item["code"]: item for item in explained}
    assert by_code["input.FO"]["value"] == {"count": 4, "points": 34, "max_points": 40}
    assert by_code["input.SOR"]["text"] == "СОр: работ — 2 (18/25, 17/20), баллы — 35 / 45."
    assert by_code["component.SOR"]["text"] == "СОр% = 35 / 45 × 100 = 77,77… %; вес 25 %."
    assert by_code["total"]["text"] == "Итог = 25 % × 85 + 25 % × 77,77… + 50 % × 80 = 80,69… %."
    assert by_code["rounding"]["value"] == 81
    assert by_code["band"]["text"] == "81 % — в диапазоне 65–84 %: «4» (хорошо)."
    assert by_code["needed.5"]["text"] == "«5»: на СОч нужно не менее 87,61… %."


def test_every_item_names_the_pack_and_section_it_follows():
    for item in explain(term(FULL), "kk"):
        assert set(item) == {"code", "rule", "text", "value"}
        assert item["rule"].startswith("KZ-2020 §") and item["text"]


def test_kazakh_uses_kazakh_names():
    by_code = items(term(FULL), "kk")
    assert by_code["rule_pack"]["text"] == "KZ-2020 ережелері, тоқсан: ҚБ 25 %, БЖБ 25 %, ТЖБ 50 %."
    assert by_code["band"]["text"] == "81 % — 65–84 % аралығында: «4» (жақсы)."
    assert by_code["needed.4"]["text"] == "«4» үшін ТЖБ бойынша кемінде 47,61… % қажет."


@pytest.mark.parametrize(("percent", "ru", "kk"), [
    (20, "неудовлетворительно", "қанағаттанарлықсыз"), (50, "удовлетворительно", "қанағаттанарлық"),
    (70, "хорошо", "жақсы"), (90, "отлично", "өте жақсы"),
])
def test_the_band_is_named_as_in_the_rules(percent, ru, kk):
    standing = term(PeriodInputs(soch=[WorkResult(percent, 100)]))
    assert f"({ru})" in items(standing, "ru")["band"]["text"]
    assert f"({kk})" in items(standing, "kk")["band"]["text"]


def test_a_live_standing_says_which_weights_were_redistributed():
    by_code = items(term(PeriodInputs(fo=[8, 9, 7, 10], sor=[WorkResult(18, 25)])))
    assert "status.provisional" in by_code
    assert by_code["redistributed"]["value"] == {"absent": ["SOCH"], "applied_weights": {"FO": 0.5, "SOR": 0.5}}
    assert by_code["redistributed"]["text"] == (
        "Нет данных: СОч; вес этих составляющих (50 %) распределён пропорционально: ФО 50 %, СОр 50 %.")
    assert by_code["component.FO"]["text"].endswith("вес 25 % → 50 % после перераспределения.")
    assert by_code["input.SOCH"]["text"] == "СОч: записей пока нет."


def test_needed_says_when_it_leans_on_redistributed_weights():
    by_code = items(term(PeriodInputs(fo=[7])), "kk")
    assert by_code["needed.basis"]["value"] == ["SOR"]
    assert "БЖБ" in by_code["needed.basis"]["text"]


def test_needed_says_when_a_mark_is_out_of_reach():
    by_code = items(term(PeriodInputs(fo=[1], sor=[WorkResult(0, 10)])))
    assert by_code["needed.5"]["text"] == "«5»: недостижима даже при 100 % за СОч."
    assert by_code["needed.5"]["value"] is None


def test_a_closed_period_says_the_mark_is_final():
    assert "status.final" in items(term(FULL, closed=True))


def test_without_entries_the_explanation_says_there_is_no_total():
    by_code = items(term(PeriodInputs()))
    assert "no_entries" in by_code and "total" not in by_code and "band" not in by_code


def test_kz_2016_says_fo_is_not_counted():
    by_code = items(term(FULL, KZ_2016))
    assert by_code["not_counted.FO"]["text"] == "ФО не входит в итог по правилам KZ-2016 (вес 0 %)."
    assert "component.FO" not in by_code


def test_a_pooled_block_shows_its_formula():
    by_code = items(term(FULL, KZ_2020.with_settings(pool_fo_with_sor=True)))
    assert by_code["component.FO+SOR"]["text"].startswith("ФО+СОр% = (34 + 35) / (4 × 10 + 45) × 100 = 81,17… %")


def test_mean_of_percentages_lists_each_work():
    by_code = items(term(FULL, KZ_2020.with_settings(sor_method="mean_of_percentages")))
    assert by_code["component.SOR"]["text"] == "СОр% = среднее из (72 %; 85 %) = 78,5 %; вес 25 %."


@pytest.mark.parametrize(("scheme", "inputs", "code", "ru", "kk"), [
    (Scheme.TERM, PeriodInputs(status=Status.EXEMPT), "status.exempt", "Освобождён (ОСВ)", "Босатылған"),
    (Scheme.TERM, PeriodInputs(status=Status.NOT_ASSESSED), "status.not_assessed", "Временно не аттестован",
     "Уақытша аттестатталмаған"),
    (Scheme.UNMARKED, PeriodInputs(), "status.unmarked", "Без отметок", "Бағасыз"),
    (Scheme.PASS_FAIL, PeriodInputs(passed=True), "verdict", "Зачёт.", "Сынақ."),
    (Scheme.PASS_FAIL, PeriodInputs(passed=False), "verdict", "Незачёт.", "Сынақ емес."),
])
def test_special_cases_are_explained_in_both_languages(scheme, inputs, code, ru, kk):
    standing = compute_period(KZ_2020, scheme, inputs)
    assert items(standing, "ru")[code]["text"].startswith(ru)
    assert items(standing, "kk")[code]["text"].startswith(kk)


def test_an_unknown_language_is_refused():
    with pytest.raises(InvalidInput):
        explain(term(FULL), "en")


def test_the_standing_document_has_the_contract_fields():
    document = standing_document(term(FULL), "ru")
    assert json.loads(json.dumps(document)) == document
    assert {k: document[k] for k in ("fo_percent", "sor_percent", "soch_percent", "total_percent", "mark",
                                     "provisional", "final", "rule_pack", "needed")} == {
        "fo_percent": 85.0, "sor_percent": 77.777777, "soch_percent": 80.0, "total_percent": 80.694444, "mark": 4,
        "provisional": False, "final": False, "rule_pack": "KZ-2020", "needed": {"4": 47.611112, "5": 87.611112}}


def test_a_half_year_document_keeps_the_needed_keys_empty():
    standing = compute_period(KZ_2020, Scheme.HALF_YEAR, PeriodInputs(fo=[9]))
    document = standing_document(standing, "kk")
    assert (document["needed"], document["soch_percent"]) == ({"4": None, "5": None}, None)


# -- properties ------------------------------------------------------------------------------------------------

@st.composite
def standings(draw):
    def work():
        maximum = draw(st.integers(1, 40))
        return WorkResult(draw(st.integers(0, maximum)), maximum)
    inputs = PeriodInputs(fo=draw(st.lists(st.integers(1, 10), max_size=6)),
                          sor=[work() for _ in range(draw(st.integers(0, 3)))],
                          soch=[work() for _ in range(draw(st.integers(0, 1)))])
    pack = draw(st.sampled_from([KZ_2016, KZ_2020, KZ_2020.with_settings(pool_fo_with_sor=True)]))
    return term(inputs, pack)


@given(standings(), st.sampled_from(["kk", "ru"]))
def test_the_explanations_numbers_add_up_to_the_total(standing, language):
    explained = explain(standing, language)
    components = [item["value"] for item in explained if item["code"].startswith("component.")]
    total = next((item["value"] for item in explained if item["code"] == "total"), None)
    if total is None:
        assert standing.total is None
        return
    assert sum(c["applied_weight"] for c in components) == pytest.approx(1, abs=1e-5)
    # each served figure is cut to 6 decimals: weights of 1/3 and 2/3 add up to 0.999999
    assert sum(c["applied_weight"] * c["percent"] for c in components) == pytest.approx(total, abs=1e-3)
    assert next(i["value"] for i in explained if i["code"] == "band") == standing.mark


percentages = st.fractions(min_value=0, max_value=100, max_denominator=10**9)


@given(percentages)
def test_a_served_percentage_keeps_6_decimals_and_never_rounds_to_another_mark(value):
    as_text = Decimal(json.dumps(json_number(value)))  # what a client reads
    assert 0 <= value - Fraction(as_text) < Fraction(1, 10**6)
    assert as_text == as_text.quantize(Decimal("0.000001"))
    assert int(as_text.quantize(Decimal(1), rounding=ROUND_HALF_UP)) == round_half_up(value)


@given(percentages)
def test_a_served_requirement_is_never_below_the_exact_one(value):
    served = Fraction(json.dumps(json_number(value, ceiling=True)))
    assert 0 <= served - value < Fraction(1, 10**6)


@pytest.mark.parametrize(("value", "rounded"), [
    (Fraction("39.5"), 40), (Fraction("64.49"), 64), (Fraction("84.5"), 85), (Fraction("43.52"), 44),
    (Fraction("43.31"), 43), (Fraction(129, 2) - Fraction(1, 10**30), 64),
])
def test_rounding_is_half_up_on_the_exact_value(value, rounded):
    assert round_half_up(value) == rounded
