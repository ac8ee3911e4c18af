"""Run a Node.js Lambda handler in a ``node`` child process.

moto executes Lambda functions only inside Docker. This executor takes the
function's deployment package (the zip moto stores), extracts it once per code
hash, and runs one invocation per ``node`` process via node_runner.js.

What the handler gets, like on Lambda:
  * its environment variables, plus the reserved ones (AWS_REGION,
    AWS_LAMBDA_FUNCTION_NAME, _HANDLER, LAMBDA_TASK_ROOT, ...);
  * dummy credentials (or, with ``launcher.py --lambda-role-credentials``,
    temporary credentials of the function's execution role, as on Lambda)
    and AWS_ENDPOINT_URL pointing at the emulator;
  * NODE_PATH = tools/local-aws/sdk/node_modules ONLY: the AWS SDK v3 clients
    the Node.js runtime provides. Anything else must be in the bundle, so a
    bundle that forgets a dependency fails here as it would on AWS. The code
    is extracted outside the repository so no parent node_modules leaks in;
  * a Lambda-like context object, and the function timeout enforced.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import constants as c

# Lambda gives a function's init phase 10 s on top of its timeout.
INIT_ALLOWANCE_SECONDS = 10
CODE_CACHE_DIR = Path(tempfile.gettempdir()) / f"local-aws-lambda-code-{os.getuid()}"

_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()
_extract_lock = threading.Lock()


@dataclass
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str


@dataclass
class FunctionSpec:
    """What the executor needs to know about a function (taken from moto)."""

    name: str
    arn: str
    runtime: str
    handler: str
    code: bytes
    timeout_seconds: int
    memory_mb: int
    version: str
    region: str
    environment: dict[str, str]
    log_group: str
    # None: the shared dummy credentials (IAM is not enforced by default).
    credentials: Credentials | None = None


@dataclass
class Outcome:
    payload: str  # JSON text returned to the caller
    errored: bool
    logs: str
    request_id: str


class ExecutorError(RuntimeError):
    pass


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise ExecutorError("`node` is not on PATH; local-aws needs it to run Node.js Lambda functions")
    return node


# ---------------------------------------------------------------------------
# Code
# ---------------------------------------------------------------------------
def extract_code(code: bytes) -> Path:
    """Extract the zip once per content hash; return the task root."""
    digest = hashlib.sha256(code).hexdigest()
    task_root = CODE_CACHE_DIR / digest
    with _extract_lock:
        if task_root.is_dir():
            return task_root
        CODE_CACHE_DIR.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{digest[:12]}-", dir=CODE_CACHE_DIR))
        try:
            with zipfile.ZipFile(io.BytesIO(code)) as archive:
                _safe_extract(archive, staging)
        except zipfile.BadZipFile as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise ExecutorError(f"the function's code is not a valid zip file: {error}") from None
        os.rename(staging, task_root)
    return task_root


def _safe_extract(archive: zipfile.ZipFile, target: Path) -> None:
    for member in archive.infolist():
        destination = (target / member.filename).resolve()
        if not str(destination).startswith(str(target.resolve())):
            raise ExecutorError(f"zip entry escapes the task root: {member.filename}")
    archive.extractall(target)
    # Keep the executable bits the zip recorded (e.g. bundled binaries).
    for member in archive.infolist():
        mode = (member.external_attr >> 16) & 0o777
        if mode:
            (target / member.filename).chmod(mode | 0o400)


# ---------------------------------------------------------------------------
# Environment
# ---------------------------------------------------------------------------
def function_environment(spec: FunctionSpec, task_root: Path, request_id: str, log_stream: str, moto_port: int) -> dict[str, str]:
    credentials = spec.credentials or Credentials(c.ACCESS_KEY_ID, c.SECRET_ACCESS_KEY, c.SESSION_TOKEN)
    env: dict[str, str] = {
        "PATH": f"{Path(node_binary()).parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
    }
    env.update({str(k): str(v) for k, v in (spec.environment or {}).items()})
    # Reserved variables: set by Lambda, they win over the function's own.
    env.update(
        {
            "_HANDLER": spec.handler,
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(c.NODE_RUNNER.parent),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_ACCESS_KEY_ID": credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
            "AWS_SESSION_TOKEN": credentials.session_token,
            "NODE_PATH": str(c.SDK_NODE_MODULES),
            # Not reserved on AWS, but here they must point at the emulator.
            "AWS_ENDPOINT_URL": f"http://{c.HOST}:{moto_port}",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
            "LOCAL_AWS": "1",
        }
    )
    return env


# ---------------------------------------------------------------------------
# Invocation
# ---------------------------------------------------------------------------
def invoke(spec: FunctionSpec, event: Any, moto_port: int) -> Outcome:
    request_id = str(uuid.uuid4())
    if not spec.runtime.startswith("nodejs"):
        return _error_outcome(
            request_id,
            "LocalAws.UnsupportedRuntime",
            f"local-aws executes only nodejs* runtimes; function {spec.name} uses {spec.runtime!r}",
        )
    try:
        task_root = extract_code(spec.code)
    except ExecutorError as error:
        return _error_outcome(request_id, "LocalAws.InvalidCode", str(error))

    now = datetime.now(timezone.utc)
    log_stream = f"{now:%Y/%m/%d}/[{spec.version}]{uuid.uuid4().hex}"
    with tempfile.TemporaryDirectory(prefix="local-aws-invoke-") as scratch:
        event_file = Path(scratch) / "event.json"
        result_file = Path(scratch) / "result.json"
        event_file.write_text(json.dumps(event))
        env = function_environment(spec, task_root, request_id, log_stream, moto_port)
        env.update(
            {
                "_LOCAL_AWS_TASK_ROOT": str(task_root),
                "_LOCAL_AWS_HANDLER": spec.handler,
                "_LOCAL_AWS_EVENT_FILE": str(event_file),
                "_LOCAL_AWS_RESULT_FILE": str(result_file),
                "_LOCAL_AWS_TIMEOUT_MS": str(spec.timeout_seconds * 1000),
                "_LOCAL_AWS_REQUEST_ID": request_id,
                "_LOCAL_AWS_FUNCTION_ARN": spec.arn,
                "_LOCAL_AWS_MOTO_PORT": str(moto_port),
            }
        )
        started = time.monotonic()
        output, killed = _run_node(env, task_root, spec.timeout_seconds + INIT_ALLOWANCE_SECONDS)
        duration_ms = (time.monotonic() - started) * 1000
        result = _read_result(result_file)

    if killed or result.get("status") == "timeout":
        error = {
            "errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after {spec.timeout_seconds:.2f} seconds",
        }
        payload, errored = json.dumps(error), True
    elif result.get("status") == "success":
        payload, errored = result["payload"], False
    elif result.get("status") == "error":
        payload, errored = json.dumps(result["error"]), True
    else:
        error = {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited without providing a reason",
        }
        payload, errored = json.dumps(error), True

    logs = _lambda_log_text(request_id, spec.version, output, duration_ms, spec.memory_mb)
    return Outcome(payload=payload, errored=errored, logs=logs, request_id=request_id)


def _run_node(env: dict[str, str], cwd: Path, hard_limit_seconds: float) -> tuple[str, bool]:
    """Run node_runner.js; return (combined stdout+stderr, killed_by_limit)."""
    process = subprocess.Popen(
        [node_binary(), str(c.NODE_RUNNER)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: we can kill all of it
    )
    with _running_lock:
        _running.add(process)
    try:
        output, _ = process.communicate(timeout=hard_limit_seconds)
        return output.decode("utf-8", errors="replace"), False
    except subprocess.TimeoutExpired:
        _kill_group(process)
        output, _ = process.communicate()
        return output.decode("utf-8", errors="replace"), True
    finally:
        with _running_lock:
            _running.discard(process)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all_running() -> None:
    """Called on shutdown: no handler process outlives the emulator."""
    with _running_lock:
        processes = list(_running)
    for process in processes:
        _kill_group(process)


def _read_result(result_file: Path) -> dict[str, Any]:
    try:
        return json.loads(result_file.read_text())
    except (OSError, ValueError):
        return {}


def _error_outcome(request_id: str, error_type: str, message: str) -> Outcome:
    return Outcome(
        payload=json.dumps({"errorType": error_type, "errorMessage": message}),
        errored=True,
        logs=message,
        request_id=request_id,
    )


def _lambda_log_text(request_id: str, version: str, output: str, duration_ms: float, memory_mb: int) -> str:
    lines = [f"START RequestId: {request_id} Version: {version}"]
    lines.extend(output.rstrip("\n").splitlines())
    lines.append(f"END RequestId: {request_id}")
    lines.append(
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {int(duration_ms) + 1} ms\tMemory Size: {memory_mb} MB"
    )
    return "\n".join(lines)
