"""`make run`: the whole service in one process, on an embedded AWS, with demo data.

Start-up: the emulator on a free port; the environment pointed at it; tables, bucket and queues created; the app
imported and its handlers found; the data file restored (or, without one, nothing); the stream and queue
pollers and the scheduler started; the demo data seeded (fresh runs only); the admin's password set; then the
API is served and a banner shows the URL, the logins and the time it took. SIGINT (Ctrl-C) and SIGTERM stop the
server, the pollers, the scheduler and the emulator, write the data file when there is one, and exit 0.
"""
from __future__ import annotations

import importlib
import logging
import os
import secrets
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from chalice import Chalice

from chalicelib.local import snapshot
from chalicelib.local.demo import ADMIN, Demo, seed, set_admin_password
from chalicelib.local.journal_demo import seed_half_term
from chalicelib.local.emulator import ACCOUNT_ID, REGION, Emulator, create_resources, point_environment_at
from chalicelib.local.gateway import HttpServer, chalice_config
from chalicelib.local.queues import queue_pollers
from chalicelib.local.schedule import Scheduler, scheduled_jobs
from chalicelib.local.streams import stream_pollers

__all__ = ["DEFAULT_DEMO_PASSWORD", "Options", "run"]

log = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DEMO_PASSWORD = "demo-2026"


@dataclass(frozen=True, slots=True)
class Options:
    port: int = 8000
    host: str = "127.0.0.1"
    data_file: Path | None = None


def run(options: Options, started: float) -> int:
    """Serve until SIGINT or SIGTERM; `started` is the `time.perf_counter()` of the process start."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = HttpServer(options.host, options.port)
    except OSError as exc:
        print(f"Cannot serve on {options.host}:{options.port}: {exc.strerror}. Set PORT to a free port.",
              file=sys.stderr)
        return 1
    emulator, workers, ready = Emulator(), [], False
    try:
        endpoint = emulator.start()
        config = chalice_config(PROJECT_DIR)
        point_environment_at(endpoint, config.environment_variables)
        create_resources()
        if str(PROJECT_DIR) not in sys.path:
            sys.path.insert(0, str(PROJECT_DIR))
        app = importlib.import_module("app").app
        try:
            restored = options.data_file is not None and snapshot.restore(options.data_file, ACCOUNT_ID)
        except snapshot.SnapshotError as exc:
            print(exc, file=sys.stderr)
            return 1
        workers = _start_workers(app, stop)
        demo = None if restored else seed(os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD)
        admin_password = os.environ.get("LOCAL_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        set_admin_password(admin_password)
        server.start(app, config)
        ready = True
        print(_banner(server.url, endpoint, options, demo, admin_password, len(workers),
                      time.perf_counter() - started), flush=True)
        if demo is not None:
            workers.append(_seed_journal_in_background(demo.school_id))
        while not stop.wait(0.5):
            pass
        print("Stopping ...", flush=True)
        return 0
    finally:
        stop.set()
        server.stop()
        for worker in workers:
            worker.join()
        try:
            if ready and options.data_file is not None:
                snapshot.save(options.data_file, ACCOUNT_ID)
        finally:
            emulator.stop()


def _seed_journal_in_background(school_id: str) -> threading.Thread:
    """The half-term of journal entries, written while the API already answers (start-up stays short)."""
    def seed_journal() -> None:
        began = time.perf_counter()
        seed_half_term(school_id)
        print(f"Demo journal: a half-term of lessons, attendance and marks loaded in "
              f"{time.perf_counter() - began:.1f} s", flush=True)

    thread = threading.Thread(target=seed_journal, name="journal demo", daemon=True)
    thread.start()
    return thread


def _start_workers(app: Chalice, stop: threading.Event) -> list[threading.Thread]:
    """A thread per stream poller and queue poller, and one for the scheduler, started."""
    targets = [(f"stream {p.table_name}", p.run) for p in stream_pollers(app)]
    targets += [(f"queue {p.queue_url.rsplit('/', 1)[-1]}", p.run) for p in queue_pollers(app)]
    targets.append(("scheduler", Scheduler(scheduled_jobs(app), region=REGION, account=ACCOUNT_ID).run))
    workers = [threading.Thread(target=target, args=(stop,), name=name) for name, target in targets]
    for worker in workers:
        worker.start()
    return workers


def _banner(url: str, endpoint: str, options: Options, demo: Demo | None, admin_password: str, workers: int,
            seconds: float) -> str:
    data = (f"kept in {options.data_file} (written at stop)" if options.data_file
            else "in memory, fresh at every start")
    admin = "$LOCAL_ADMIN_PASSWORD" if os.environ.get("LOCAL_ADMIN_PASSWORD") else admin_password
    lines = [
        f"ejournal-kz is ready in {seconds:.1f} s",
        f"  API      {url}/v1   (OpenAPI: {url}/v1/openapi.json)",
        f"  AWS      {endpoint}   (moto: DynamoDB, DynamoDB Streams, S3, SQS, SES, SNS)",
        f"  data     {data}",
        f"  workers  {workers} (stream and queue pollers, scheduler)",
        f"  login    {ADMIN:<14} ministry      password {admin}",
    ]
    if demo is None:
        lines.append("  the other logins are those of the data file, with the passwords they had")
    else:
        password = "$DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else DEFAULT_DEMO_PASSWORD
        lines += [f"  login    {login.username:<14} {login.role:<13} password {password}   {login.who}"
                  for login in demo.logins if login.username != ADMIN]
        lines.append(f"  (every teacher, pupil and parent of the demo school logs in with {password}; "
                     f"school {demo.school_id})")
    lines.append("  Ctrl-C stops.")
    return "\n".join(lines)
