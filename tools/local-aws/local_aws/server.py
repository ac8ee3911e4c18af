"""Start and stop moto in-process, on a loopback port."""

import errno
import io
import logging
import os
import socket
import warnings
from pathlib import Path
from urllib.parse import parse_qs

from moto import settings
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from . import constants as c


class PortBusyError(RuntimeError):
    pass


def check_port_free(port: int) -> None:
    """Refuse early, with a clear message, when an explicit --port is taken."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind((c.HOST, port))
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortBusyError(
                f"local-aws: port {port} on {c.HOST} is already in use. "
                "Pick another --port, or omit --port to use a free one."
            ) from None
        raise
    finally:
        probe.close()


class _MotoServer(ThreadedMotoServer):
    """ThreadedMotoServer that reports a failed bind instead of hanging.

    moto's ``_server_entry`` sets the "ready" event only after make_server()
    succeeds, so a bind error would leave ``start()`` waiting forever.
    """

    def __init__(self, ip_address: str, port: int):
        super().__init__(ip_address=ip_address, port=port, verbose=False)
        self.start_error: BaseException | None = None

    def _server_entry(self) -> None:
        """moto's _server_entry, with the request log middleware and bind
        errors reported to start()."""
        try:
            app = DomainDispatcherApplication(create_backend_app)
            self._server = make_server(self._ip_address, self._port, _log_requests(app), threaded=True)
        except BaseException as error:  # noqa: BLE001 - re-raised in start()
            self.start_error = error
            self._server_ready_event.set()
            return
        self._server_ready_event.set()
        self._server.serve_forever()

    def start(self) -> None:
        super().start()
        if self.start_error is not None:
            raise self.start_error


def _log_requests(app):
    """WSGI middleware: one log line per request, with the API action, so
    the emulator log says *what* was called (werkzeug logs only the path)."""
    logger = logging.getLogger("local_aws.requests")

    def middleware(environ, start_response):
        action = environ.get("HTTP_X_AMZ_TARGET", "")
        content_type = environ.get("CONTENT_TYPE", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if not action and content_type.startswith("application/x-www-form-urlencoded") and 0 < length < 1_000_000:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
        action = action or parse_qs(environ.get("QUERY_STRING", "")).get("Action", [""])[0]
        status_holder = {}

        def capture(status, headers, exc_info=None):
            status_holder["status"] = status
            return start_response(status, headers, exc_info)

        result = app(environ, capture)
        logger.info("%s %s %s -> %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), action, status_holder.get("status"))
        return result

    return middleware


def configure_logging(log_file: Path, verbose: bool) -> None:
    """Send moto/werkzeug chatter (one line per request) to ``log_file``."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # our middleware logs requests
    if verbose:
        console = logging.StreamHandler()
        console.setLevel(logging.WARNING)
        root.addHandler(console)
    logging.captureWarnings(True)
    warnings.simplefilter("default")


def start(port: int | None) -> tuple[_MotoServer, int]:
    """Start moto on 127.0.0.1. ``port=None`` binds port 0 (a free port)."""
    if port is not None:
        check_port_free(port)
    server = _MotoServer(c.HOST, port or 0)
    server.start()
    actual_port = server.get_host_and_port()[1]
    _point_moto_at_itself(actual_port)
    return server, actual_port


def _point_moto_at_itself(port: int) -> None:
    """Make the URLs moto hands out (custom-resource ResponseURL, the
    MOTO_HTTP_ENDPOINT given to Lambda) point at this server.

    moto.settings.moto_server_host() is lru_cached and returns
    "http://host.docker.internal" outside Docker; moto_server_port() reads the
    MOTO_PORT environment variable on every call. Both are looked up through
    the ``settings`` module at call time, so replacing the attribute works.
    """
    os.environ["MOTO_PORT"] = str(port)
    settings.moto_server_host = lambda: f"http://{c.HOST}"  # type: ignore[assignment]
