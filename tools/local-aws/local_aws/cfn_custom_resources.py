"""The custom-resource protocol: Create, Update and Delete requests to a
Lambda-backed custom resource, and its answer on the ResponseURL.

Replaces (moto 5.2.1, moto/cloudformation/custom_model.py and responses.py):
  * CustomModel.create_from_cloudformation_json -- moto started the handler
    in a thread and never read a FAILED answer. Here the request is sent and
    the answer awaited (see ``send_request``).
  * CustomModel.physical_resource_id / get_cfn_attribute -- the provider's
    PhysicalResourceId and Data.
  * CloudFormationResponse.process_cfn_response -- the answer is matched to
    the pending request by RequestId (and StackId, LogicalResourceId).
Adds CustomModel.delete (moto had none, so a stack delete never reached the
handler) and ``update_custom_resource`` for stack updates (cfn_lifecycle).

What the provider gets, per the request reference of the CloudFormation
User Guide (crpg-ref-requests / crpg-ref-requesttypes-*):
  * every request: RequestType, ServiceToken, ResponseURL, StackId,
    RequestId, LogicalResourceId, ResourceType, ResourceProperties (the
    resolved Properties, ServiceToken included, scalars as strings);
  * Update: also PhysicalResourceId and OldResourceProperties;
  * Delete: also PhysicalResourceId (ResourceProperties = the current ones).
The ResponseURL is the emulator's, not a pre-signed S3 URL.

Waiting: CloudFormation waits for the answer up to the resource's
ServiceTimeout (1-3600 s, default 3600). Here the wait ends when the answer
arrives, when ServiceTimeout elapses, or -- sooner than on AWS -- when the
handler's invocation ends without an answer (nothing can answer after that).
The handler is invoked directly, not through Lambda's asynchronous invoke,
so a failing handler is not retried.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.cloudformation import custom_model
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import cloudformation_backends
from moto.moto_api._internal import mock_random

from .cfn_events import CustomResourceFailure

DEFAULT_SERVICE_TIMEOUT = 3600
SERVICE_TOKEN_CHANGED = "Modifying service token is not allowed."


def as_cloudformation_strings(value: Any) -> Any:
    """CloudFormation hands custom resources every scalar property as a string."""
    if isinstance(value, dict):
        return {k: as_cloudformation_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_cloudformation_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _response_url(region_name: str, stack_id: str) -> str:
    # moto routes /cloudformation_<region>/cfnresponse to
    # CloudFormationResponse.cfnresponse -> process_cfn_response (below).
    host = f"{custom_model.settings.moto_server_host()}:{custom_model.settings.moto_server_port()}"
    return f"{host}/cloudformation_{region_name}/cfnresponse?stack={stack_id}"


def service_timeout(properties: dict[str, Any]) -> int:
    value = properties.get("ServiceTimeout")
    if value is None:
        return DEFAULT_SERVICE_TIMEOUT
    try:
        seconds = int(str(value))
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= 3600 or str(seconds) != str(value).strip():
        raise CustomResourceFailure(f"ServiceTimeout must be an integer from 1 to 3600 (seconds), not {value!r}", sent=False)
    return seconds


# ---------------------------------------------------------------------------
# Requests and answers
# ---------------------------------------------------------------------------
class _PendingRequest:
    def __init__(self, request_id: str, stack_id: str, logical_id: str):
        self.request_id = request_id
        self.stack_id = stack_id
        self.logical_id = logical_id
        self.response: dict[str, Any] | None = None
        self.invocation: tuple[str, bool] | None = None  # (payload, errored) once the handler returned
        self.settled = threading.Event()  # answer received, or the handler returned


_pending: dict[str, _PendingRequest] = {}
_pending_lock = threading.Lock()


def send_request(
    request_type: str,
    *,
    account_id: str,
    region_name: str,
    stack_id: str,
    logical_id: str,
    resource_type: str,
    properties: dict[str, Any],
    physical_id: str | None = None,
    old_properties: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Send one request to the provider named by ``properties['ServiceToken']``
    and return its SUCCESS answer; raise CustomResourceFailure otherwise."""
    timeout = service_timeout(properties)
    service_token = properties.get("ServiceToken")
    if not service_token:
        raise CustomResourceFailure("ServiceToken is required for a custom resource", sent=False)
    try:
        function = lambda_backends[account_id][region_name].get_function(service_token)
    except Exception:  # noqa: BLE001
        raise CustomResourceFailure(
            f"ServiceToken {service_token} is not a Lambda function of this emulator "
            "(SNS-backed custom resources are not supported)",
            sent=False,
        ) from None

    request_id = str(mock_random.uuid4())
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": service_token,
        "ResponseURL": _response_url(region_name, stack_id),
        "StackId": stack_id,
        "RequestId": request_id,
        "LogicalResourceId": logical_id,
        "ResourceType": resource_type,
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    event["ResourceProperties"] = properties
    if old_properties is not None:
        event["OldResourceProperties"] = old_properties

    pending = _PendingRequest(request_id, stack_id, logical_id)
    with _pending_lock:
        _pending[request_id] = pending

    def invoke() -> None:
        try:
            payload, errored, _logs = function._invoke_lambda(event)
            pending.invocation = (payload, errored)
        except Exception as error:  # noqa: BLE001 - reported as the handler's failure
            pending.invocation = (json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}), True)
        finally:
            pending.settled.set()

    threading.Thread(target=invoke, name=f"custom-resource-{logical_id}", daemon=True).start()
    settled = pending.settled.wait(timeout)
    with _pending_lock:
        _pending.pop(request_id, None)

    response = pending.response
    if response is None:
        if not settled:
            raise CustomResourceFailure(
                f"CloudFormation did not receive a response from your Custom Resource within its ServiceTimeout "
                f"of {timeout} seconds. Please check your logs for requestId [{request_id}]."
            )
        detail = ""
        payload, errored = pending.invocation or ("", False)
        if errored:
            try:
                error = json.loads(payload)
                detail = f" The function failed: {error.get('errorType')}: {error.get('errorMessage')}"
            except ValueError:
                detail = f" The function failed: {payload}"
        raise CustomResourceFailure(
            f"Custom resource handler {function.function_name} finished without sending a response "
            f"to the ResponseURL (CloudFormation would wait up to the ServiceTimeout, {timeout} s, here).{detail}"
        )
    if response.get("Status") != "SUCCESS":
        raise CustomResourceFailure(
            f"Received response status [{response.get('Status')}] from custom resource. "
            f"Message returned: {response.get('Reason')} (RequestId: {request_id})",
            response=response,
        )
    return response


def process_cfn_response(self: cfn_responses.CloudFormationResponse) -> tuple[int, dict[str, Any], str]:
    """The provider's answer (PUT to the ResponseURL). moto read only
    SUCCESS; FAILED, Reason and PhysicalResourceId were dropped."""
    try:
        body = json.loads(self.body or "{}")
    except ValueError:
        return 400, {}, "response body is not JSON"
    with _pending_lock:
        pending = _pending.get(str(body.get("RequestId", "")))
    if pending is None or pending.logical_id != body.get("LogicalResourceId") or pending.stack_id != body.get("StackId"):
        return 404, {}, "unknown or expired custom resource request"
    if pending.response is None:
        pending.response = body
        pending.settled.set()
    return 200, {}, ""


# ---------------------------------------------------------------------------
# The resource
# ---------------------------------------------------------------------------
def _new_model(region_name: str, logical_id: str, resource_name: str, stack_id: str, resource_type: str, account_id: str) -> CustomModel:
    resource = CustomModel(region_name, "", logical_id, resource_name)
    resource.account_id = account_id
    resource._local_aws_stack_id = stack_id
    resource._local_aws_resource_type = resource_type
    resource._local_aws_physical_id = None
    resource._local_aws_properties = {}
    resource._local_aws_create_failed = False
    return resource


def _request(resource: CustomModel, request_type: str, properties: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return send_request(
        request_type,
        account_id=resource.account_id,
        region_name=resource.region_name,
        stack_id=resource._local_aws_stack_id,
        logical_id=resource.logical_id,
        resource_type=resource._local_aws_resource_type,
        properties=properties,
        **kwargs,
    )


def create_custom_resource(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> CustomModel:
    """Send Create and wait for the answer; resources that refer to this one
    (Ref, Fn::GetAtt) then see its PhysicalResourceId and Data. A failed
    Create still leaves a resource behind (CustomResourceFailure.resource):
    CloudFormation sends it a Delete when the stack rolls back."""
    logical_id = kwargs["LogicalId"]
    stack_id = kwargs["StackId"]
    resource = _new_model(region_name, logical_id, resource_name, stack_id, kwargs["ResourceType"], account_id)
    resource._local_aws_properties = as_cloudformation_strings(cloudformation_json.get("Properties", {}))
    stack = cloudformation_backends[account_id][region_name].get_stack(stack_id)
    stack.add_custom_resource(resource)
    try:
        response = _request(resource, "Create", resource._local_aws_properties)
    except CustomResourceFailure as failure:
        if failure.sent:
            resource._local_aws_create_failed = True
            resource._local_aws_physical_id = (failure.response or {}).get("PhysicalResourceId") or resource_name
            failure.resource = resource
        raise
    resource._local_aws_physical_id = response.get("PhysicalResourceId") or resource_name
    resource.set_data(response.get("Data") or {})
    return resource


def update_custom_resource(resource: CustomModel, new_properties: dict[str, Any], resource_type: str) -> tuple[CustomModel, bool]:
    """Send Update with the new and the old properties. Returns the resource
    and whether the provider replaced it (answered with another
    PhysicalResourceId): then the returned object is a new one and the old
    one still exists until the stack's cleanup phase deletes it."""
    if new_properties.get("ServiceToken") != resource._local_aws_properties.get("ServiceToken"):
        raise CustomResourceFailure(SERVICE_TOKEN_CHANGED, sent=False)
    old_physical_id = resource.physical_resource_id
    response = _request(resource, "Update", new_properties, physical_id=old_physical_id, old_properties=resource._local_aws_properties)
    new_physical_id = response.get("PhysicalResourceId") or old_physical_id
    target = resource
    replaced = new_physical_id != old_physical_id
    if replaced:
        target = _new_model(resource.region_name, resource.logical_id, resource.resource_name, resource._local_aws_stack_id, resource_type, resource.account_id)
        target.cf_resource_type = getattr(resource, "cf_resource_type", resource_type)
        target.logical_resource_id = resource.logical_id
    target._local_aws_physical_id = new_physical_id
    target._local_aws_properties = new_properties
    target.set_data(response.get("Data") or {})
    return target, replaced


def rollback_custom_resource(resource: CustomModel, old_properties: dict[str, Any], new_properties: dict[str, Any]) -> None:
    """The rollback of a failed update: an Update back to the old properties
    (ResourceProperties = old, OldResourceProperties = new)."""
    response = _request(resource, "Update", old_properties, physical_id=resource.physical_resource_id, old_properties=new_properties)
    resource._local_aws_properties = old_properties
    resource.set_data(response.get("Data") or {})


def delete_custom_resource(self: CustomModel, account_id: str | None = None, region_name: str | None = None) -> None:
    """CustomModel.delete: send Delete with the current properties and physical id."""
    _request(self, "Delete", self._local_aws_properties, physical_id=self.physical_resource_id)


def _custom_physical_resource_id(self: CustomModel) -> str:
    return getattr(self, "_local_aws_physical_id", None) or self.resource_name


def _custom_get_cfn_attribute(self: CustomModel, attribute_name: str) -> Any:
    if attribute_name in self.data:
        return self.data[attribute_name]
    raise ValidationError(
        message=f"CustomResource attribute error: Vendor response doesn't contain {attribute_name} key in object {self.logical_id}"
    )


def is_custom(resource: Any) -> bool:
    return isinstance(resource, CustomModel)


def apply() -> None:
    CustomModel.create_from_cloudformation_json = classmethod(create_custom_resource)
    CustomModel.physical_resource_id = property(_custom_physical_resource_id)
    CustomModel.get_cfn_attribute = _custom_get_cfn_attribute
    CustomModel.delete = delete_custom_resource
    cfn_responses.CloudFormationResponse.process_cfn_response = process_cfn_response

