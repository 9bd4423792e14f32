"""The demo school's first half-term of journal entries (issue 3, item 9): lessons with topics and homework in
the class's language, attendance with some absences, formative marks with feedback, one SOR per subject with
criteria and descriptors, and its results.

Written in bulk (BatchWriteItem, items as the journal routes write them, version 1 by the subject's teacher on the
lesson's day), after `demo.seed`: `seed_half_term(demo.school_id)`. Pseudo-random with a fixed seed, so every
run shows the same picture. The stream carries every item to the audit consumer as usual.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from chalicelib.domain import calendar
from chalicelib.domain.dates import KZ_TZ, to_rfc3339
from chalicelib.domain.ids import new_id
from chalicelib.store import journal as store
from chalicelib.store.directory import ClassItem, JournalItem, PersonItem, SubjectItem
from chalicelib.store.people import pupils_of_class
from chalicelib.store.schools import classes_of_school, get_subject, journals_of_class

__all__ = ["FIRST", "LAST", "seed_half_term"]

FIRST, LAST = date(2026, 9, 1), date(2026, 9, 30)  # the first half of term 1
_TOPICS = {
    "kk": ("Кіріспе. Өткенді қайталау", "Жаңа тақырыпқа кіріспе", "Есептер шығару", "Практикалық жұмыс",
           "Мәтінмен жұмыс", "Топтық жоба", "Бекіту сабағы", "Қорытынды қайталау"),
    "ru": ("Введение. Повторение пройденного", "Введение в новую тему", "Решение задач", "Практическая работа",
           "Работа с текстом", "Групповой проект", "Урок закрепления", "Обобщающее повторение"),
}
_HOMEWORK = {"kk": ("§ {n}, 1–3 жаттығулар", "§ {n} оқу, сұрақтарға жауап беру"),
             "ru": ("§ {n}, упражнения 1–3", "Прочитать § {n}, ответить на вопросы")}
_PRAISE = {"kk": ("Жарайсың! Тапсырманы толық орындадың.", "Жақсы жұмыс, бірақ мұқият бол.",
                  "Есептеуде қателер бар, ережені қайтала.", "Белсенді қатысты, ойын нақты жеткізді."),
           "ru": ("Молодец! Задание выполнено полностью.", "Хорошая работа, но будь внимательнее.",
                  "Есть ошибки в вычислениях, повтори правило.", "Активно работал, ясно изложил мысль.")}
# criterion (kk, ru) and its descriptors (kk, ru), 5 points each
_CRITERIA = ((("Негізгі ұғымдарды біледі", "Знает основные понятия"),
              (("анықтаманы айтады", "даёт определение"), ("мысал келтіреді", "приводит пример"))),
             (("Білімін қолданады", "Применяет знания"),
              (("есепті шығарады", "решает задачу"), ("жауабын тексереді", "проверяет ответ"))))
_ABSENCES = (("absent", 0.02), ("ill", 0.03), ("excused", 0.01), ("late", 0.02))
_WEEKDAYS = {1: {0}, 2: {0, 3}, 3: {0, 2, 4}, 4: {0, 1, 3, 4}}  # hours a week -> lesson weekdays (Monday 0)


def _at(day: date) -> str:
    return to_rfc3339(datetime.combine(day, time(15, 30), KZ_TZ))


def _days(grade: int, hours: int) -> list[date]:
    """The lesson days of a subject with `hours` a week, spread over the week, on school days."""
    weekdays, day, found = _WEEKDAYS.get(hours, {0, 1, 2, 3, 4}), FIRST, []
    while day <= LAST:
        if day.weekday() in weekdays and calendar.is_school_day(day, 2026, grade):
            found.append(day)
        day += timedelta(days=1)
    return found


def seed_half_term(school_id: str) -> int:
    """Write the half-term for every journal of the school; returns how many items were written."""
    rng = random.Random(2026)
    items: list[store.JournalRecord] = []
    for klass in classes_of_school(school_id):
        pupils = pupils_of_class(klass.class_id)
        numbers: dict[date, int] = {}
        for journal in journals_of_class(klass.class_id):
            subject = get_subject(journal.subject_id)
            if subject is not None:
                items += _journal(rng, klass, journal, subject, pupils, numbers)
    with store.JournalRecord.batch_write() as batch:
        for item in items:
            batch.save(item)
    return len(items)


def _journal(rng: random.Random, klass: ClassItem, journal: JournalItem, subject: SubjectItem,
             pupils: list[PersonItem], numbers: dict[date, int]) -> list[store.JournalRecord]:
    lang, teacher, jid = klass.language, journal.teacher_ids[0], journal.journal_id
    points = subject.assessment == "criteria" and int(klass.grade) > 1
    written: list[store.JournalRecord] = []

    def stamp(item: store.JournalRecord, day: date) -> store.JournalRecord:
        item.version, item.by, item.role, item.at = 1, teacher, "teacher", _at(day)
        return item

    days = _days(int(klass.grade), int(journal.hours_per_week))
    for n, day in enumerate(days):
        numbers[day] = number = numbers.get(day, 0) + 1
        lesson_id = new_id()
        lesson = store.Lesson(store.journal_key(jid), store.lesson_sk("T1", day, number), lesson_id=lesson_id,
                              number=number, subject_id=subject.subject_id, topic=_TOPICS[lang][n % 8],
                              homework=_HOMEWORK[lang][n % 2].format(n=n + 1), gpk=f"C#{klass.class_id}",
                              gsk=store.lesson_index_key(day, number))
        written += [stamp(lesson, day), store.Ref(f"R#{lesson_id}", "#", journal_id=jid, target_sk=lesson.sk)]
        for pupil in pupils:
            status = next((s for s, p in _ABSENCES if rng.random() < p), "present")
            written.append(stamp(store.Entry(store.journal_key(jid), store.entry_sk("T1", "A", lesson_id,
                                                                                    pupil.person_id),
                                             status=status, gpk=f"S#{pupil.person_id}", gsk=day.isoformat()), day))
            if status in ("present", "late") and rng.random() < 0.3:
                feedback = rng.choice(_PRAISE[lang]) if rng.random() < 0.6 or not points else None
                written.append(stamp(store.Entry(
                    store.journal_key(jid), store.entry_sk("T1", "F", lesson_id, pupil.person_id),
                    points=rng.randint(5, 10) if points else None, feedback=feedback,
                    gpk=f"S#{pupil.person_id}", gsk=day.isoformat()), day))
    if points and len(days) > 2:
        written += _sor(rng, klass, jid, subject.subject_id, days[len(days) * 2 // 3], pupils, stamp)
    return written


def _sor(rng: random.Random, klass: ClassItem, jid: str, subject_id: str, day: date, pupils: list[PersonItem],
         stamp: Callable[[store.JournalRecord, date], store.JournalRecord]) -> list[store.JournalRecord]:
    criteria, number = [], 0
    for (kk, ru), descriptors in _CRITERIA:
        shown = []
        for d_kk, d_ru in descriptors:
            number += 1
            shown.append({"descriptor_id": str(number), "text": {"kk": d_kk, "ru": d_ru}, "points": 5})
        criteria.append({"objective": None, "text": {"kk": kk, "ru": ru}, "descriptors": shown})
    work_id, lang = new_id(), klass.language
    work = store.Work(store.journal_key(jid), store.work_sk("T1", work_id), work_id=work_id, kind="SOR",
                      period="T1", title="БЖБ №1" if lang == "kk" else "СОр №1", max_points=5 * number,
                      subject_id=subject_id, criteria=criteria, gpk=f"C#{klass.class_id}", gsk=f"{day}#W#{work_id}")
    written = [stamp(work, day), store.Ref(f"R#{work_id}", "#", journal_id=jid, target_sk=work.sk)]
    for pupil in pupils:
        met = {d for d in range(1, number + 1) if rng.random() < 0.75}
        result = store.Entry(store.journal_key(jid), store.entry_sk("T1", "R", work_id, pupil.person_id),
                             points=5 * len(met), met=met or None, gpk=f"S#{pupil.person_id}", gsk=day.isoformat(),
                             feedback=rng.choice(_PRAISE[lang]) if len(met) < number else None)
        written.append(stamp(result, day))
    return written
