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

  * LambdaFunction._set_function_code (code from S3Bucket/S3Key)
      Lambda reads the package from a bucket in the function's Region only
      (moto: any Region), and from another account's bucket only if its
      bucket policy lets that account s3:GetObject the key (moto: always;
      policy conditions are not evaluated, a statement counts whatever its
      Condition). So a template that points an account's functions at
      another account's CDK asset bucket fails here as on AWS.

Credentials: a function of another account than the default one
(123456789012) always gets temporary credentials of its execution role
(moto's STS AssumeRole, in-process), as Lambda does: moto identifies the
account by the access key, and with the shared dummy key every AWS call of
the handler would land in the default account (a StackSets instance's
handler must act in its own account). Opt-in for the default account too
(``launcher.py --lambda-role-credentials``); that only matters once IAM is
enforced (moto's POST /moto-api/reset-auth): then the handler can do exactly
what its role's policies allow.
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
    if not _use_role_credentials and fn.account_id == c.ACCOUNT_ID:
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


_original_set_function_code = lambda_models.LambdaFunction._set_function_code


def _set_function_code(self: lambda_models.LambdaFunction, updated_spec: dict[str, Any]) -> None:
    if updated_spec.get("S3Bucket") and updated_spec.get("S3Key") and not updated_spec.get("DryRun"):
        _check_code_location(self.account_id, self.region, updated_spec["S3Bucket"], updated_spec["S3Key"])
    _original_set_function_code(self, updated_spec)


def _check_code_location(account_id: str, region: str, bucket_name: str, key: str) -> None:
    from moto.awslambda.exceptions import InvalidParameterValueException
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    try:
        bucket = s3_backends[account_id]["aws"].get_bucket(bucket_name)
    except MissingBucket:
        return  # moto's own NoSuchBucket answer follows
    if bucket.region_name != region:
        raise InvalidParameterValueException(
            f"Error occurred while GetObject. S3 Error Code: PermanentRedirect. S3 Error Message: The bucket is in this region: "
            f"{bucket.region_name}. Please use this region to retry the request"
        )
    owner = s3_backends.bucket_accounts.get(bucket_name, ("aws", account_id))[1]
    if owner != account_id and not _policy_lets_account_read(bucket, account_id, key):
        raise InvalidParameterValueException(
            f"Your access has been denied by S3, please make sure your request credentials have permission to GetObject for "
            f"{bucket_name}/{key}. S3 Error Code: AccessDenied. S3 Error Message: Access Denied"
        )


def _listed(value: Any) -> list[Any]:
    return [value] if isinstance(value, (str, dict)) else list(value or [])


def _policy_lets_account_read(bucket: Any, account_id: str, key: str) -> bool:
    """Does the bucket policy allow ``account_id`` s3:GetObject on ``key``? (No Condition is evaluated.)"""
    import fnmatch

    if not bucket.policy:
        return False
    try:
        document = json.loads(bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy)
    except ValueError:
        return False
    resource = f"arn:aws:s3:::{bucket.name}/{key}"

    def matches(statement: dict[str, Any]) -> bool:
        actions = [a.lower() for a in _listed(statement.get("Action"))]
        if not any(fnmatch.fnmatchcase("s3:getobject", a) for a in actions):
            return False
        if not any(fnmatch.fnmatchcase(resource, r) for r in _listed(statement.get("Resource"))):
            return False
        principal = statement.get("Principal")
        if principal == "*":
            return True
        for value in _listed((principal or {}).get("AWS") if isinstance(principal, dict) else principal):
            if value == "*" or value == account_id or str(value).startswith(f"arn:aws:iam::{account_id}:"):
                return True
        return False

    statements = [s for s in _listed(document.get("Statement")) if isinstance(s, dict)]
    if any(s.get("Effect") == "Deny" and not s.get("Condition") and matches(s) for s in statements):
        return False
    return any(s.get("Effect") == "Allow" and matches(s) for s in statements)


def apply() -> None:
    lambda_models.LambdaFunction._set_function_code = _set_function_code
    lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda
    lambda_models.LambdaFunction.invoke = invoke
    lambda_models.LambdaFunction.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
