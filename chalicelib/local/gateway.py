"""The app's HTTP API served in-process: chalice's LocalGateway behind a threaded `http.server`.

Differences from `chalice local`: no autoreload worker process; unknown routes answer 404 as a problem document,
like every other error (in AWS, API Gateway answers them itself and infra/ shapes them with Gateway Responses);
no access log line per request (the app's middleware logs every request).
"""
from __future__ import annotations

import json
import sys
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chalice import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalGateway, RouteMatcher, ThreadedHTTPServer,
)

from chalicelib.api.http import problem_response
from chalicelib.domain.errors import NotFound

__all__ = ["HttpServer", "chalice_config"]


def chalice_config(project_dir: Path, stage: str = "local") -> Config:
    """The app's `.chalice/config.json` as chalice reads it for `stage`."""
    on_disk = json.loads((project_dir / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return Config(chalice_stage=stage, config_from_disk=on_disk,
                  user_provided_params={"project_dir": str(project_dir)})


class _Gateway(LocalGateway):
    """API Gateway as chalice fakes it, with unknown routes answered 404 problem+json."""

    def __init__(self, app: Chalice, config: Config) -> None:
        super().__init__(app, config)
        self._routes = RouteMatcher(list(app.routes))

    def handle_request(self, method: str, path: str, headers: dict[str, Any], body: bytes | None) -> dict[str, Any]:
        try:
            self._routes.match_route(path)
        except ValueError:
            where = urlsplit(path).path
            return problem_response(NotFound(f"No route {where}."), where).to_dict()
        return super().handle_request(method, path, headers, body)


class _Handler(ChaliceRequestHandler):
    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice, config: Config) -> None:
        self.local_gateway = _Gateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    # http.server answers a method without a do_ handler 501 in HTML: the app answers these too (405 problem+json)
    do_TRACE = do_QUERY = ChaliceRequestHandler._generic_handle

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the app's middleware logs each request."""


class _Server(ThreadedHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away before its answer is no error of ours; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class HttpServer:
    """The app on `host:port`, served by a thread per connection from `start()` to `stop()`.

    The port is taken when the server is made (so a busy port is known at once); a client that connects before
    `start()` waits for its answer.
    """

    def __init__(self, host: str, port: int) -> None:
        self._server = _Server((host, port), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="http", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, app: Chalice, config: Config) -> None:
        """Serve `app`. Chalice keeps `current_request` on the app object: the local class keeps it per thread."""
        if not isinstance(app, LocalChalice):
            CustomLocalChalice.__bases__ = (LocalChalice, type(app))
            app.__class__ = CustomLocalChalice
        self._server.RequestHandlerClass = partial(_Handler, app_object=app, config=config)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, let the serving loop end, close the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
