"""Criteria-based assessment (assessment-rules.md §3-§5, §8): pure functions, exact arithmetic, no I/O.

Typical use, for one pupil, subject and period::

    pack = pack_for(2026)                                  # the rule pack in force on 1 Sep 2026 (KZ-2020)
    scheme = scheme_for(pack, grade=7, assessment="criteria", hours_per_week=3)   # Scheme.TERM
    inputs = PeriodInputs(fo=[8, 9, 7], sor=[WorkResult(18, 25)], soch=[WorkResult(16, 20)])
    standing = compute_period(pack, scheme, inputs, closed=False)
    standing.total, standing.mark, standing.needed[5]      # Fraction, 4, Fraction | None
    standing_document(standing, "kk")                      # the JSON body of one subject in GET .../standing

Rule packs (`packs`): `rule_packs()` are the shipped ones (data/rule-packs.json), `load_packs(raw)` reads others
(a new pack is data), `pack_for(year, packs=None)`, `RulePack.with_settings(sor_method=, pool_fo_with_sor=,
fo_max=, half_year_weights=)` for a school's choices, `RulePack.mark_for(percent)`.

Inputs (`compute`): FO points are ints 1..fo_max; SOR/SOCH results are `WorkResult(points, max_points)` with
int, Decimal or Fraction (floats are refused); several SOCH works pool their points. `PeriodInputs.status` is
assessed, exempt or not_assessed; `passed` is the verdict of a pass/fail subject. Entries a scheme does not
have raise `InvalidInput`.

`compute_period` -> `Standing`:
- `percents`: FO%, SOR%, SOCH% each on its own; `components`: the counted ones with the pack's weight and the
  weight applied. A counted component without entries is absent and its weight goes proportionally to those
  present; the standing is then `provisional` (unless `closed`). Closing (`closed=True`) needs
  `ready_to_close(pack, scheme, inputs)` (the SOCH for a term, a SOR for a half-year, the verdict for pass/fail,
  or exempt / not assessed), else `PeriodIncomplete`; at close a still-absent FO or SOR keeps its weight
  redistributed, and the explanation says so.
- `total` (None without any entry) is never rounded; `rounded` and `mark` follow §3/§4 half-up rounding.
  `mark` is an int, "pass"/"fail", "exempt", "not_assessed", or None (no entries yet, unmarked, no verdict).
- `needed[m]`: the smallest SOCH percentage s in [0, 100] whose total rounds to mark m or higher, with FO and
  SOR as they are now (absent ones stay absent: the weights are redistributed over the components present plus
  the SOCH): s = max(0, (band start - 1/2 - base) / share); None when s > 100; empty when the scheme has no SOCH.
  The SOCH results already entered are ignored, so the figure answers "what did/do I need".

Serving numbers (`rounding.json_number`): Fractions become floats with 6 decimals, floored for standings and
ceiled for `needed`, so rounding the served figure never contradicts the mark and reaching it always suffices.
Explanations (`explain`): structured items {"code", "rule", "text", "value"} in kk or ru.
Annual marks and the year's decision (`annual`), class statistics (`statistics`).
"""
from chalicelib.domain.assessment.annual import Decision, YearOutcome, after_year_summative, annual_mark, year_outcome
from chalicelib.domain.assessment.compute import (
    ComponentScore,
    PeriodInputs,
    PeriodMark,
    Standing,
    Status,
    WorkResult,
    compute_period,
    ready_to_close,
)
from chalicelib.domain.assessment.errors import (
    AssessmentError,
    InvalidInput,
    NoRulePack,
    PeriodIncomplete,
    RulePackInvalid,
)
from chalicelib.domain.assessment.explain import explain, standing_document
from chalicelib.domain.assessment.packs import (
    FO,
    FO_SOR,
    SOCH,
    SOR,
    Band,
    RulePack,
    Scheme,
    Weighting,
    load_packs,
    pack_for,
    rule_packs,
    scheme_for,
)
from chalicelib.domain.assessment.rounding import json_number, round_half_up
from chalicelib.domain.assessment.statistics import ClassStatistics, class_statistics

__all__ = [
    "FO", "SOR", "SOCH", "FO_SOR", "Band", "Weighting", "RulePack", "Scheme", "load_packs", "rule_packs", "pack_for",
    "scheme_for", "Status", "WorkResult", "PeriodInputs", "ComponentScore", "PeriodMark", "Standing",
    "compute_period", "ready_to_close", "explain", "standing_document", "round_half_up", "json_number",
    "annual_mark", "after_year_summative", "year_outcome", "Decision", "YearOutcome", "class_statistics",
    "ClassStatistics", "AssessmentError", "InvalidInput", "NoRulePack", "PeriodIncomplete", "RulePackInvalid",
]
