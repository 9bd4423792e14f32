"""Notices to guardians: wording in kk and ru, quiet hours, coalescing and digest decisions (pure)."""
from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.dates import KZ_TZ
from chalicelib.domain.errors import RuleViolation
from chalicelib.domain.notices import (
    DEFAULT_QUIET, SHORT_LIMIT, InvalidNotice, Names, NoticeEvent, Outbox, Preferences, QuietHours, Queued, compose,
    due_at, next_outbox, render, updated_preferences,
)

AT = datetime(2026, 10, 5, 10, 0, tzinfo=KZ_TZ)  # a Monday morning
MATH = Names("Математика", "Математика")
SELF = Names("Өзін-өзі тану", "Самопознание")
PUPIL = "Ерлан Өтепов"


def event(kind: str = "formative", version: int = 1, **values) -> NoticeEvent:
    defaults = {"formative": {"points": 7, "max_points": 10, "lesson_date": date(2026, 10, 5)},
                "result": {"points": 17, "max_points": 21, "work_kind": "SOR", "work_title": "Бөлім 1"},
                "attendance": {"status": "absent", "lesson_date": date(2026, 10, 5)},
                "period_mark": {"period": "T1", "mark": 5}}[kind]
    return NoticeEvent(kind=kind, student_id="11", journal_id="22", source_key="J#22|T1#F#33#11",
                       source_version=version, occurred_at=AT, **{**defaults, **values})


# Wording ----------------------------------------------------------------------------------------------------

def test_a_formative_mark_in_kazakh_is_byte_exact():
    notice = render(event(feedback="Жақсы, бірақ есепті тексер."), PUPIL, MATH, "kk")
    assert notice.title == "Қалыптастырушы бағалау: Математика"
    assert notice.body == ("Ерлан Өтепов, 05.10.2026, Математика: 10 балдан 7 балл.\n"
                           "Мұғалімнің кері байланысы: Жақсы, бірақ есепті тексер.")
    assert "Қалыптастырушы".encode() == b"\xd2\x9a\xd0\xb0\xd0\xbb\xd1\x8b\xd0\xbf\xd1\x82\xd0\xb0\xd1\x81\xd1\x82" \
                                         b"\xd1\x8b\xd1\x80\xd1\x83\xd1\x88\xd1\x8b"
    assert unicodedata.is_normalized("NFC", notice.body)


def test_a_formative_mark_in_russian():
    notice = render(event(feedback="Хорошо"), PUPIL, MATH, "ru")
    assert notice.title == "Формативное оценивание: Математика"
    assert notice.body == "Ерлан Өтепов, 05.10.2026, Математика: 7 из 10 баллов.\nОтзыв учителя: Хорошо"


def test_feedback_without_points_still_tells_the_guardian():
    assert render(event(points=None, feedback="Молодец"), PUPIL, MATH, "kk").line == \
        "05.10.2026, Математика: мұғалімнің кері байланысы"
    assert render(event(points=None), PUPIL, MATH, "ru").line == "05.10.2026, Математика: отзыв учителя"


@pytest.mark.parametrize(("kind", "kk", "ru"), [
    ("SOR", ("БЖБ нәтижесі: Өзін-өзі тану", "Ерлан Өтепов, Өзін-өзі тану, БЖБ «Бөлім 1»: 21 балдан 17 балл."),
     ("Результат СОР: Самопознание", "Ерлан Өтепов, Самопознание, СОР «Бөлім 1»: 17 из 21 балла.")),
    ("SOCH", ("ТЖБ нәтижесі: Өзін-өзі тану", "Ерлан Өтепов, Өзін-өзі тану, ТЖБ «Бөлім 1»: 21 балдан 17 балл."),
     ("Результат СОЧ: Самопознание", "Ерлан Өтепов, Самопознание, СОЧ «Бөлім 1»: 17 из 21 балла.")),
])
def test_summative_results_name_the_work_and_subject_in_each_language(kind, kk, ru):
    e = event("result", work_kind=kind)
    assert (render(e, PUPIL, SELF, "kk").title, render(e, PUPIL, SELF, "kk").body) == kk
    assert (render(e, PUPIL, SELF, "ru").title, render(e, PUPIL, SELF, "ru").body) == ru


@pytest.mark.parametrize(("status", "kk", "ru"), [
    ("absent", "себепсіз келмеді", "пропуск без уважительной причины"),
    ("excused", "дәлелді себеппен келмеді", "пропуск по уважительной причине"),
    ("ill", "ауырып келмеді", "пропуск по болезни"),
    ("late", "сабаққа кешікті", "опоздание"),
])
def test_every_attendance_status_but_present_has_words(status, kk, ru):
    e = event("attendance", status=status, feedback="Анықтама әкелді")
    assert render(e, PUPIL, MATH, "kk").body == f"Ерлан Өтепов, 05.10.2026, Математика: {kk}.\n" \
                                                "Мұғалімнің түсініктемесі: Анықтама әкелді"
    assert render(e, PUPIL, MATH, "ru").body == f"Ерлан Өтепов, 05.10.2026, Математика: {ru}.\n" \
                                                "Комментарий учителя: Анықтама әкелді"
    assert render(e, PUPIL, MATH, "kk").title == "Сабаққа қатысу: Математика"
    assert render(e, PUPIL, MATH, "ru").title == "Посещаемость: Математика"


@pytest.mark.parametrize(("period", "mark", "kk", "ru"), [
    ("T1", 5, "1-тоқсан бағасы: 5 (өте жақсы)", "оценка за 1 четверть: 5 (отлично)"),
    ("T3", 2, "3-тоқсан бағасы: 2 (қанағаттанарлықсыз)", "оценка за 3 четверть: 2 (неудовлетворительно)"),
    ("H2", 3, "2-жартыжылдық бағасы: 3 (қанағаттанарлық)", "оценка за 2 полугодие: 3 (удовлетворительно)"),
    ("Y", 4, "жылдық баға: 4 (жақсы)", "оценка за учебный год: 4 (хорошо)"),
    ("T2", "pass", "2-тоқсан бағасы: есептелді", "оценка за 2 четверть: зачёт"),
    ("T2", "exempt", "2-тоқсан бағасы: босатылған", "оценка за 2 четверть: освобождён(а)"),
])
def test_final_period_marks(period, mark, kk, ru):
    e = event("period_mark", period=period, mark=mark)
    assert render(e, PUPIL, SELF, "kk").body == f"Ерлан Өтепов, Өзін-өзі тану, {kk}."
    assert render(e, PUPIL, SELF, "ru").body == f"Ерлан Өтепов, Самопознание, {ru}."
    assert render(e, PUPIL, SELF, "kk").title == "Қорытынды баға: Өзін-өзі тану"


@pytest.mark.parametrize(("alert", "mark", "kk", "ru"), [
    ("entered", None, "1-тоқсан: ағымдағы баға «2»-ге түсті (40 %-дан төмен)",
     "1 четверть: текущая оценка снизилась до «2» (ниже 40 %)"),
    ("left", 3, "1-тоқсан: ағымдағы баға енді «2» емес, қазір «3»",
     "1 четверть: текущая оценка больше не «2», сейчас «3»"),
    ("left", "exempt", "1-тоқсан: ағымдағы баға енді «2» емес, қазір «босатылған»",
     "1 четверть: текущая оценка больше не «2», сейчас «освобождён(а)»"),
])
def test_a_mark_alert_names_the_subject_and_period_in_each_language(alert, mark, kk, ru):
    e = NoticeEvent(kind="mark_alert", student_id="11", journal_id="22", source_key="A#11|B#22#T1", source_version=1,
                    occurred_at=AT, period="T1", alert=alert, mark=mark, count=1)
    assert render(e, PUPIL, SELF, "kk").title == "Назар аударыңыз: Өзін-өзі тану"
    assert render(e, PUPIL, SELF, "kk").body == f"Ерлан Өтепов, Өзін-өзі тану, {kk}."
    assert render(e, PUPIL, SELF, "ru").body == f"Ерлан Өтепов, Самопознание, {ru}."


def test_an_absence_alert_names_the_week_and_no_subject():
    e = NoticeEvent(kind="absence_alert", student_id="11", journal_id="22", source_key="A#11|W#2026-10-05",
                    source_version=1, occurred_at=AT, lesson_date=date(2026, 10, 5), count=3)
    assert not e.names_subject
    kk, ru = render(e, PUPIL, None, "kk"), render(e, PUPIL, None, "ru")
    assert (kk.title, kk.body) == ("Себепсіз қалдырылған сабақтар",
                                   "Ерлан Өтепов, 05.10.2026 басталған аптада 3 сабақ себепсіз қалдырылды.")
    assert (ru.title, ru.body) == ("Пропуски без уважительной причины",
                                   "Ерлан Өтепов, на неделе с 05.10.2026 пропущено уроков без уважительной причины: 3.")
    with pytest.raises(InvalidNotice):
        render(event(), PUPIL, None, "kk")  # a mark needs its subject


def test_crossings_of_the_band_are_told_apart():
    def crossing(n: int, alert: str) -> NoticeEvent:
        return NoticeEvent(kind="mark_alert", student_id="11", journal_id="22", source_key="A#11|B#22#T1",
                           source_version=n, occurred_at=AT, period="T1", alert=alert, count=n)

    assert crossing(1, "entered").fingerprint != crossing(3, "entered").fingerprint  # entering again is news
    with pytest.raises(InvalidNotice):
        crossing(1, "wobbled")


@pytest.mark.parametrize(("maximum", "word"), [(1, "балла"), (10, "баллов"), (11, "баллов"), (21, "балла"),
                                               (25, "баллов"), (101, "балла"), (111, "баллов")])
def test_russian_says_iz_n_balla_or_ballov(maximum, word):
    assert render(event(points=1, max_points=maximum), PUPIL, MATH, "ru").line.endswith(f"1 из {maximum} {word}")


def test_long_feedback_is_cut_to_an_excerpt():
    notice = render(event(feedback="ә" * 1000), PUPIL, MATH, "kk")
    assert notice.note is not None and notice.note.endswith("…") and len(notice.note) < 400


@pytest.mark.parametrize("bad", [
    {"kind": "homework"}, {"occurred_at": datetime(2026, 10, 5, 10)}, {"source_version": 0},
    {"kind": "attendance", "status": None}, {"kind": "result", "work_kind": "exam"},
    {"kind": "period_mark", "period": "T5"}, {"kind": "period_mark", "mark": True},
])
def test_events_that_cannot_be_worded_are_refused(bad):
    base = {"kind": "period_mark", "student_id": "1", "journal_id": "2", "source_key": "k", "source_version": 1,
            "occurred_at": AT, "period": "T1", "mark": 5, "status": "absent", "work_kind": "SOR"}
    with pytest.raises(InvalidNotice):
        NoticeEvent(**{**base, **bad})


def test_a_withdrawal_is_never_worded():
    for withdrawn in (event(removed=True), event("attendance", status="present")):
        assert withdrawn.withdrawn
        with pytest.raises(InvalidNotice):
            render(withdrawn, PUPIL, MATH, "kk")


def test_the_fingerprint_follows_what_is_said_not_the_version():
    assert event(version=1).fingerprint == event(version=2).fingerprint
    assert event(points=7).fingerprint != event(points=8).fingerprint
    assert event(feedback="a").fingerprint != event(feedback="b").fingerprint


# Quiet hours and due times ----------------------------------------------------------------------------------

def at(hh: int, mm: int = 0, day: int = 5) -> datetime:
    return datetime(2026, 10, day, hh, mm, tzinfo=KZ_TZ)


@pytest.mark.parametrize(("moment", "held", "released"), [
    (at(21, 59), False, at(21, 59)), (at(22, 0), True, at(7, 0, 6)), (at(23, 59), True, at(7, 0, 6)),
    (at(0, 0, 6), True, at(7, 0, 6)), (at(6, 59, 6), True, at(7, 0, 6)), (at(7, 0, 6), False, at(7, 0, 6)),
])
def test_default_quiet_hours_span_midnight(moment, held, released):
    assert DEFAULT_QUIET.holds(moment) is held
    assert DEFAULT_QUIET.release(moment) == released


def test_quiet_hours_read_any_offset_as_local_time():
    utc_evening = datetime(2026, 10, 5, 17, 30, tzinfo=UTC)  # 22:30 in Kazakhstan
    assert DEFAULT_QUIET.holds(utc_evening)
    assert DEFAULT_QUIET.release(utc_evening) == at(7, 0, 6)


def test_quiet_hours_within_one_day():
    nap = QuietHours.parse("13:00", "15:00")
    assert not nap.holds(at(12, 59)) and nap.holds(at(13, 0)) and not nap.holds(at(15, 0))
    assert nap.release(at(14, 0)) == at(15, 0)


@pytest.mark.parametrize(("start", "end"), [("24:00", "07:00"), ("7:00", "08:00"), ("22:00", "22:00"),
                                            ("22:60", "07:00"), ("", "07:00")])
def test_malformed_quiet_hours(start, end):
    with pytest.raises(ValueError):
        QuietHours.parse(start, end)


@given(st.times(), st.times(), st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)))
def test_release_is_the_first_moment_outside_quiet_hours(start, end, moment):
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    if start == end:
        return
    quiet, local = QuietHours(start, end), moment.replace(tzinfo=KZ_TZ)
    released = quiet.release(local)
    assert local <= released < local + timedelta(days=1)
    assert not quiet.holds(released)
    assert (released == local) is (not quiet.holds(local))
    assert released == local or released.time() == end


def test_an_immediate_message_waits_for_the_window_then_for_the_morning():
    window = timedelta(minutes=10)
    assert due_at("immediate", at(10, 0), window=window) == at(10, 10)
    assert due_at("immediate", at(21, 55), window=window) == at(7, 0, 6)
    assert due_at("immediate", at(21, 55), window=window, quiet=None) == at(22, 5)


def test_a_daily_message_waits_for_the_evening_digest():
    assert due_at("daily", at(8, 0)) == at(19, 0)
    assert due_at("daily", at(18, 59)) == at(19, 0)
    assert due_at("daily", at(19, 0)) == at(19, 0, 6)
    assert due_at("daily", at(8, 0), quiet=QuietHours.parse("18:00", "08:00")) == at(8, 0, 6)
    with pytest.raises(InvalidNotice):
        due_at("off", at(8, 0))


# Coalescing -------------------------------------------------------------------------------------------------

DUE = at(10, 10)


def test_a_first_change_queues_a_message():
    assert next_outbox(None, event(), DUE) == Outbox(1, event().fingerprint, None, DUE)


def test_a_duplicate_or_older_version_changes_nothing():
    state = Outbox(2, "fp", None, DUE)
    assert next_outbox(state, event(version=2), at(11)) is None
    assert next_outbox(state, event(version=1), at(11)) is None


def test_a_correction_in_the_window_replaces_the_message_and_keeps_its_place():
    first = next_outbox(None, event(points=4), DUE)
    corrected = next_outbox(first, event(version=2, points=8), at(10, 15))
    assert corrected == Outbox(2, event(points=8).fingerprint, None, DUE)


def test_a_change_back_to_what_was_sent_sends_nothing():
    sent = Outbox(1, None, event(points=4).fingerprint, None)
    changed = next_outbox(sent, event(version=2, points=8), at(11))
    assert changed is not None and changed.pending == event(points=8).fingerprint
    back = next_outbox(changed, event(version=3, points=4), at(11, 5))
    assert back == Outbox(3, None, event(points=4).fingerprint, None)


def test_a_withdrawal_cancels_the_waiting_message_and_remembers_its_version():
    waiting = next_outbox(None, event("attendance", status="absent"), DUE)
    assert next_outbox(waiting, event("attendance", version=2, status="present"), DUE) == Outbox(2, None, None, None)
    assert next_outbox(None, event(version=5, removed=True), DUE) == Outbox(5, None, None, None)


@given(st.lists(st.sampled_from([1, 2, 3, 4]), min_size=1, max_size=12))
def test_in_any_order_with_duplicates_the_newest_version_is_what_waits(order):
    points = {1: 4, 2: 9, 3: 6, 4: 10}
    state = None
    for version in order:
        state = next_outbox(state, event(version=version, points=points[version]), DUE) or state
    newest = max(order)
    assert state.version == newest
    assert state.pending == event(points=points[newest]).fingerprint


# Preferences ------------------------------------------------------------------------------------------------

def test_defaults_inbox_immediate_email_daily_with_an_address_sms_off_push_immediate():
    prefs = Preferences()
    assert prefs.shown("kk", email_known=True) == {
        "language": "kk", "channels": {"inbox": "immediate", "email": "daily", "sms": "off", "push": "immediate"},
        "quiet_hours": {"from": "22:00", "to": "07:00"}}
    assert prefs.shown("ru", email_known=False)["channels"]["email"] == "off"
    assert prefs.mode("push", reachable=False) == "off"


def test_a_change_names_only_what_it_changes():
    prefs, language = updated_preferences(Preferences(), {"channels": {"sms": "immediate"}})
    assert language is None and prefs.mode("sms") == "immediate" and prefs.mode("email") == "daily"
    prefs, language = updated_preferences(prefs, {"language": "ru", "quiet_hours": None})
    assert language == "ru" and prefs.quiet is None and prefs.mode("sms") == "immediate"
    prefs, _ = updated_preferences(prefs, {"quiet_hours": {"from": "21:30", "to": "06:45"}})
    assert prefs.quiet == QuietHours(time(21, 30), time(6, 45))


def test_values_that_are_not_allowed_are_all_listed():
    with pytest.raises(RuleViolation) as caught:
        updated_preferences(Preferences(), {"language": "en", "channels": {"inbox": "daily", "email": "hourly"},
                                            "quiet_hours": {"from": "25:00", "to": "07:00"}})
    assert {e.field for e in caught.value.errors} == {"language", "channels.inbox", "channels.email", "quiet_hours"}
    assert caught.value.status == 422


# Composition ------------------------------------------------------------------------------------------------

def queued(pupil: str, minute: int, subject: Names = MATH, language: str = "kk", **values) -> Queued:
    return Queued(render(event(**values), pupil, subject, language), at(10, minute))


def test_one_notice_leaves_as_itself():
    item = queued(PUPIL, 0, feedback="Жарайсың")
    message = compose([item], "kk", digest=False, day=date(2026, 10, 5))
    assert (message.subject, message.text) == (item.notice.title, item.notice.body)


def test_several_notices_for_one_pupil_coalesce_into_one_message_in_time_order():
    later, earlier = queued(PUPIL, 9, points=9), queued(PUPIL, 1, points=3)
    kk = compose([later, earlier], "kk", digest=False, day=date(2026, 10, 5))
    assert kk.subject == "Ерлан Өтепов: 2 жаңа хабарлама"
    assert kk.text == f"{earlier.notice.body}\n\n{later.notice.body}"
    ru = compose([queued(PUPIL, 1, language="ru"), queued(PUPIL, 2, language="ru")], "ru", digest=False,
                 day=date(2026, 10, 5))
    assert ru.subject == "Ерлан Өтепов: новых сообщений — 2"


def test_a_daily_digest_groups_by_child_in_alphabetical_order():
    items = [queued("Ұлан Әлиев", 5, points=5), queued("Айша Әлиева", 7, SELF, points=6, feedback="Жақсы"),
             queued("Ұлан Әлиев", 2, SELF, points=8)]
    message = compose(items, "kk", digest=True, day=date(2026, 10, 5))
    assert message.subject == "Күнделікті хабарлама, 05.10.2026"
    assert message.text == ("Айша Әлиева:\n• 05.10.2026, Өзін-өзі тану: 10 балдан 6 балл\n"
                            "  Мұғалімнің кері байланысы: Жақсы\n\n"
                            "Ұлан Әлиев:\n• 05.10.2026, Өзін-өзі тану: 10 балдан 8 балл\n"
                            "• 05.10.2026, Математика: 10 балдан 5 балл")
    assert compose(items, "ru", digest=True, day=date(2026, 10, 5)).subject == "Ежедневная сводка, 05.10.2026"


def test_sms_and_push_bodies_stay_short():
    items = [queued(PUPIL, m, feedback="ұзақ " * 100) for m in range(20)]
    for digest in (False, True):
        assert len(compose(items, "kk", digest=digest, day=date(2026, 10, 5)).short) <= SHORT_LIMIT


def test_nothing_to_compose_is_a_mistake():
    with pytest.raises(InvalidNotice):
        compose([], "kk", digest=True, day=date(2026, 10, 5))
