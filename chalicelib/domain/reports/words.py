"""Every heading and phrase of the reports in Kazakh and Russian (glossary: assessment-rules.md §10)."""
from __future__ import annotations

from datetime import date

from chalicelib.domain.reports.document import ReportError

__all__ = ["LANGUAGES", "word", "period_name", "mark_text", "region_name", "day_text", "status_text"]

LANGUAGES = ("kk", "ru")

_WORDS: dict[str, dict[str, str]] = {
    "kk": {
        "class_sheet": "Жиынтық ведомость", "school": "Мектептің үлгерім есебі",
        "timeliness": "Журналдың уақытылы толтырылуы", "region": "Өңірлік есеп", "national": "Республикалық есеп",
        "parent_weekly": "Апталық есеп",
        "school_of": "Мектеп: {name}", "class_of": "Сынып: {name}", "period_of": "Кезең: {name}, {year}–{next} оқу жылы",
        "as_of": "Деректер уақыты: {when}", "live": "Кезең әлі жабылмаған: бағалар ағымдағы (алдын ала).",
        "day_of": "Күні: {day}, түзету мерзімі: {first} – {last}", "week_of": "Апта: {first} – {last}",
        "pupil_of": "Оқушы: {name}", "region_of": "Өңір: {name}",
        "suppressed": "n<5: 5-тен аз оқушыдан есептелген көрсеткіш жасырылған.",
        "no_data": "Деректері жоқ мектептер: {names}.",
        "last_name": "Тегі", "first_name": "Аты", "pupil": "Оқушы", "subject": "Пән", "class": "Сынып",
        "school_name": "Мектеп", "region_name": "Өңір", "teacher": "Мұғалім", "date": "Күні",
        "number": "Сабақ №", "mark": "Баға", "percent": "%", "average": "Орташа баға", "pupils": "Оқушылар",
        "assessed": "Бағаланғандар (N)", "pass_rate": "Үлгерім, %", "quality": "Білім сапасы, %",
        "sou": "ООЖ, %", "n5": "«5»", "n4": "«4»", "n3": "«3»", "n2": "«2»", "n_na": "Аттест. емес",
        "excellent": "Үздіктер", "good": "Екпінділер", "with_3": "«3» бар", "with_2": "«2» бар",
        "not_assessed": "Аттестатталмаған", "missed": "Қатыспаған сабақтар", "absent": "Себепсіз",
        "excused": "Дәлелді себеппен", "ill": "Ауырып", "late": "Кешігу", "missed_per_pupil": "Бір оқушыға",
        "subjects_2": "«2» пәндері", "subjects_na": "Аттестатталмаған пәндер",
        "sheet": "Ведомость", "summary": "Оқушылар бойынша", "statistics": "Пәндер бойынша",
        "classes": "Сыныптар", "failing": "«2» және аттест. емес", "teachers": "Мұғалімдер",
        "gaps": "Толтырылмағандар", "trend": "Соңғы 4 апта", "schools": "Мектептер", "regions": "Өңірлер",
        "marks": "Бағалар", "absences": "Қатыспау", "standing": "Ағымдағы бағалар",
        "total": "Барлығы", "grade_total": "{grade}-сыныптар",
        "planned": "Жоспарланған", "unfilled": "Толтырылмаған", "no_topic": "Тақырыбы жоқ",
        "no_attendance": "Қатысу белгіленбеген", "no_results": "Жұмыс нәтижелері жоқ",
        "on_time": "Уақытылы толтырылған, %", "missing": "Не жетіспейді", "week": "{first} апта",
        "trend_chart": "Толтырылған сабақтар үлесі, % (апта бойынша)",
        "distribution_chart": "Бағалардың бөлінуі, %", "quality_chart": "Үлгерім және білім сапасы, %",
        "what": "Не", "points": "Балл", "feedback": "Мұғалімнің кері байланысы", "status": "Қатысу",
        "provisional": "Алдын ала", "yes": "иә", "no": "жоқ", "lesson": "Сабақ",
        "formative": "Қалыптастырушы бағалау", "SOR": "БЖБ", "SOCH": "ТЖБ", "timeliness_school": "Уақытылы, %",
        "reminder_title": "Журналды толтыру керек: {n} сабақ",
        "reminder_body": "{name}, мына сабақтар журналда толық толтырылмаған:",
        "report_title": "Журнал толтыру есебі: {day}",
        "report_body": "{day}: {gaps} олқылық, {planned} жоспарланған сабақтың {on_time} уақытылы толтырылған.",
        "weekly_title": "Апталық есеп: {name}, {first} – {last}",
        "weekly_marks": "Аптадағы бағалар: {n}", "weekly_absences": "Қатыспаған сабақтар: {n}",
        "weekly_standing": "Ағымдағы тоқсандық бағалар:", "weekly_pdf": "Толық есеп (PDF) электрондық журналдың «Есептер» бөлімінде.",
        "T": "{n}-тоқсан", "H": "{n}-жартыжылдық", "Y": "Оқу жылы",
        "2": "2", "3": "3", "4": "4", "5": "5", "pass": "сынақ", "fail": "сынақ емес", "exempt": "босат.",
        "not_assessed_mark": "аттест. емес", "present": "қатысты",
        "status_absent": "себепсіз келмеді", "status_excused": "дәлелді себеппен келмеді",
        "status_ill": "ауырып келмеді", "status_late": "кешікті",
    },
    "ru": {
        "class_sheet": "Сводная ведомость", "school": "Отчёт школы об успеваемости",
        "timeliness": "Своевременность заполнения журнала", "region": "Региональный отчёт",
        "national": "Республиканский отчёт", "parent_weekly": "Недельный отчёт",
        "school_of": "Школа: {name}", "class_of": "Класс: {name}", "period_of": "Период: {name}, {year}–{next} учебный год",
        "as_of": "Данные на: {when}", "live": "Период ещё не закрыт: оценки текущие (предварительные).",
        "day_of": "Дата: {day}, окно исправлений: {first} – {last}", "week_of": "Неделя: {first} – {last}",
        "pupil_of": "Учащийся: {name}", "region_of": "Регион: {name}",
        "suppressed": "n<5: показатель, рассчитанный менее чем по 5 учащимся, скрыт.",
        "no_data": "Школы без данных: {names}.",
        "last_name": "Фамилия", "first_name": "Имя", "pupil": "Учащийся", "subject": "Предмет", "class": "Класс",
        "school_name": "Школа", "region_name": "Регион", "teacher": "Учитель", "date": "Дата",
        "number": "Урок №", "mark": "Оценка", "percent": "%", "average": "Средний балл", "pupils": "Учащиеся",
        "assessed": "Аттестовано (N)", "pass_rate": "Успеваемость, %", "quality": "Качество знаний, %",
        "sou": "СОУ, %", "n5": "«5»", "n4": "«4»", "n3": "«3»", "n2": "«2»", "n_na": "Н/а",
        "excellent": "Отличники", "good": "Хорошисты", "with_3": "С «3»", "with_2": "С «2»",
        "not_assessed": "Не аттестованы", "missed": "Пропущено уроков", "absent": "Без уваж. причины",
        "excused": "По уваж. причине", "ill": "По болезни", "late": "Опоздания", "missed_per_pupil": "На учащегося",
        "subjects_2": "Предметы с «2»", "subjects_na": "Предметы без аттестации",
        "sheet": "Ведомость", "summary": "По учащимся", "statistics": "По предметам",
        "classes": "Классы", "failing": "«2» и н/а", "teachers": "Учителя",
        "gaps": "Незаполненные", "trend": "Последние 4 недели", "schools": "Школы", "regions": "Регионы",
        "marks": "Оценки", "absences": "Пропуски", "standing": "Текущие оценки",
        "total": "Итого", "grade_total": "{grade}-е классы",
        "planned": "Запланировано", "unfilled": "Не заполнено", "no_topic": "Без темы",
        "no_attendance": "Без посещаемости", "no_results": "Нет результатов работы",
        "on_time": "Заполнено вовремя, %", "missing": "Чего не хватает", "week": "Неделя с {first}",
        "trend_chart": "Доля заполненных уроков, % (по неделям)",
        "distribution_chart": "Распределение оценок, %", "quality_chart": "Успеваемость и качество знаний, %",
        "what": "Что", "points": "Баллы", "feedback": "Отзыв учителя", "status": "Посещаемость",
        "provisional": "Предварительная", "yes": "да", "no": "нет", "lesson": "Урок",
        "formative": "Формативное оценивание", "SOR": "СОР", "SOCH": "СОЧ", "timeliness_school": "Вовремя, %",
        "reminder_title": "Заполните журнал: уроков — {n}",
        "reminder_body": "{name}, эти уроки в журнале заполнены не полностью:",
        "report_title": "Отчёт о заполнении журнала: {day}",
        "report_body": "{day}: пробелов — {gaps}, из {planned} запланированных уроков вовремя заполнено {on_time}.",
        "weekly_title": "Недельный отчёт: {name}, {first} – {last}",
        "weekly_marks": "Оценки за неделю: {n}", "weekly_absences": "Пропущено уроков: {n}",
        "weekly_standing": "Текущие оценки за четверть:", "weekly_pdf": "Полный отчёт (PDF) — в разделе «Отчёты» электронного журнала.",
        "T": "{n} четверть", "H": "{n} полугодие", "Y": "Учебный год",
        "2": "2", "3": "3", "4": "4", "5": "5", "pass": "зач.", "fail": "незач.", "exempt": "осв.",
        "not_assessed_mark": "н/а", "present": "присутствовал(а)",
        "status_absent": "пропуск без уважительной причины", "status_excused": "пропуск по уважительной причине",
        "status_ill": "пропуск по болезни", "status_late": "опоздание",
    },
}

_REGIONS = {
    "abai": ("Абай облысы", "Абайская область"), "akmola": ("Ақмола облысы", "Акмолинская область"),
    "aktobe": ("Ақтөбе облысы", "Актюбинская область"), "almaty_region": ("Алматы облысы", "Алматинская область"),
    "atyrau": ("Атырау облысы", "Атырауская область"),
    "east_kazakhstan": ("Шығыс Қазақстан облысы", "Восточно-Казахстанская область"),
    "jambyl": ("Жамбыл облысы", "Жамбылская область"), "jetisu": ("Жетісу облысы", "Область Жетісу"),
    "west_kazakhstan": ("Батыс Қазақстан облысы", "Западно-Казахстанская область"),
    "karaganda": ("Қарағанды облысы", "Карагандинская область"),
    "kostanay": ("Қостанай облысы", "Костанайская область"),
    "kyzylorda": ("Қызылорда облысы", "Кызылординская область"),
    "mangystau": ("Маңғыстау облысы", "Мангистауская область"),
    "pavlodar": ("Павлодар облысы", "Павлодарская область"),
    "north_kazakhstan": ("Солтүстік Қазақстан облысы", "Северо-Казахстанская область"),
    "turkistan": ("Түркістан облысы", "Туркестанская область"), "ulytau": ("Ұлытау облысы", "Область Ұлытау"),
    "astana": ("Астана қаласы", "город Астана"), "almaty": ("Алматы қаласы", "город Алматы"),
    "shymkent": ("Шымкент қаласы", "город Шымкент"),
}


def word(language: str, key: str, **values: object) -> str:
    """The phrase `key` in `language`, with `values` filled in."""
    if language not in _WORDS:
        raise ReportError(f"reports are written in {', '.join(LANGUAGES)}, not {language!r}")
    return _WORDS[language][key].format(**values) if values else _WORDS[language][key]


def period_name(language: str, period: str) -> str:
    """T1 -> "1-тоқсан" / "1 четверть", H2 -> "2-жартыжылдық" / "2 полугодие", Y -> the school year."""
    return word(language, period[0], n=period[1:]) if period[0] in "TH" else word(language, "Y")


def mark_text(language: str, mark: int | str | None) -> str:
    """A period mark as a journal shows it: 2..5, pass/fail, exempt, not assessed; "" for none."""
    if mark is None:
        return ""
    if mark == "not_assessed":
        return word(language, "not_assessed_mark")
    return word(language, str(mark))


def status_text(language: str, status: str) -> str:
    """An attendance status (absent, excused, ill, late) in words."""
    return word(language, f"status_{status}")


def region_name(language: str, region: str) -> str:
    kk, ru = _REGIONS[region]
    return kk if language == "kk" else ru


def day_text(day: date) -> str:
    return day.strftime("%d.%m.%Y")
