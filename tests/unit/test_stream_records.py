"""Stream records read as changes, and the counting arithmetic every consumer and the reconciliation share."""
from __future__ import annotations

import itertools
import random
from fractions import Fraction
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.assessment import Scheme, compute_period, pack_for
from chalicelib.domain.standing import Cell, inputs_of
from chalicelib.domain.tally import (
    EntryState, Ledger, Target, accumulate, counted_inputs, difference, distribution, live_mark, pupil_results,
    pupil_sums, tally,
)
from chalicelib.store.journal import Entry, Lesson
from chalicelib.streams.records import MalformedRecord, change_of, read_record

_sequence = itertools.count(100)
_serialize = TypeSerializer().serialize
ENTRY = {"pk": "J#7", "sk": "T1#F#55#901"}
LESSON = {"pk": "J#7", "sk": "T1#L#2026-10-01#01"}


def image(**values: Any) -> dict[str, Any]:
    return {name: _serialize(value) for name, value in values.items() if value is not None}


def record(name: str, keys: dict[str, str], old: dict[str, Any] | None = None, new: dict[str, Any] | None = None,
           *, ttl: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"Keys": image(**keys), "SequenceNumber": str(next(_sequence)),
                            "ApproximateCreationDateTime": 1_791_000_000, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old is not None:
        body["OldImage"] = image(**keys, **old)
    if new is not None:
        body["NewImage"] = image(**keys, **new)
    raw = {"eventID": f"e{body['SequenceNumber']}", "eventName": name, "eventSource": "aws:dynamodb",
           "eventSourceARN": "arn:aws:dynamodb:eu-central-1:1:table/x/stream/y", "dynamodb": body}
    if ttl:
        raw["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return raw


def fo(version: int, points: int | None = None, **extra: Any) -> dict[str, Any]:
    return {"v": version, "p": points, "by": "t1", "at": "2026-10-01T09:00:00.000+05:00", "gsk": "2026-10-01",
            **extra}


def test_an_entry_written_is_a_change_with_both_images() -> None:
    change = change_of(read_record(record("MODIFY", ENTRY, fo(1, 6), fo(2, 8))))
    assert change is not None and (change.journal_id, change.term, change.entry) == ("7", "T1", ("F", "55", "901"))
    assert isinstance(change.new, Entry) and (change.old.points, change.new.points, change.version) == (6, 8, 2)
    assert change.record.created.year == 2026


def test_the_emulators_key_only_insert_and_no_op_modify_change_nothing() -> None:
    assert change_of(read_record(record("INSERT", ENTRY, None, {}))) is None
    assert change_of(read_record(record("MODIFY", ENTRY, fo(3, 6), fo(3, 6)))) is None
    assert change_of(read_record(record("INSERT", ENTRY, None, fo(1, 6)))).version == 1


def test_an_expiry_by_ttl_is_marked_and_a_deletion_is_not() -> None:
    tombstone = fo(4, ex=1_800_000_000)
    expired = change_of(read_record(record("REMOVE", ENTRY, tombstone, ttl=True)))
    deleted = change_of(read_record(record("REMOVE", ENTRY, fo(4, 6))))
    assert expired.expired and expired.new is None and expired.version == 4
    assert not deleted.expired and deleted.new is None and deleted.old.points == 6


def test_references_and_period_closes_are_no_changes_and_lessons_are() -> None:
    assert change_of(read_record(record("INSERT", {"pk": "R#55", "sk": "#"}, None, {"j": "7", "k": "x"}))) is None
    assert change_of(read_record(record("INSERT", {"pk": "J#7", "sk": "C#T1"}, None, {"by": "a"}))) is None
    lesson = change_of(read_record(record("INSERT", LESSON, None, {"v": 1, "id": "55", "n": 1, "su": "3"})))
    assert isinstance(lesson.new, Lesson) and lesson.entry is None


@pytest.mark.parametrize("broken", [
    lambda r: r.pop("dynamodb"),
    lambda r: r["dynamodb"].pop("SequenceNumber"),
    lambda r: r.update(eventName="UPSERT"),
    lambda r: r["dynamodb"]["NewImage"].pop("pk"),
    lambda r: r["dynamodb"]["NewImage"].update(p={"S": "many"}),
])
def test_a_record_that_cannot_be_read_is_malformed(broken: Any) -> None:
    raw = record("MODIFY", ENTRY, fo(1, 6), fo(2, 8))
    broken(raw)
    with pytest.raises(MalformedRecord):
        change_of(read_record(raw))


def test_an_entry_key_of_another_shape_is_malformed() -> None:
    with pytest.raises(MalformedRecord):
        change_of(read_record(record("INSERT", {"pk": "J#7", "sk": "T1#F#55"}, None, fo(1, 6))))


LESSON_TARGET = Target(1, "2026-10-01", "t1", topic=True)


def test_a_lesson_counts_for_its_pupils_its_teacher_and_its_school_day() -> None:
    ledger = Ledger("L", LESSON_TARGET, {("A", "p1"): EntryState(1, value="absent"),
                                         ("A", "p2"): EntryState(2, value="present"),
                                         ("F", "p1"): EntryState(1, value=7), ("F", "p2"): EntryState(3, value=None),
                                         ("F", "p3"): EntryState(5, live=False)})
    counted = tally(ledger)
    assert pupil_sums(counted) == {"p1": [7, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0], "p2": [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]}
    assert {k[-1]: n for k, n in counted.items() if k[0] == "teacher"} == {
        "lessons": 1, "topics": 1, "attendance": 2, "marks": 1}
    assert {k[-1]: n for k, n in counted.items() if k[0] == "school"} == {"entries": 4, "absences": 1}


def test_results_count_once_their_work_is_known() -> None:
    ledger = Ledger("W", None, {("R", "p1"): EntryState(1, value=15)})
    assert tally(ledger) == {}
    ledger.take_target(Target(1, "2026-10-02", "t1", work_kind="SOCH", max_points=20))
    assert pupil_sums(tally(ledger)) == {"p1": [0, 0, 0, 0, 15, 20, 0, 0, 0, 0, 0]}
    assert pupil_results(tally(ledger)) == {}  # SOCH is always by points: its sums are enough


def test_each_sor_result_counts_under_its_work_a_zero_too() -> None:
    ledger = Ledger("W", Target(1, "2026-10-02", "t1", work_kind="SOR", max_points=10),
                    {("R", "p1"): EntryState(1, value=0), ("R", "p2"): EntryState(2, value=7),
                     ("R", "p3"): EntryState(1, value=None)}, target_id="w1")
    assert pupil_results(tally(ledger)) == {"p1": {"w1": [0, 10]}, "p2": {"w1": [7, 10]}}


def test_an_expired_tombstone_is_forgotten_so_a_new_entry_starts_again() -> None:
    ledger = Ledger("L", LESSON_TARGET, {("F", "p1"): EntryState(4, live=False)})
    assert not ledger.take_entry("F", "p1", EntryState(1, value=9))
    assert ledger.forget_entry("F", "p1", 4)
    assert ledger.take_entry("F", "p1", EntryState(1, value=9))
    assert not ledger.forget_entry("F", "p1", 1)  # a live entry never expires away


_states = st.lists(st.tuples(st.sampled_from(["p1", "p2", "p3"]), st.sampled_from("AF"),
                             st.one_of(st.none(), st.sampled_from(["present", "absent", "ill", "late"]),
                                       st.integers(1, 10))), max_size=25)


@settings(max_examples=50, deadline=None)
@given(writes=_states, seed=st.integers(0, 2**32), topic=st.booleans())
def test_any_delivery_of_the_versions_counts_what_the_journal_holds(writes: list[Any], seed: int,
                                                                    topic: bool) -> None:
    """Every version of each entry delivered once or twice, shuffled (even within one entry, as a redrive
    does), in batches, the lesson last: the counters summed from the differences equal a recount."""
    versions: dict[tuple[str, str], int] = {}
    changes, final = [], Ledger("L", Target(2, "2026-10-01", "t1", topic=topic))
    for pupil, letter, value in writes:
        key = (letter, pupil)
        versions[key] = versions.get(key, 0) + 1
        if letter == "A" and isinstance(value, int) or letter == "F" and isinstance(value, str):
            value = None
        state = EntryState(versions[key], live=value is not None or letter == "F", value=value)
        changes.append((key, state))
        final.entries[key] = state
    rng = random.Random(seed)
    delivered = [c for c in changes for _ in range(rng.randint(1, 2))]
    rng.shuffle(delivered)
    counters: dict[Any, int] = {}
    ledger = Ledger("L")
    for start in range(0, len(delivered), 4):
        before = ledger.copy()
        for (letter, pupil), state in delivered[start:start + 4]:
            ledger.take_entry(letter, pupil, state)
        counters = accumulate([counters, difference(tally(ledger), tally(before))])
    before = ledger.copy()
    ledger.take_target(Target(1, "2026-10-01", "t1"))
    ledger.take_target(final.target)  # type: ignore[arg-type]
    counters = accumulate([counters, difference(tally(ledger), tally(before))])
    assert counters == tally(final)


def test_live_marks_follow_the_term_formula_and_their_distribution_counts_pupils() -> None:
    pack = pack_for(2026)
    # FO 8/10 -> 80 %, SOR 18/25 -> 72 %, SOCH 16/20 -> 80 %: 0.25*80 + 0.25*72 + 0.5*80 = 78 -> "4"
    assert live_mark([24, 3, 18, 25, 16, 20, 0, 0, 0, 0, 0], pack, Scheme.TERM) == 4
    assert live_mark([0] * 6 + [3, 0, 0, 0, 0], pack, Scheme.TERM) is None
    pupils = {"p1": [24, 3, 18, 25, 16, 20] + [0] * 5, "p2": [30, 3, 25, 25, 20, 20] + [0] * 5,
              "p3": [3, 3, 0, 0, 0, 0] + [0] * 5, "p4": [0] * 6 + [1, 0, 0, 0, 0]}
    assert distribution(pupils, pack, Scheme.TERM) == {"2": 1, "4": 1, "5": 1}
    assert distribution(pupils, pack, Scheme.PASS_FAIL) == {}


_entries = st.dictionaries(st.tuples(st.sampled_from("AFR"), st.sampled_from(["p1", "p2", "p3"])),
                           st.builds(EntryState, st.integers(1, 9), st.booleans(),
                                     st.one_of(st.none(), st.sampled_from(["present", "ill"]), st.integers(0, 10))))


@settings(max_examples=50, deadline=None)
@given(kind=st.sampled_from("LW"), entries=_entries, version=st.integers(1, 9))
def test_a_removed_lesson_or_work_counts_nothing_and_its_expiry_is_forgotten(kind: str, entries: Any,
                                                                             version: int) -> None:
    live = Target(version, "2026-10-02", "t1", topic=True, work_kind="SOR" if kind == "W" else None, max_points=20)
    ledger = Ledger(kind, live, dict(entries))
    assert not ledger.forget_target(version)  # a live lesson or work never expires away
    assert ledger.take_target(Target(version + 1, "2026-10-02", "t2", work_kind=live.work_kind, max_points=20,
                                     removed=True))
    assert tally(ledger) == {}  # nor its entries, nor its teacher's or school's day
    assert not ledger.take_target(live)  # a late record of the live one changes nothing
    assert not ledger.forget_target(version) and ledger.forget_target(version + 1)
    assert ledger.target is None


def test_counted_inputs_carry_the_schools_status_and_give_the_live_mark() -> None:
    pack, sums = pack_for(2026), [24, 3, 18, 25, 16, 20, 0, 0, 0, 0, 0]
    assert compute_period(pack, Scheme.TERM, counted_inputs(sums, pack, Scheme.TERM)).mark == 4
    assert compute_period(pack, Scheme.TERM, counted_inputs(sums, pack, Scheme.TERM, status="not_assessed")).mark \
        == "not_assessed"
    # a pass/fail subject takes its verdict, and of the sums only its FO (a stray SOR would not fit it)
    assert compute_period(pack, Scheme.PASS_FAIL, counted_inputs(sums, pack, Scheme.PASS_FAIL, passed=True)).mark \
        == "pass"
    assert live_mark(sums, pack, Scheme.HALF_YEAR) is not None  # a half-year subject has no SOCH: it is left out
    pooled = pack.with_settings(pool_fo_with_sor=True, fo_max=12)
    # FO+SOR pooled: (24 + 18) / (3*12 + 25) = 68.85 %, SOCH 80 %: 0.5*68.85 + 0.5*80 = 74.4 -> "4"
    assert live_mark(sums, pooled, Scheme.TERM) == 4


_works = st.lists(st.tuples(st.sampled_from(["w1", "w2", "w3"]), st.sampled_from(["p1", "p2"]),
                            st.one_of(st.none(), st.integers(0, 10))), max_size=20)


@settings(max_examples=30, deadline=None)
@given(writes=_works, seed=st.integers(0, 2**32), maxima=st.lists(st.integers(10, 30), min_size=3, max_size=3),
       fo=st.lists(st.integers(1, 10), max_size=4), method=st.sampled_from(["points", "mean_of_percentages"]),
       soch=st.one_of(st.none(), st.integers(0, 20)))
def test_counted_sor_results_give_the_standing_from_the_entries_for_every_method(
        writes: list[Any], seed: int, maxima: list[int], fo: list[int], method: str, soch: int | None) -> None:
    """Versions of SOR results in three works delivered once or twice and shuffled, each work's record at any
    point, one work deleted again: the counters from the differences equal a recount, and the inputs built from
    them give the engine's standing from the pupils' entries, whatever the SOR method."""
    pack = pack_for(2026).with_settings(sor_method=method)
    targets = {w: Target(1, "2026-10-02", "t1", work_kind="SOR", max_points=m) for w, m in zip(("w1", "w2", "w3"),
                                                                                             maxima)}
    versions: dict[tuple[str, str], int] = {}
    changes: list[tuple[str, Any]] = [(w, t) for w, t in targets.items()]
    finals = {w: Ledger("W", t, target_id=w) for w, t in targets.items()}
    for work, pupil, value in writes:
        versions[(work, pupil)] = versions.get((work, pupil), 0) + 1
        state = EntryState(versions[(work, pupil)], live=value is not None, value=value)
        changes.append((work, (pupil, state)))
        finals[work].entries[("R", pupil)] = state
    removed = Target(2, "2026-10-02", "t1", work_kind="SOR", max_points=maxima[2], removed=True)
    changes.append(("w3", removed))
    finals["w3"].take_target(removed)
    rng = random.Random(seed)
    delivered = [c for c in changes for _ in range(rng.randint(1, 2))]
    rng.shuffle(delivered)
    ledgers = {w: Ledger("W", target_id=w) for w in targets}
    counted: dict[Any, int] = {}
    for start in range(0, len(delivered), 3):
        befores = {w: ledger.copy() for w, ledger in ledgers.items()}
        for work, change in delivered[start:start + 3]:
            if isinstance(change, Target):
                ledgers[work].take_target(change)
            else:
                ledgers[work].take_entry("R", *change)
        counted = accumulate([counted, *(difference(tally(ledgers[w]), tally(befores[w])) for w in ledgers)])
    assert counted == accumulate(tally(final) for final in finals.values())
    sums, results = pupil_sums(counted), pupil_results(counted)
    for pupil in ("p1", "p2"):
        cells = [Cell("", "", "R", pupil, state.value, targets[w].max_points, "SOR") for w, final in finals.items()
                 if not final.target.removed for (_, who), state in final.entries.items()
                 if who == pupil and state.live]
        cells += [Cell("", "", "F", pupil, points) for points in fo]
        own = list(sums.get(pupil, [0] * 11))
        own[:2] = [sum(fo), len(fo)]
        if soch is not None:
            cells.append(Cell("", "", "R", pupil, soch, 20, "SOCH"))
            own[4:6] = [soch, 20]
        engine = compute_period(pack, Scheme.TERM, inputs_of(pack, Scheme.TERM, cells))
        live = compute_period(pack, Scheme.TERM, counted_inputs(own, pack, Scheme.TERM, results=results.get(pupil)))
        assert (live.total, live.mark, live.provisional) == (engine.total, engine.mark, engine.provisional)


def test_the_mean_of_sor_percentages_needs_each_result_and_sums_alone_fall_back_to_points() -> None:
    pack = pack_for(2026).with_settings(sor_method="mean_of_percentages")
    sums = [8, 1, 25, 30, 18, 20, 0, 0, 0, 0, 0]  # FO 80 %, SOR 5/10 and 20/20, SOCH 90 %
    results = {"w1": (5, 10), "w2": (20, 20)}
    assert compute_period(pack, Scheme.TERM, counted_inputs(sums, pack, Scheme.TERM, results=results)).total == \
        Fraction(8375, 100)  # 0.25*80 + 0.25*75 + 0.5*90: "4"
    assert live_mark(sums, pack, Scheme.TERM, results) == 4
    assert live_mark(sums, pack, Scheme.TERM) == 5  # a sheet without the results: 25/30 = 83.33 %, 85.83 %
    assert distribution({"p1": sums}, pack, Scheme.TERM, {"p1": results}) == {"4": 1}
