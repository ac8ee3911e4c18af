#!/usr/bin/env python3
"""Offline AWS emulator for this repository's tests: moto 5.2.1, patched.

Usage:
  python3 tools/local-aws/launcher.py [--port N] [--state-dir DIR] [--verbose] -- <command> [args...]
      Start the emulator, run <command> with every AWS setting pointing at it,
      stop the emulator, and exit with the command's exit code.

  python3 tools/local-aws/launcher.py serve [--port N] [--ready-file F] [--state-dir DIR] [--exit-on-stdin-eof]
      Run until SIGTERM/SIGINT. Once serving, write
      {"endpoint": "http://127.0.0.1:PORT", "port": PORT, "env": {...}}
      to the ready file (and stdout).

Without --port a free loopback port is used. --state-dir (default
<repo>/.local-aws) receives the emulator's log (moto-<port>.log).
--lambda-role-credentials runs Lambda functions with temporary credentials of
their execution role instead of the shared dummy ones (for tests that switch
IAM enforcement on with POST /moto-api/reset-auth).
Exit codes: the command's own; 2 usage; 3 moto missing or wrong version;
4 startup failure (port busy, SDK install failed).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

from local_aws import constants as c  # noqa: E402  (no moto import in here)

EXIT_USAGE = 2
EXIT_BAD_MOTO = 3
EXIT_STARTUP = 4


def check_moto_version() -> None:
    """The patches reach into moto internals, so only one version will do."""
    try:
        import moto
    except ImportError:
        found = "moto is not installed"
    else:
        if moto.__version__ == c.REQUIRED_MOTO_VERSION:
            return
        found = f"moto {moto.__version__} is installed"
    print(
        f"local-aws: {found}, but this emulator needs exactly moto=={c.REQUIRED_MOTO_VERSION} "
        f"(server extras) for the Python at {sys.executable}. Its patches (CloudFormation change "
        f"sets and custom resources, KMS key state, EBS default key, the Node.js Lambda executor) "
        f"replace moto internals that were written for {c.REQUIRED_MOTO_VERSION} and are not safe "
        f"on any other version. Install it with `python3 -m pip install "
        f"'moto[server]=={c.REQUIRED_MOTO_VERSION}'`, or port tools/local-aws/local_aws/patch_*.py "
        f"to the new version and update REQUIRED_MOTO_VERSION.",
        file=sys.stderr,
    )
    sys.exit(EXIT_BAD_MOTO)


# ---------------------------------------------------------------------------
# Argument parsing
# ---------------------------------------------------------------------------
def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, help="loopback port (default: a free one)")
    parser.add_argument("--state-dir", type=Path, default=c.DEFAULT_STATE_DIR, help="where the emulator log goes")
    parser.add_argument("--verbose", action="store_true", help="also print emulator warnings to stderr")
    parser.add_argument(
        "--lambda-role-credentials",
        action="store_true",
        help="run Lambda functions with their execution role's credentials (matters only once IAM is enforced)",
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    if argv and argv[0] == "serve":
        parser = argparse.ArgumentParser(prog="launcher.py serve")
        _common_options(parser)
        parser.add_argument("--ready-file", type=Path, help="write the endpoint JSON here once serving")
        parser.add_argument(
            "--exit-on-stdin-eof",
            action="store_true",
            help="stop when stdin closes (the parent died): used by test/support/local-aws.ts",
        )
        args = parser.parse_args(argv[1:])
        args.mode = "serve"
        return args

    parser = argparse.ArgumentParser(prog="launcher.py", usage="%(prog)s [options] -- <command> [args...]")
    _common_options(parser)
    if "--" not in argv:
        parser.print_usage(sys.stderr)
        print("launcher.py: error: expected `-- <command> [args...]` or `serve`", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    split = argv.index("--")
    args = parser.parse_args(argv[:split])
    args.command = argv[split + 1 :]
    if not args.command:
        parser.error("no command after --")
    args.mode = "run"
    return args


# ---------------------------------------------------------------------------
# Emulator lifecycle
# ---------------------------------------------------------------------------
class Emulator:
    def __init__(self, port: int | None, state_dir: Path, verbose: bool, lambda_role_credentials: bool = False):
        self.requested_port = port
        self.state_dir = state_dir
        self.verbose = verbose
        self.lambda_role_credentials = lambda_role_credentials
        self.server = None
        self.port: int | None = None

    def start(self) -> None:
        from local_aws import patch_lambda, patches, sdk_install, server

        try:
            sdk_install.ensure_sdk_installed()
        except sdk_install.SdkInstallError as error:
            print(f"local-aws: {error}", file=sys.stderr)
            sys.exit(EXIT_STARTUP)
        patches.apply_all()
        if self.lambda_role_credentials:
            patch_lambda.use_role_credentials()
        try:
            self.server, self.port = server.start(self.requested_port)
        except server.PortBusyError as error:
            print(str(error), file=sys.stderr)
            sys.exit(EXIT_STARTUP)
        server.configure_logging(self.state_dir / f"moto-{self.port}.log", self.verbose)

    def stop(self) -> None:
        from local_aws import lambda_executor

        lambda_executor.kill_all_running()
        if self.server is not None:
            server, self.server = self.server, None
            server.stop()


class _Shutdown(Exception):
    """Raised from a signal handler to unwind to the cleanup code."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_shutdown(signum: int, _frame) -> None:
    raise _Shutdown(signum)


def install_signal_handlers() -> None:
    signal.signal(signal.SIGTERM, _raise_shutdown)
    signal.signal(signal.SIGINT, _raise_shutdown)
    signal.signal(signal.SIGHUP, _raise_shutdown)


def ignore_signals() -> None:
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


# ---------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------
def run_command(args: argparse.Namespace) -> int:
    from local_aws import client_env

    emulator = Emulator(args.port, args.state_dir, args.verbose, args.lambda_role_credentials)
    child: subprocess.Popen | None = None
    install_signal_handlers()
    try:
        emulator.start()
        env = client_env.child_env(dict(os.environ), emulator.port)
        try:
            # Own session: a Ctrl-C reaches only us, and we can stop the
            # command's whole process tree (cdk -> node app -> ...).
            child = subprocess.Popen(args.command, env=env, start_new_session=True)
        except OSError as error:
            print(f"local-aws: cannot run {args.command[0]!r}: {error}", file=sys.stderr)
            return 127
        return _exit_code(child.wait())
    except _Shutdown as shutdown:
        return 128 + shutdown.signum
    finally:
        ignore_signals()  # cleanup must not be interrupted half-way
        if child is not None and child.poll() is None:
            _stop_process_group(child)
        emulator.stop()


def _exit_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def _stop_process_group(child: subprocess.Popen, grace_seconds: float = 10) -> None:
    for signum, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, 5)):
        try:
            os.killpg(child.pid, signum)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def serve(args: argparse.Namespace) -> int:
    from local_aws import client_env

    emulator = Emulator(args.port, args.state_dir, args.verbose, args.lambda_role_credentials)
    stop_requested = threading.Event()
    install_signal_handlers()
    try:
        emulator.start()
        ready = {
            "endpoint": client_env.endpoint_for(emulator.port),
            "port": emulator.port,
            "env": client_env.client_env(emulator.port),
            "pid": os.getpid(),
        }
        if args.ready_file is not None:
            _write_atomically(args.ready_file, json.dumps(ready))
        print(json.dumps(ready), flush=True)
        if args.exit_on_stdin_eof:
            threading.Thread(target=_wait_for_stdin_eof, args=(stop_requested,), daemon=True).start()
        while not stop_requested.wait(timeout=1):
            pass
        return 0
    except _Shutdown:
        return 0
    finally:
        ignore_signals()
        emulator.stop()


def _wait_for_stdin_eof(stop_requested: threading.Event) -> None:
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        stop_requested.set()


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    os.replace(partial, path)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    check_moto_version()
    return serve(args) if args.mode == "serve" else run_command(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
