"""ejournal-kz: the Chalice application. Wiring only: blueprints, middleware, queue, stream and schedule handlers."""
from chalice import Chalice, Cron

from chalicelib.api import account, classes, roster, schools, system
from chalicelib.api import diary, journal, lessons, objectives, standing, works
from chalicelib.api import kundelik, notifications
from chalicelib.api import reports
from chalicelib.api.middleware import serve_http
from chalicelib.jobs.tasks import run_task

app = Chalice(app_name="ejournal-kz")
app.register_middleware(serve_http, "http")

for blueprint in (system.bp, account.bp, schools.bp, classes.bp, roster.bp):
    app.register_blueprint(blueprint)
for blueprint in (journal.bp, lessons.bp, works.bp, diary.bp, objectives.bp, standing.bp):
    app.register_blueprint(blueprint)
app.register_blueprint(notifications.bp)
app.register_blueprint(kundelik.bp)  # the Kundelik / Dnevnik.ru API v2 layer: /v2/..., /v2.0/...


@app.on_sqs_message(queue="ejournal-tasks", batch_size=1)
def tasks(event):
    """Queued work (large roster imports, ...); infra/ points it at the stage's queue."""
    for record in event:
        run_task(record.body)


@app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:eu-central-1:000000000000:table/journal/stream/local",
                        batch_size=100)
def journal_audit(event):
    """The journal table's stream -> the audit trail; the ARN names the table suffix, infra/ sets the real one."""
    from chalicelib.streams.audit import handle

    return handle(event.to_dict())


@app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:eu-central-1:000000000000:table/journal/stream/local",
                        batch_size=100)
def journal_counters(event):
    """The journal table's stream -> counters, then parents' notifications and threshold alerts: one function,
    because a stream shard serves at most two readers (this and the audit); the ARN names the table suffix,
    infra/ sets it."""
    from chalicelib.streams import alerts, counters, notifications
    from chalicelib.streams.batch import handle

    return handle(event.to_dict(), counters.CONSUMER, notifications.CONSUMER, alerts.CONSUMER)


@app.schedule(Cron(0, 21, "*", "*", "?", "*"))
def counters_reconciliation(event):
    """Every school's counters recomputed from the journal, drift logged and repaired: 02:00 UTC+5 nightly, one
    task per school on the tasks queue."""
    from chalicelib.jobs.reconcile import fan_out

    return fan_out(repair=True)


@app.schedule(Cron("*", "*", "*", "*", "?", "*"))
def notification_flush(event):
    """E-mail, SMS and push that are due: every minute (UTC and UTC+5 alike); the daily digests are due at
    19:00 UTC+5 (14:00 UTC) and leave with the first run at or after it."""
    from chalicelib.domain.dates import parse_timestamp
    from chalicelib.jobs.digests import run_digest

    return run_digest(parse_timestamp(event.time))


from chalicelib.api import accounts, corrections, excuses, lists, movement, subgroups, timetable  # noqa: E402

for blueprint in (lists.bp, accounts.bp, timetable.bp, subgroups.bp, corrections.bp, excuses.bp, movement.bp):
    # school life: lists, accounts, timetable, subgroups, corrections, excuses, movement
    app.register_blueprint(blueprint)


app.register_blueprint(reports.bp)  # reports: POST/GET /v1/reports, GET /v1/reports/{report_id}


@app.schedule(Cron(0, 11, "?", "*", "MON-SAT", "*"))
def report_timeliness(event):
    """Journal timeliness per school, reminders to teachers, notes to admins: 16:00 UTC+5 (11:00 UTC), Mon-Sat."""
    from chalicelib.domain.dates import parse_timestamp
    from chalicelib.jobs.reports import fan_out

    return fan_out("timeliness", parse_timestamp(event.time))


@app.schedule(Cron(0, 13, "?", "*", "SUN", "*"))
def report_parents(event):
    """Every pupil's week for their parents: Sunday 18:00 UTC+5 (13:00 UTC)."""
    from chalicelib.domain.dates import parse_timestamp
    from chalicelib.jobs.reports import fan_out

    return fan_out("parents", parse_timestamp(event.time))


@app.schedule(Cron(0, 22, "?", "*", "SAT", "*"))
def report_schools(event):
    """School reports, class sheets and the schools' rollups for the current term: Sunday 03:00 UTC+5 (Saturday
    22:00 UTC)."""
    from chalicelib.domain.dates import parse_timestamp
    from chalicelib.jobs.reports import fan_out

    return fan_out("schools", parse_timestamp(event.time))


@app.schedule(Cron(0, 1, "?", "*", "SUN", "*"))
def report_regions(event):
    """Region and national reports from the schools' rollups: Sunday 06:00 UTC+5 (01:00 UTC)."""
    from chalicelib.domain.dates import parse_timestamp
    from chalicelib.jobs.reports import run_regions

    return run_regions(parse_timestamp(event.time))
