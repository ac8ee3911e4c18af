"""Plug the Node.js executor into moto's Lambda model.

Replaces (moto 5.2.1, moto/awslambda/models.py):
  * LambdaFunction._invoke_lambda(self, event) -> (result, errored, logs)
      moto runs the function in Docker; we run nodejs* functions with
      lambda_executor and fail every other runtime clearly.
  * LambdaFunction.invoke(self, body, request_headers, response_headers)
      moto marks every error "Handled"; Lambda reports an uncaught error as
      FunctionError "Unhandled". InvocationType=Event now returns at once and
      runs the function in the background, as Lambda does.
  * LambdaFunction.create_from_cloudformation_json
      moto always turns inline code (Code.ZipFile) into index.py; for nodejs*
      runtimes Lambda writes index.js and adds the cfn-response module.

Opt-in (``launcher.py --lambda-role-credentials``): each invocation gets
temporary credentials of the function's execution role (moto's STS
AssumeRole, in-process), as Lambda does, instead of the shared dummy ones.
Only matters once IAM is enforced (moto's POST /moto-api/reset-auth): then
the handler can do exactly what its role's policies allow.
"""

from __future__ import annotations

import base64
import io
import json
import os
import threading
import zipfile
from typing import Any

from moto.awslambda import models as lambda_models

from . import constants as c
from . import lambda_executor

_original_create_from_cfn = lambda_models.LambdaFunction.create_from_cloudformation_json.__func__
_use_role_credentials = False
ROLE_SESSION_SECONDS = 3600


def use_role_credentials() -> None:
    """Run every function with its execution role's credentials (see the module docstring)."""
    global _use_role_credentials
    _use_role_credentials = True


def _role_credentials(fn: lambda_models.LambdaFunction) -> lambda_executor.Credentials | None:
    if not _use_role_credentials:
        return None
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    assumed = sts_backends[fn.account_id][get_partition(fn.region)].assume_role(
        region_name=fn.region,
        role_session_name=fn.function_name[:64],
        role_arn=fn.role,
        policy=None,
        duration=ROLE_SESSION_SECONDS,
        external_id=None,
    )
    return lambda_executor.Credentials(assumed.access_key_id, assumed.secret_access_key, assumed.session_token)


def _moto_port() -> int:
    return int(os.environ["MOTO_PORT"])


def function_spec(fn: lambda_models.LambdaFunction) -> lambda_executor.FunctionSpec:
    return lambda_executor.FunctionSpec(
        name=fn.function_name,
        arn=fn.function_arn,
        runtime=fn.run_time or "",
        handler=fn.handler or "",
        code=fn.code_bytes,
        timeout_seconds=int(fn.timeout),
        memory_mb=int(fn.memory_size),
        version=str(fn.version),
        region=fn.region,
        environment=dict(fn.environment_vars or {}),
        log_group=fn.logs_group_name,
        credentials=_role_credentials(fn),
    )


def _invoke_lambda(self: lambda_models.LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    self.logs_backend.ensure_log_group(self.logs_group_name)
    if event is None or event == "{}":  # moto passes the string "{}" for an empty body
        event = {}
    if getattr(self, "package_type", "Zip") != "Zip":
        return _unsupported(self, f"package type {self.package_type} (container images) is not supported")
    if self.layers:
        return _unsupported(self, "Lambda layers are not supported by the local executor; bundle the code instead")
    outcome = lambda_executor.invoke(function_spec(self), event, _moto_port())
    self.save_logs(outcome.logs)
    return outcome.payload, outcome.errored, outcome.logs


def _unsupported(fn: lambda_models.LambdaFunction, reason: str) -> tuple[str, bool, str]:
    message = f"local-aws cannot run function {fn.function_name}: {reason}"
    return json.dumps({"errorType": "LocalAws.Unsupported", "errorMessage": message}), True, message


def invoke(self: lambda_models.LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> str | bytes:
    event = json.loads(body) if body else {}
    invocation_type = request_headers.get("x-amz-invocation-type", "RequestResponse")
    if invocation_type == "Event":
        threading.Thread(target=self._invoke_lambda, args=(event,), daemon=True).start()
        return b""
    if invocation_type == "DryRun":
        return b""
    payload, errored, logs = self._invoke_lambda(event=event)
    if errored:
        response_headers["x-amz-function-error"] = "Unhandled"
    response_headers["x-amz-log-result"] = base64.b64encode(_tail(logs).encode()).decode()
    return payload.encode("utf-8")


def _tail(logs: str, limit: int = 4096) -> str:
    """Lambda returns the last 4 KB of the log with LogType=Tail."""
    data = logs.encode("utf-8")[-limit:]
    return data.decode("utf-8", errors="ignore")


def nodejs_inline_zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.js", source)
        archive.writestr("node_modules/cfn-response/index.js", c.CFN_RESPONSE_MODULE.read_text())
    return buffer.getvalue()


def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any):
    properties = cloudformation_json.get("Properties", {})
    runtime = str(properties.get("Runtime", ""))
    code = properties.get("Code", {})
    if runtime.startswith("nodejs") and "ZipFile" in code:
        spec = {
            "Code": {"ZipFile": base64.b64encode(nodejs_inline_zip(code["ZipFile"])).decode()},
            "FunctionName": resource_name,
            "Handler": properties.get("Handler"),
            "Role": properties["Role"],
            "Runtime": runtime,
        }
        for optional in ("Description", "MemorySize", "Publish", "Timeout", "VpcConfig", "Environment", "ReservedConcurrentExecutions", "Architectures", "Tags"):
            if optional in properties:
                spec[optional] = properties[optional]
        if isinstance(spec.get("Tags"), list):
            spec["Tags"] = {tag["Key"]: tag["Value"] for tag in spec["Tags"]}
        return lambda_models.lambda_backends[account_id][region_name].create_function(spec)
    return _original_create_from_cfn(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


def apply() -> None:
    lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda
    lambda_models.LambdaFunction.invoke = invoke
    lambda_models.LambdaFunction.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
