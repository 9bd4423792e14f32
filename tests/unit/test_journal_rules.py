"""The journal's rules (chalicelib.domain.journal): dates, limits, points, the edit window."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.journal import (
    Descriptor, EditWindow, EditWindowPassed, Marking, ReasonRequired, RulesBroken, SchoolCalendar, WorkFacts,
    check_attendance, check_formative, check_lesson, check_results, check_work, covering, result_points,
    terms_of, writer_role,
)

T1 = (date(2026, 9, 1), date(2026, 10, 25))
CAL = SchoolCalendar({"T1": T1, "T2": (date(2026, 11, 2), date(2026, 12, 27)), "H1": (T1[0], date(2026, 12, 27)),
                      "Y": (T1[0], date(2027, 5, 25))},
                     holidays=frozenset({date(2026, 10, 25), date(2026, 12, 16)}),
                     breaks=((date(2026, 10, 26), date(2026, 11, 1)),))
PUPILS = frozenset({"a", "b"})
TODAY = date(2026, 10, 5)
MATH7 = Marking(7, "criteria")


def slugs(violations) -> list[str]:
    return [v.slug for v in violations]


def work(**overrides):
    args = dict(kind="SOR", period="T1", day=date(2026, 10, 1), title="Бөлім 1", max_points=20, criteria=None,
                objectives=[], calendar=CAL, marking=MATH7, journal_id="j", works=[], class_soch_that_day=0,
                known_objectives=frozenset())
    return slugs(check_work(**{**args, **overrides}))


class TestCalendar:
    def test_a_lesson_on_a_school_day_is_fine_in_the_past_or_future(self) -> None:
        assert check_lesson(date(2026, 10, 1), 1, CAL) == []
        assert check_lesson(date(2026, 12, 1), 1, CAL) == []

    @pytest.mark.parametrize("day, slug", [
        (date(2026, 8, 31), "date-outside-period"),
        (date(2026, 10, 28), "date-outside-period"),  # the autumn break
        (date(2026, 12, 16), "holiday"),
        (date(2026, 9, 6), "not-a-school-day"),  # a Sunday
    ])
    def test_days_without_lessons(self, day: date, slug: str) -> None:
        assert slugs(check_lesson(day, 1, CAL)) == [slug]

    def test_saturday_is_a_school_day(self) -> None:
        assert check_lesson(date(2026, 9, 5), 1, CAL) == []

    def test_last_teaching_day_skips_the_weekend_and_holiday(self) -> None:
        # T1 ends on Sunday 25 October, Republic Day: the last Monday-to-Friday day is Friday 23 October.
        assert CAL.last_teaching_day("T1") == date(2026, 10, 23)

    def test_periods_of_a_term(self) -> None:
        assert covering("T3") == ("T3", "H2", "Y")
        assert terms_of("H1") == ("T1", "T2") and terms_of("Y") == ("T1", "T4")


class TestWorks:
    def test_a_plain_sor(self) -> None:
        assert work() == []

    def test_descriptor_points_add_up_to_the_maximum(self) -> None:
        assert work(criteria=[[5, 5], [10]]) == []
        assert work(criteria=[[5, 5], [9]]) == ["criteria-points"]

    def test_a_fourth_sor_in_a_term(self) -> None:
        three = [WorkFacts("SOR", "T1", date(2026, 9, d), "j") for d in (8, 15, 22)]
        assert work(works=three) == ["sor-limit"]
        assert work(works=three, journal_id="other") == []  # another subject's SOR do not count

    def test_sor_and_soch_of_one_subject_on_one_day(self) -> None:
        sor = [WorkFacts("SOR", "T1", date(2026, 10, 14), "j")]
        assert work(kind="SOCH", day=date(2026, 10, 14), works=sor) == ["sor-and-soch-same-day"]
        assert work(kind="SOCH", day=date(2026, 10, 15), works=sor) == []

    def test_no_soch_on_the_last_teaching_day(self) -> None:
        assert work(kind="SOCH", day=date(2026, 10, 23)) == ["soch-on-last-day"]
        assert work(kind="SOCH", day=date(2026, 10, 24)) == ["soch-on-last-day"]  # a six-day school's Saturday
        assert work(kind="SOCH", day=date(2026, 10, 22)) == []

    def test_a_fourth_soch_in_a_day_for_the_class_is_refused(self) -> None:
        assert work(kind="SOCH", day=date(2026, 10, 14), class_soch_that_day=3) == ["soch-daily-limit"]
        assert work(kind="SOCH", day=date(2026, 10, 14), class_soch_that_day=2) == []

    def test_date_outside_the_works_period(self) -> None:
        assert work(period="T2") == ["date-outside-period"]
        assert work(period="H1") == []

    def test_no_summative_work_in_a_pass_fail_subject(self) -> None:
        assert work(marking=Marking(7, "pass_fail")) == ["no-summative-in-pass-fail"]

    def test_unknown_objective(self) -> None:
        assert work(objectives=["7.1.1.1"], known_objectives=frozenset({"7.1.1.2"})) == ["unknown-objective"]


class TestEntries:
    def test_pupil_not_in_class_and_twice(self) -> None:
        entries = [{"student_id": "a", "status": "late"}, {"student_id": "z", "status": "ill"},
                   {"student_id": "a", "status": "present"}]
        assert slugs(check_attendance(entries, PUPILS, TODAY, TODAY)) == ["pupil-not-in-class", "duplicate-pupil"]

    def test_nothing_is_recorded_ahead_of_time(self) -> None:
        entries = [{"student_id": "a", "status": "present"}]
        assert slugs(check_attendance(entries, PUPILS, TODAY + timedelta(days=1), TODAY)) == ["future-date"]

    def test_unknown_status(self) -> None:
        assert slugs(check_attendance([{"student_id": "a", "status": "н"}], PUPILS, TODAY, TODAY)) == [
            "invalid-value"]

    @given(st.integers(min_value=-50, max_value=50))
    def test_formative_points_are_1_to_10(self, points: int) -> None:
        found = slugs(check_formative([{"student_id": "a", "points": points}], PUPILS, TODAY, TODAY, MATH7,
                                      frozenset()))
        assert found == ([] if 1 <= points <= 10 else ["points-out-of-range"])

    @pytest.mark.parametrize("marking, slug", [(Marking(1, "criteria"), "feedback-only"),
                                               (Marking(7, "none"), "feedback-only"),
                                               (Marking(7, "pass_fail"), "pass-fail-no-points")])
    def test_where_points_are_not_given(self, marking: Marking, slug: str) -> None:
        with_points = [{"student_id": "a", "points": 7, "feedback": "Жарайсың"}]
        assert slugs(check_formative(with_points, PUPILS, TODAY, TODAY, marking, frozenset())) == [slug]
        feedback = [{"student_id": "a", "feedback": "Жарайсың"}]
        assert check_formative(feedback, PUPILS, TODAY, TODAY, marking, frozenset()) == []

    @given(st.integers(min_value=-5, max_value=30))
    def test_result_points_up_to_the_maximum(self, points: int) -> None:
        found = slugs(check_results([{"student_id": "a", "points": points}], PUPILS, TODAY, TODAY, MATH7, 20, {},
                                    frozenset()))
        expected = [] if 0 <= points <= 20 else ["points-above-maximum" if points > 20 else "points-out-of-range"]
        assert found == expected

    @given(st.sets(st.sampled_from(["1", "2", "3"])))
    def test_descriptors_met_give_the_points(self, met: set[str]) -> None:
        descriptors = {"1": Descriptor("1", 4), "2": Descriptor("2", 6), "3": Descriptor("3", 10)}
        total = sum(descriptors[d].points for d in met)
        entry = {"student_id": "a", "descriptors_met": sorted(met)}
        assert result_points(entry, descriptors) == (total if met else None)
        assert check_results([{**entry, "points": total}], PUPILS, TODAY, TODAY, MATH7, 20, descriptors,
                             frozenset()) == []
        if met:
            wrong = check_results([{**entry, "points": total - 1}], PUPILS, TODAY, TODAY, MATH7, 20, descriptors,
                                  frozenset())
            assert slugs(wrong) == ["points-mismatch" if total - 1 >= 0 else "points-out-of-range"]

    def test_unknown_descriptor(self) -> None:
        entry = [{"student_id": "a", "descriptors_met": ["9"]}]
        assert slugs(check_results(entry, PUPILS, TODAY, TODAY, MATH7, 20, {}, frozenset())) == [
            "unknown-descriptor"]

    def test_rules_broken_is_typed_after_the_first(self) -> None:
        problem = RulesBroken("no", check_attendance([{"student_id": "z", "status": "x"}], PUPILS, TODAY, TODAY))
        assert problem.status == 422 and problem.type.endswith("/pupil-not-in-class")
        assert [e.field for e in problem.errors] == ["entries[0].student_id", "entries[0].status"]


class TestEditWindow:
    @given(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=60))
    def test_open_through_the_last_day_inclusive(self, days: int, after: int) -> None:
        day = date(2026, 9, 1)
        assert EditWindow(days).open_on(day, day + timedelta(days=after)) == (after <= days)
        assert EditWindow(None).open_on(day, day + timedelta(days=after))

    def test_teacher_after_the_window(self) -> None:
        late = TODAY + timedelta(days=8)
        with pytest.raises(EditWindowPassed):
            writer_role(EditWindow(7), TODAY, late, teacher=True, admin=False, reason="forgot")

    def test_administrator_corrects_with_a_reason(self) -> None:
        late = TODAY + timedelta(days=8)
        with pytest.raises(ReasonRequired):
            writer_role(EditWindow(7), TODAY, late, teacher=False, admin=True, reason="  ")
        assert writer_role(EditWindow(7), TODAY, late, teacher=False, admin=True, reason="appeal") == "school_admin"
        assert writer_role(EditWindow(7), TODAY, TODAY, teacher=True, admin=True, reason=None) == "teacher"
