"""The explanation of a standing in kk or ru, item by item, and the standing as a JSON-ready document.

Each item is `{"code", "rule", "text", "value"}`: `code` says what it is (`input.SOR`, `component.FO`, `total`,
`rounding`, `band`, `needed.5`, `status.final`, ...), `rule` names the pack and section of assessment-rules.md
it follows, `text` is for the reader, `value` is the number(s) behind it (JSON numbers, 6 decimals). In the
text a percentage shows 2 decimals, cut down ("77,77…" for 77.777...), so that rounding the shown figure never
contradicts the mark.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from chalicelib.domain.assessment.compute import ComponentScore, Standing, Status
from chalicelib.domain.assessment.errors import InvalidInput
from chalicelib.domain.assessment.packs import FO, FO_SOR, LANGUAGES, SOCH, SOR, Scheme
from chalicelib.domain.assessment.rounding import json_number

__all__ = ["explain", "standing_document"]

_NAMES = {
    "ru": {FO: "ФО", SOR: "СОр", SOCH: "СОч", FO_SOR: "ФО+СОр"},
    "kk": {FO: "ҚБ", SOR: "БЖБ", SOCH: "ТЖБ", FO_SOR: "ҚБ+БЖБ"},
}

_TEXTS = {
    "ru": {
        "scheme.term": "четверть", "scheme.half_year": "полугодие (предмет до {hours} ч в неделю)",
        "scheme.pass_fail": "зачёт/незачёт", "scheme.unmarked": "без отметок",
        "rule_pack": "Правила {pack}, {scheme}: {weights}.",
        "rule_pack.plain": "Правила {pack}, {scheme}.",
        "input.FO": "{name}: отметок — {count}, сумма баллов — {points}, максимум за отметку — {max}.",
        "input.work": "{name}: работ — {count} ({works}), баллы — {points} / {max}.",
        "input.none": "{name}: записей пока нет.",
        "mean": "среднее из ({items})",
        "mean.pooled": "среднее из {count} процентов (отметки ФО и работы СОр)",
        "weight": "вес {weight} %", "weight.applied": "вес {weight} % → {applied} % после перераспределения",
        "component": "{name}% = {formula} = {percent} %; {weight}.",
        "not_counted": "{name} не входит в итог по правилам {pack} (вес 0 %).",
        "redistributed": "Нет данных: {absent}; вес этих составляющих ({weight} %) распределён пропорционально: "
                         "{present}.",
        "no_entries": "Пока нет ни одной записи: итог не вычисляется.",
        "total": "Итог = {terms} = {total} %.",
        "rounding": "Округление до целого, половина вверх, с учётом всех знаков: {total} → {rounded} %.",
        "band": "{rounded} % — в диапазоне {lowest}–{highest} %: «{mark}» ({name}).",
        "needed": "«{mark}»: на {soch} нужно не менее {percent} %.",
        "needed.zero": "«{mark}»: обеспечена при любом результате {soch}.",
        "needed.none": "«{mark}»: недостижима даже при 100 % за {soch}.",
        "needed.basis": "«Нужно» рассчитано по имеющимся данным: пока нет {absent}; веса распределены так же.",
        "status.final": "Период закрыт: оценка окончательная и не пересматривается.",
        "status.provisional": "Оценка предварительная: не все составляющие ещё есть, веса перераспределены.",
        "status.live": "Текущая оценка: период ещё не закрыт.",
        "status.exempt": "Освобождён (ОСВ): отметка не выставляется и не входит в статистику.",
        "status.not_assessed": "Временно не аттестован (н/а): суммативная работа не выполнена; оценка будет "
                               "выставлена после её выполнения.",
        "status.unmarked": "Без отметок: только описательная обратная связь.",
        "verdict.pass": "Зачёт.", "verdict.fail": "Незачёт.", "verdict.none": "Зачёт/незачёт ещё не выставлен.",
    },
    "kk": {
        "scheme.term": "тоқсан", "scheme.half_year": "жартыжылдық (аптасына {hours} сағатқа дейінгі пән)",
        "scheme.pass_fail": "сынақ/сынақ емес", "scheme.unmarked": "бағасыз",
        "rule_pack": "{pack} ережелері, {scheme}: {weights}.",
        "rule_pack.plain": "{pack} ережелері, {scheme}.",
        "input.FO": "{name}: бағалар саны — {count}, балдар қосындысы — {points}, бір бағаның ең жоғары балы — {max}.",
        "input.work": "{name}: жұмыстар саны — {count} ({works}), балдар — {points} / {max}.",
        "input.none": "{name}: әзірге жазба жоқ.",
        "mean": "({items}) орташа мәні",
        "mean.pooled": "{count} пайыздың орташа мәні (ҚБ бағалары мен БЖБ жұмыстары)",
        "weight": "салмағы {weight} %", "weight.applied": "салмағы {weight} % → қайта бөлінгеннен кейін {applied} %",
        "component": "{name}% = {formula} = {percent} %; {weight}.",
        "not_counted": "{pack} ережелері бойынша {name} қорытындыға кірмейді (салмағы 0 %).",
        "redistributed": "Деректер жоқ: {absent}; осы бөліктердің салмағы ({weight} %) пропорционалды "
                         "бөлінді: {present}.",
        "no_entries": "Әзірге бірде-бір жазба жоқ: қорытынды есептелмейді.",
        "total": "Қорытынды = {terms} = {total} %.",
        "rounding": "Бүтінге дөңгелектеу, жартысы жоғарыға, барлық таңбалар ескеріледі: {total} → {rounded} %.",
        "band": "{rounded} % — {lowest}–{highest} % аралығында: «{mark}» ({name}).",
        "needed": "«{mark}» үшін {soch} бойынша кемінде {percent} % қажет.",
        "needed.zero": "«{mark}»: {soch} нәтижесіне қарамастан қамтамасыз етілген.",
        "needed.none": "«{mark}»: {soch} бойынша 100 % болса да, қол жеткізу мүмкін емес.",
        "needed.basis": "«Қажет» мәні бар деректер бойынша есептелді: {absent} әзірге жоқ; салмақтар да "
                        "солай бөлінді.",
        "status.final": "Кезең жабылды: баға түпкілікті, қайта қаралмайды.",
        "status.provisional": "Баға алдын ала: барлық құрамдас бөліктер әлі жоқ, салмақтар қайта бөлінді.",
        "status.live": "Ағымдағы баға: кезең әлі жабылмаған.",
        "status.exempt": "Босатылған: баға қойылмайды және статистикаға кірмейді.",
        "status.not_assessed": "Уақытша аттестатталмаған: жиынтық жұмыс орындалмаған; ол орындалғаннан кейін "
                               "баға қойылады.",
        "status.unmarked": "Бағасыз: тек сипаттамалы кері байланыс.",
        "verdict.pass": "Сынақ.", "verdict.fail": "Сынақ емес.", "verdict.none": "Сынақ/сынақ емес әлі қойылмаған.",
    },
}

_TEXT_PLACES = 2


def explain(standing: Standing, language: str) -> list[dict[str, Any]]:
    """Every input, component, weight, the total, its rounding, the band and `needed`, in kk or ru."""
    if language not in LANGUAGES:
        raise InvalidInput(f"explanations are in {list(LANGUAGES)}, not {language!r}")
    return _Explainer(standing, language).items()


def standing_document(standing: Standing, language: str) -> dict[str, Any]:
    """The standing as the API serves it (api-contract.md): percentages as JSON numbers, `needed` by mark."""
    percents = standing.percents
    needed = {str(mark): json_number(standing.needed.get(mark), ceiling=True) for mark in standing.pack.needed_for}
    return {
        "fo_percent": json_number(percents.get(FO)),
        "sor_percent": json_number(percents.get(SOR)),
        "soch_percent": json_number(percents.get(SOCH)),
        "total_percent": json_number(standing.total),
        "mark": standing.mark,
        "provisional": standing.provisional,
        "final": standing.final,
        "rule_pack": standing.pack.code,
        "scheme": str(standing.scheme),
        "explanation": explain(standing, language),
        "needed": needed,
    }


class _Explainer:
    def __init__(self, standing: Standing, language: str) -> None:
        self.standing = standing
        self.pack = standing.pack
        self.language = language
        self.texts = _TEXTS[language]
        self.names = _NAMES[language]
        self.out: list[dict[str, Any]] = []

    def items(self) -> list[dict[str, Any]]:
        standing = self.standing
        self.rule_pack()
        if standing.inputs.status is not Status.ASSESSED:
            self.add(f"status.{standing.inputs.status}", "§5", self.texts[f"status.{standing.inputs.status}"],
                     standing.mark)
        elif standing.scheme is Scheme.UNMARKED:
            self.add("status.unmarked", "§5", self.texts["status.unmarked"], None)
        elif standing.scheme is Scheme.PASS_FAIL:
            self.add("verdict", "§5", self.texts[f"verdict.{standing.mark or 'none'}"], standing.mark)
        else:
            self.weighted()
        return self.out

    def weighted(self) -> None:
        standing = self.standing
        self.status()
        for code in standing.percents:
            self.input(code)
        weighting = self.pack.weighting(standing.scheme)
        for code, weight in weighting.weights.items():
            if weight == 0:
                self.add(f"not_counted.{code}", "§5", self.text("not_counted", name=self.names[code],
                                                               pack=self.pack.code), None)
        for component in standing.components:
            if component.present:
                self.component(component)
        if standing.absent:
            self.redistributed()
        if standing.total is None:
            self.add("no_entries", "§3", self.texts["no_entries"], None)
        else:
            self.total()
        self.needed()

    def rule_pack(self) -> None:
        standing, pack = self.standing, self.pack
        scheme = self.text(f"scheme.{standing.scheme}", hours=pack.half_year_hours)
        if standing.scheme in pack.schemes:
            weights = ", ".join(f"{self.names[code]} {self.number(100 * weight)} %"
                                for code, weight in pack.weighting(standing.scheme).weights.items())
            text = self.text("rule_pack", pack=pack.code, scheme=scheme, weights=weights)
        else:
            text = self.text("rule_pack.plain", pack=pack.code, scheme=scheme)
        self.add("rule_pack", "§3, §5", text, pack.code)

    def status(self) -> None:
        standing = self.standing
        key = "final" if standing.final else "provisional" if standing.provisional else "live"
        self.add(f"status.{key}", "§3, §5", self.texts[f"status.{key}"], None)

    def input(self, code: str) -> None:
        inputs, name = self.standing.inputs, self.names[code]
        if code == FO and inputs.fo:
            count, points = len(inputs.fo), sum(inputs.fo)
            text = self.text("input.FO", name=name, count=count, points=points, max=self.pack.fo_max)
            value = {"count": count, "points": points, "max_points": count * self.pack.fo_max}
        elif code != FO and inputs.has(code):
            works = inputs.sor if code == SOR else inputs.soch
            points, maximum = sum(w.points for w in works), sum(w.max_points for w in works)
            listed = ", ".join(f"{self.number(w.points)}/{self.number(w.max_points)}" for w in works)
            text = self.text("input.work", name=name, count=len(works), works=listed, points=self.number(points),
                             max=self.number(maximum))
            value = {"count": len(works), "points": json_number(points), "max_points": json_number(maximum)}
        else:
            text, value = self.text("input.none", name=name), None
        self.add(f"input.{code}", "§2", text, value)

    def component(self, component: ComponentScore) -> None:
        weight = self.number(100 * component.weight)
        if component.applied_weight == component.weight:
            weight_text = self.text("weight", weight=weight)
        else:
            applied = self.number(100 * component.applied_weight)
            weight_text = self.text("weight.applied", weight=weight, applied=applied)
        text = self.text("component", name=self.names[component.code], formula=self.formula(component.code),
                         percent=self.number(component.percent), weight=weight_text)
        value = {"percent": json_number(component.percent), "weight": json_number(component.weight),
                 "applied_weight": json_number(component.applied_weight)}
        self.add(f"component.{component.code}", "§3", text, value)

    def formula(self, code: str) -> str:
        inputs, pack, n = self.standing.inputs, self.pack, self.number
        if code == FO:
            return f"{sum(inputs.fo)} / ({len(inputs.fo)} × {pack.fo_max}) × 100"
        if code == FO_SOR:
            if pack.sor_method == "mean_of_percentages":
                return self.text("mean.pooled", count=len(inputs.fo) + len(inputs.sor))
            sor_points, sor_max = sum(w.points for w in inputs.sor), sum(w.max_points for w in inputs.sor)
            return (f"({sum(inputs.fo)} + {n(sor_points)}) / ({len(inputs.fo)} × {pack.fo_max} + {n(sor_max)})"
                    " × 100")
        works = inputs.sor if code == SOR else inputs.soch
        if code == SOR and pack.sor_method == "mean_of_percentages":
            return self.text("mean", items="; ".join(f"{n(w.percent)} %" for w in works))
        return f"{n(sum(w.points for w in works))} / {n(sum(w.max_points for w in works))} × 100"

    def redistributed(self) -> None:
        standing = self.standing
        present = [c for c in standing.components if c.present]
        absent_weight = sum((c.weight for c in standing.components if not c.present), Fraction(0))
        text = self.text("redistributed", absent=self.listing(standing.absent), weight=self.number(100 * absent_weight),
                         present=", ".join(f"{self.names[c.code]} {self.number(100 * c.applied_weight)} %"
                                           for c in present) or "—")
        value = {"absent": list(standing.absent),
                 "applied_weights": {c.code: json_number(c.applied_weight) for c in present}}
        self.add("redistributed", "§3", text, value)

    def total(self) -> None:
        standing = self.standing
        terms = " + ".join(f"{self.number(100 * c.applied_weight)} % × {self.number(c.percent)}"
                           for c in standing.components if c.present)
        total = self.number(standing.total)
        self.add("total", "§3", self.text("total", terms=terms, total=total), json_number(standing.total))
        self.add("rounding", "§3", self.text("rounding", total=total, rounded=standing.rounded), standing.rounded)
        band = self.pack.band_for(standing.total)
        self.add("band", "§4", self.text("band", rounded=standing.rounded, lowest=band.lowest, highest=band.highest,
                                         mark=band.mark, name=band.name[self.language]), band.mark)

    def needed(self) -> None:
        standing = self.standing
        if not standing.needed:
            return
        soch = self.names[SOCH]
        for mark, percent in standing.needed.items():
            if percent is None:
                text = self.text("needed.none", mark=mark, soch=soch)
            elif percent == 0:
                text = self.text("needed.zero", mark=mark, soch=soch)
            else:
                text = self.text("needed", mark=mark, soch=soch, percent=self.number(percent))
            self.add(f"needed.{mark}", "§3", text, json_number(percent, ceiling=True))
        others_absent = [code for code in standing.absent if code != SOCH]
        if others_absent:
            self.add("needed.basis", "§3", self.text("needed.basis", absent=self.listing(others_absent)),
                     others_absent)

    def add(self, code: str, section: str, text: str, value: Any) -> None:
        self.out.append({"code": code, "rule": f"{self.pack.code} {section}", "text": text, "value": value})

    def text(self, key: str, **values: Any) -> str:
        return self.texts[key].format(**values)

    def listing(self, codes: tuple[str, ...] | list[str]) -> str:
        return ", ".join(self.names[code] for code in codes)

    @staticmethod
    def number(value: Fraction) -> str:
        """Up to 2 decimals with a decimal comma; a longer value is cut down and marked with "…"."""
        scaled = value * 10**_TEXT_PLACES
        whole = math.floor(scaled)
        text = f"{whole // 10**_TEXT_PLACES},{whole % 10**_TEXT_PLACES:0{_TEXT_PLACES}d}".rstrip("0").rstrip(",")
        return text if whole == scaled else text + "…"
