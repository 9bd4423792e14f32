"""ejournal-kz: the Chalice application. Wiring only: blueprints, middleware, queue, stream and schedule handlers."""
from chalice import Chalice

from chalicelib.api import account, classes, roster, schools, system
from chalicelib.api.middleware import serve_http
from chalicelib.jobs.tasks import run_task

app = Chalice(app_name="ejournal-kz")
app.register_middleware(serve_http, "http")

for blueprint in (system.bp, account.bp, schools.bp, classes.bp, roster.bp):
    app.register_blueprint(blueprint)


@app.on_sqs_message(queue="ejournal-tasks", batch_size=1)
def tasks(event):
    """Queued work (large roster imports, ...); infra/ points it at the stage's queue."""
    for record in event:
        run_task(record.body)
