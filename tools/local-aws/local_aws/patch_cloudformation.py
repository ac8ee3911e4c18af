"""CloudFormation fixes so the CDK CLI and integ-runner can deploy to moto.

moto 5.2.1 (moto/cloudformation/{models,parsing,responses,custom_model}.py)
gaps fixed here, each by replacing one moto function:

 1. ExecuteChangeSet(CREATE) built no outputs/exports and did not wait for
    custom resources: CloudFormationBackend.execute_change_set is replaced;
    a CREATE change set now builds the stack from the change set's template
    and creates its resources exactly like CreateStack does.
 2. Change sets were looked up by name only (the CDK CLI always uses
    "cdk-deploy-change-set"): describe/delete/execute/list now also match
    the StackName, and a missing change set is ChangeSetNotFoundException.
 3. FAILED custom-resource responses were ignored: the custom resource is
    created synchronously (its handler runs, answers on the ResponseURL, and
    we read that answer); FAILED -> CREATE_FAILED with the handler's reason,
    and the stack rolls back (ROLLBACK_COMPLETE) -- any resource failure does.
 4. DescribeStackEvents on a deleted stack: "Stack [name] does not exist".
 5. UsePreviousValue on AWS::SSM::Parameter::Value<...> parameters: moto
    re-used the *resolved* value as the SSM parameter name (HTTP 500 on
    every update); the previous *input* value is used now.
 6. (KMS key policy stored as a dict: see patch_kms.py.)

Also: per-resource stack events (CREATE_IN_PROGRESS/COMPLETE/FAILED,
DELETE_*), StackStatusReason, outputs evaluated after creation, and a stack
delete that fails becomes DELETE_FAILED instead of HTTP 500.

Custom resources get Create events only (like moto); Delete of a stack with
custom resources does not call the handler and does not fail.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.cloudformation import custom_model, parsing
from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.exceptions import AlreadyExistsException, CloudFormationError, ValidationError
from moto.cloudformation.models import CloudFormationBackend, Event, Stack, cloudformation_backends
from moto.core.responses import ActionResult, EmptyResult
from moto.moto_api._internal import mock_random

from . import cfn_resource_types
from .cfn_events import (
    CANCELLED,
    CustomResourceFailure,
    ResourceFailure,
    add_resource_event,
    describe_error,
    set_stack_status,
)
from .cfn_events import physical_id_of as _physical_id
from .cfn_events import stack_of as _stack_of


class ChangeSetNotFoundException(CloudFormationError):
    code = "ChangeSetNotFoundException"


# ---------------------------------------------------------------------------
# Stack <-> resource map link (replaces Stack._create_resource_map)
# ---------------------------------------------------------------------------
_original_create_resource_map = Stack._create_resource_map


def _create_resource_map(self: Stack) -> parsing.ResourceMap:
    """moto's ResourceMap does not know its Stack; events need it."""
    resource_map = _original_create_resource_map(self)  # load() creates no resources
    resource_map._local_aws_stack = self
    return resource_map


# ---------------------------------------------------------------------------
# Resource creation with events (replaces parsing.parse_and_create_resource)
# ---------------------------------------------------------------------------
_original_parse_and_create_resource = parsing.parse_and_create_resource


def parse_and_create_resource(logical_id: str, resource_json: dict[str, Any], resources_map: parsing.ResourceMap, account_id: str, region_name: str) -> Any:
    if getattr(resources_map, "_local_aws_frozen", False):
        # moto's ResourceMap creates a missing resource whenever it is looked
        # up -- also from DescribeStackResources or an output, after the stack
        # was created, rolled back or deleted. Outside create/update, never.
        return None
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return None  # not created: no events, like CloudFormation
    stack = _stack_of(resources_map)
    resource_type = resource_json.get("Type", "")

    def record(status: str, reason: str | None = None, physical_id: str | None = None) -> None:
        if stack is not None:
            add_resource_event(stack, logical_id, resource_type, status, reason, physical_id)

    record("CREATE_IN_PROGRESS")
    try:
        resource = _original_parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
    except ResourceFailure:
        # A resource this one refers to failed first (moto creates references
        # on demand, from inside this resource's creation).
        record("CREATE_FAILED", CANCELLED)
        raise
    except Exception as error:  # noqa: BLE001 - every failure becomes CREATE_FAILED
        reason = describe_error(error)
        record("CREATE_FAILED", reason)
        if stack is not None:
            stack._local_aws_failed.append(logical_id)
        raise ResourceFailure(logical_id, reason) from error
    record("CREATE_COMPLETE", physical_id=_physical_id(resource))
    return resource


_original_delete_resource = parsing.ResourceMap._delete_resource


def _delete_resource(self: parsing.ResourceMap, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
    """ResourceMap._delete_resource, with DELETE_* events."""
    stack = _stack_of(self)
    logical_id = getattr(parsed_resource, "logical_resource_id", "")
    resource_type = resource_json.get("Type", "")
    physical_id = _physical_id(parsed_resource)
    if stack is not None:
        add_resource_event(stack, logical_id, resource_type, "DELETE_IN_PROGRESS", physical_id=physical_id)
    try:
        _original_delete_resource(self, parsed_resource, resource_json)
    except Exception as error:
        if stack is not None:
            add_resource_event(stack, logical_id, resource_type, "DELETE_FAILED", describe_error(error), physical_id)
        raise
    if stack is not None:
        add_resource_event(stack, logical_id, resource_type, "DELETE_COMPLETE", physical_id=physical_id)


def freeze(stack: Stack) -> None:
    stack.resource_map._local_aws_frozen = True


def thaw(stack: Stack) -> None:
    stack.resource_map._local_aws_frozen = False


def created_resources(self: Stack) -> list[Any]:
    """Replaces the Stack.stack_resources property: the resources that exist
    (moto listed resource_map.values(), which creates missing ones)."""
    resource_map = self.resource_map
    return [
        resource
        for logical_id, resource in list(resource_map._parsed_resources.items())
        if logical_id in resource_map._resource_json_map and resource is not None and not isinstance(resource, (str, dict, list))
    ]


# ---------------------------------------------------------------------------
# Stack creation, outputs, rollback (replaces Stack.create_resources)
# ---------------------------------------------------------------------------
def evaluate_outputs(stack: Stack) -> None:
    """Build the outputs once all resources exist (moto evaluated them lazily,
    and cached values read while custom resources had not answered yet)."""
    stack.output_map = stack._create_output_map()
    for key in list(stack.output_map.outputs):
        stack.output_map[key]
    stack.output_map.exports  # noqa: B018 - resolves export names/values now


def create_resources(self: Stack, disable_rollback: bool = False) -> bool:
    """Create every resource; on failure roll back (or stop, with
    DisableRollback) like CloudFormation. Returns True on success."""
    self.status = "CREATE_IN_PROGRESS"
    self._local_aws_failed = []
    thaw(self)
    try:
        self.resource_map.create(self.template_dict)
        self.description = self.template_dict.get("Description")
        evaluate_outputs(self)
    except Exception as error:  # noqa: BLE001
        _fail_creation(self, error, disable_rollback)
        return False
    finally:
        freeze(self)
    set_stack_status(self, "CREATE_COMPLETE")
    return True


def _no_outputs(stack: Stack) -> None:
    stack.output_map = cfn_models.OutputMap(stack.resource_map, {"Outputs": {}}, stack.stack_id)


def _fail_creation(stack: Stack, error: BaseException, disable_rollback: bool) -> None:
    freeze(stack)
    _no_outputs(stack)
    if stack._local_aws_failed:
        reason = f"The following resource(s) failed to create: [{', '.join(stack._local_aws_failed)}]."
    else:
        reason = describe_error(error)
    if disable_rollback:
        set_stack_status(stack, "CREATE_FAILED", reason)
        return
    if not reason.endswith("."):
        reason += "."
    set_stack_status(stack, "ROLLBACK_IN_PROGRESS", f"{reason} Rollback requested by user.")
    try:
        stack.resource_map.delete()
    except Exception as rollback_error:  # noqa: BLE001
        set_stack_status(stack, "ROLLBACK_FAILED", describe_error(rollback_error))
        return
    # CloudFormation leaves StackStatusReason empty here; we keep the
    # original failure so that `cdk deploy` shows it next to the status.
    set_stack_status(stack, "ROLLBACK_COMPLETE", keep_reason=True)


def _register_exports(backend: CloudFormationBackend, stack: Stack) -> None:
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export


# ---------------------------------------------------------------------------
# Backend: CreateStack
# ---------------------------------------------------------------------------
def create_stack(self: CloudFormationBackend, name: str, template: str, parameters: dict[str, Any], notification_arns: list[str] | None = None, tags: dict[str, str] | None = None, role_arn: str | None = None, enable_termination_protection: bool | None = False, timeout_in_mins: int | None = None, stack_policy_body: str | None = None, disable_rollback: bool = False) -> Stack:
    """CloudFormationBackend.create_stack: same, but resources are created
    (with rollback on failure) before exports are registered."""
    if name in [stack.name for stack in self.stacks.values()]:
        raise AlreadyExistsException(f"Stack [{name}] already exists")
    cfn_resource_types.reject_unsupported_resource_types(template)
    stack = Stack(
        stack_id=cfn_models.generate_stack_id(name, self.region_name, self.account_id),
        name=name,
        template=template,
        parameters=parameters,
        account_id=self.account_id,
        region_name=self.region_name,
        notification_arns=notification_arns,
        tags=tags,
        role_arn=role_arn,
        cross_stack_resources=self.exports,
        enable_termination_protection=enable_termination_protection,
        timeout_in_mins=timeout_in_mins,
        stack_policy_body=stack_policy_body,
    )
    self.stacks[stack.stack_id] = stack
    set_stack_status(stack, "CREATE_IN_PROGRESS", "User Initiated")
    if stack.create_resources(disable_rollback=disable_rollback):
        _register_exports(self, stack)
    return stack


# ---------------------------------------------------------------------------
# Backend: change sets
# ---------------------------------------------------------------------------
def find_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None):
    """By ARN; or by name within the given stack (name or ARN)."""
    if change_set_name in self.change_sets:
        return self.change_sets[change_set_name]
    for change_set in self.change_sets.values():
        if change_set.change_set_name != change_set_name:
            continue
        if stack_name in (None, "", change_set.stack_name, change_set.stack_id):
            return change_set
    raise ChangeSetNotFoundException(f"ChangeSet [{change_set_name}] does not exist")


def describe_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None):
    return find_change_set(self, change_set_name, stack_name)


def delete_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    """Deleting a change set that does not exist succeeds, as on AWS (the CDK
    CLI relies on it before every deployment; moto answered HTTP 500)."""
    try:
        change_set = find_change_set(self, change_set_name, stack_name)
    except ChangeSetNotFoundException:
        return
    del self.change_sets[change_set.change_set_id]


def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None, disable_rollback: bool = False) -> None:
    change_set = find_change_set(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise ValidationError(
            message=f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status of [{change_set.execution_status}]"
        )
    stack = self.stacks[change_set.stack_id]
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    if change_set.change_set_type == "CREATE":
        _execute_create(self, stack, change_set, disable_rollback)
    else:
        _execute_update(self, stack, change_set)
    change_set.execution_status = "EXECUTE_COMPLETE"
    # "After you execute a change set, CloudFormation removes all change sets
    # that are associated with the stack" (moto kept them, so the next
    # cdk-deploy-change-set of the stack found the old one).
    for change_set_id in [i for i, cs in self.change_sets.items() if cs.stack_id == stack.stack_id]:
        del self.change_sets[change_set_id]


def _execute_create(backend: CloudFormationBackend, stack: Stack, change_set, disable_rollback: bool) -> None:
    """What create_stack does, for the stack a CREATE change set reserved."""
    set_stack_status(stack, "CREATE_IN_PROGRESS", "User Initiated")
    stack.template = change_set.template
    stack.parameters = change_set.parameters
    stack.cross_stack_resources = backend.exports
    if change_set.tags:
        stack.tags = change_set.tags
    stack._local_aws_failed = []
    try:
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.resource_map = stack._create_resource_map()
        stack.output_map = stack._create_output_map()
    except Exception as error:  # noqa: BLE001 - e.g. a parameter that cannot be resolved
        _fail_creation(stack, error, disable_rollback)
        return
    if stack.create_resources(disable_rollback=disable_rollback):
        _register_exports(backend, stack)


def _execute_update(backend: CloudFormationBackend, stack: Stack, change_set) -> None:
    """moto's update, plus fresh outputs/exports and a failed status instead
    of HTTP 500. NOTE: a failed update is not undone (moto cannot); the
    stack is marked UPDATE_ROLLBACK_COMPLETE with the reason."""
    set_stack_status(stack, "UPDATE_IN_PROGRESS", "User Initiated")
    stack._local_aws_failed = []
    old_exports = [export.name for export in stack.exports]
    thaw(stack)
    try:
        change_set.apply()
        stack.template = change_set.template
        stack._parse_template()
        stack.parameters = change_set.parameters
        stack.description = stack.template_dict.get("Description")
        evaluate_outputs(stack)
    except Exception as error:  # noqa: BLE001
        reason = describe_error(error)
        if stack._local_aws_failed:
            reason = f"The following resource(s) failed to update: [{', '.join(stack._local_aws_failed)}]."
        set_stack_status(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
        set_stack_status(stack, "UPDATE_ROLLBACK_COMPLETE", keep_reason=True)
        return
    finally:
        freeze(stack)
    for name in old_exports:
        backend.exports.pop(name, None)
    _register_exports(backend, stack)
    set_stack_status(stack, "UPDATE_COMPLETE")


# ---------------------------------------------------------------------------
# Backend: delete, events
# ---------------------------------------------------------------------------
_original_delete_stack = CloudFormationBackend.delete_stack


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    """A resource that cannot be deleted leaves the stack DELETE_FAILED
    (moto raised, i.e. HTTP 500, and lost track of the stack)."""
    stack = next((s for s in self.stacks.values() if name_or_stack_id in (s.name, s.stack_id)), None)
    if stack is None:
        return  # deleting a stack that does not exist succeeds, as on AWS
    try:
        _original_delete_stack(self, stack.stack_id)
    except Exception as error:  # noqa: BLE001
        self.deleted_stacks.pop(stack.stack_id, None)
        self.stacks[stack.stack_id] = stack
        set_stack_status(stack, "DELETE_FAILED", describe_error(error))


def describe_stack_events(self: CloudFormationBackend, stack_name: str) -> list[Event]:
    try:
        return self.get_stack(stack_name).events
    except ValidationError:
        raise ValidationError(message=f"Stack [{stack_name}] does not exist") from None


# ---------------------------------------------------------------------------
# Custom resources (replaces CustomModel.create_from_cloudformation_json)
# ---------------------------------------------------------------------------
def _as_cloudformation_strings(value: Any) -> Any:
    """CloudFormation hands custom resources every scalar property as a string."""
    if isinstance(value, dict):
        return {k: _as_cloudformation_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_cloudformation_strings(v) for v in value]
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


def create_custom_resource(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> CustomModel:
    """Run the custom resource's Lambda handler synchronously.

    moto started the handler in a thread and marked the stack complete when
    a SUCCESS arrived (FAILED was ignored). Here the handler runs to the end
    while the emulator serves its PUT to the ResponseURL on another thread;
    then the answer is known, and resources that refer to this one (Ref,
    Fn::GetAtt) see its PhysicalResourceId and Data.
    """
    logical_id = kwargs["LogicalId"]
    stack_id = kwargs["StackId"]
    properties = cloudformation_json.get("Properties", {})
    service_token = properties.get("ServiceToken")
    if not service_token:
        raise CustomResourceFailure("ServiceToken is required for a custom resource")
    try:
        function = lambda_backends[account_id][region_name].get_function(service_token)
    except Exception:  # noqa: BLE001
        raise CustomResourceFailure(
            f"ServiceToken {service_token} is not a Lambda function of this emulator "
            "(SNS-backed custom resources are not supported)"
        ) from None

    resource = CustomModel(region_name, str(mock_random.uuid4()), logical_id, resource_name)
    resource._local_aws_response = None
    stack = cloudformation_backends[account_id][region_name].get_stack(stack_id)
    stack.add_custom_resource(resource)
    event = {
        "RequestType": "Create",
        "ServiceToken": service_token,
        "ResponseURL": _response_url(region_name, stack_id),
        "StackId": stack_id,
        "RequestId": resource.request_id,
        "LogicalResourceId": logical_id,
        "ResourceType": kwargs["ResourceType"],
        "ResourceProperties": _as_cloudformation_strings(properties),
    }
    payload, errored, _logs = function._invoke_lambda(event)

    response = resource._local_aws_response
    if response is None:
        detail = ""
        if errored:
            try:
                error = json.loads(payload)
                detail = f" The function failed: {error.get('errorType')}: {error.get('errorMessage')}"
            except ValueError:
                detail = f" The function failed: {payload}"
        raise CustomResourceFailure(
            f"Custom resource handler {function.function_name} finished without sending a response "
            f"to the ResponseURL (CloudFormation would wait up to 1 hour here).{detail}"
        )
    if response.get("Status") != "SUCCESS":
        raise CustomResourceFailure(
            f"Received response status [{response.get('Status')}] from custom resource. "
            f"Message returned: {response.get('Reason')} (RequestId: {resource.request_id})"
        )
    return resource


def _custom_physical_resource_id(self: CustomModel) -> str:
    response = getattr(self, "_local_aws_response", None) or {}
    return response.get("PhysicalResourceId") or self.resource_name


def _custom_get_cfn_attribute(self: CustomModel, attribute_name: str) -> Any:
    if attribute_name in self.data:
        return self.data[attribute_name]
    raise ValidationError(
        message=f"CustomResource attribute error: Vendor response doesn't contain {attribute_name} key in object {self.logical_id}"
    )


# ---------------------------------------------------------------------------
# Responses (CloudFormationResponse methods)
# ---------------------------------------------------------------------------
def process_cfn_response(self: cfn_responses.CloudFormationResponse) -> tuple[int, dict[str, Any], str]:
    """The custom resource's answer (PUT to the ResponseURL). moto read only
    SUCCESS; FAILED, Reason and PhysicalResourceId were dropped."""
    try:
        body = json.loads(self.body or "{}")
    except ValueError:
        return 400, {}, "response body is not JSON"
    match = re.search(r"/cloudformation_([^/]+)/cfnresponse", self.path or "")
    region = match.group(1) if match else self.region
    backend = cloudformation_backends[self.current_account][region]
    try:
        stack = backend.get_stack(body.get("StackId", ""))
    except ValidationError:
        return 404, {}, "unknown stack"
    resource = stack.custom_resources.get(body.get("LogicalResourceId", ""))
    if resource is None or resource.request_id != body.get("RequestId"):
        return 404, {}, "unknown custom resource request"
    resource._local_aws_response = body
    if body.get("Status") == "SUCCESS":
        resource.set_data(body.get("Data") or {})
    return 200, {}, ""


def _parameter_input_value(stack: Stack, key: str) -> Any:
    """The value the user gave (e.g. an SSM parameter *name*), not moto's
    resolved value -- what UsePreviousValue must re-use."""
    inputs = stack.resource_map.input_parameters or {}
    if key in inputs:
        return inputs[key]
    return stack.template_dict.get("Parameters", {}).get(key, {}).get("Default")


def resolve_parameters(stack: Stack | None, parameters_list: list[dict[str, Any]]) -> dict[str, Any]:
    result = {}
    for parameter in parameters_list:
        key = parameter["ParameterKey"]
        if parameter.get("UsePreviousValue") and str(parameter["UsePreviousValue"]).lower() == "true":
            if stack is None:
                raise ValidationError(message=f"Invalid input for parameter key {key}. UsePreviousValue requires an existing stack")
            result[key] = _parameter_input_value(stack, key)
        elif "ParameterValue" in parameter:
            result[key] = parameter["ParameterValue"]
        else:
            raise ValidationError(message=f"Missing parameter {key}")
    return result


def create_change_set(self: cfn_responses.CloudFormationResponse) -> ActionResult:
    backend = self.cloudformation_backend
    stack_name = self._get_param("StackName")
    change_set_name = self._get_param("ChangeSetName")
    stack_body = self._get_param("TemplateBody")
    template_url = self._get_param("TemplateURL")
    change_set_type = self._get_param("ChangeSetType", "CREATE")
    if change_set_type not in ("CREATE", "UPDATE"):
        raise ValidationError(message=f"ChangeSetType {change_set_type} is not supported by the local AWS emulator")

    stack = None
    if change_set_type == "UPDATE":
        stack = backend.get_stack(stack_name)
        self.validate_template_and_stack_body()
        if self._get_bool_param("UsePreviousTemplate", False):
            stack_body = stack.template
    if template_url:
        stack_body = self._get_stack_from_s3_url(template_url)
    cfn_resource_types.reject_unsupported_resource_types(stack_body)

    parameters = resolve_parameters(stack, self._get_param("Parameters", []))
    if change_set_type == "CREATE":
        _make_room_for_new_stack(backend, stack_name)
    else:
        for existing in backend.change_sets.values():
            if existing.stack_id == stack.stack_id and existing.change_set_name == change_set_name:
                raise AlreadyExistsException(f"ChangeSet {change_set_name} already exists")

    change_set_id, stack_id = backend.create_change_set(
        stack_name=stack_name,
        change_set_name=change_set_name,
        template=stack_body,
        parameters=parameters,
        description=self._get_param("Description"),
        notification_arns=self._get_param("NotificationARNs", []),
        tags={item["Key"]: item["Value"] for item in self._get_param("Tags", [])},
        role_arn=self._get_param("RoleARN"),
        change_set_type=change_set_type,
    )
    return ActionResult({"Id": change_set_id, "StackId": stack_id})


def _make_room_for_new_stack(backend: CloudFormationBackend, stack_name: str) -> None:
    """A CREATE change set may reuse a name whose stack is only
    REVIEW_IN_PROGRESS; any other live stack of that name is a conflict
    (moto silently created a second stack with the same name)."""
    for stack_id, stack in list(backend.stacks.items()):
        if stack.name != stack_name:
            continue
        if stack.status != "REVIEW_IN_PROGRESS":
            raise AlreadyExistsException(f"Stack [{stack_name}] already exists and cannot be created again")
        del backend.stacks[stack_id]
        for change_set_id in [i for i, cs in backend.change_sets.items() if cs.stack_id == stack_id]:
            del backend.change_sets[change_set_id]


def create_stack_response(self: cfn_responses.CloudFormationResponse) -> ActionResult:
    stack_body = self._get_param("TemplateBody")
    template_url = self._get_param("TemplateURL")
    if template_url:
        stack_body = self._get_stack_from_s3_url(template_url)
    on_failure = self._get_param("OnFailure")
    disable_rollback = self._get_bool_param("DisableRollback", False) or on_failure == "DO_NOTHING"
    stack = self.cloudformation_backend.create_stack(
        name=self._get_param("StackName"),
        template=stack_body,
        parameters=resolve_parameters(None, self._get_param("Parameters", [])),
        notification_arns=self._get_param("NotificationARNs", []),
        tags={item["Key"]: item["Value"] for item in self._get_param("Tags", [])},
        role_arn=self._get_param("RoleARN"),
        enable_termination_protection=self._get_param("EnableTerminationProtection"),
        timeout_in_mins=self._get_param("TimeoutInMinutes"),
        stack_policy_body=self._get_param("StackPolicyBody"),
        disable_rollback=disable_rollback,
    )
    if on_failure == "DELETE" and stack.status == "ROLLBACK_COMPLETE":
        self.cloudformation_backend.delete_stack(stack.stack_id)
    return ActionResult({"StackId": stack.stack_id})


def _validate_different_update(self: cfn_responses.CloudFormationResponse, incoming_params: list[dict[str, Any]] | None, stack_body: str, old_stack: Stack) -> None:
    """'No updates are to be performed.' -- comparing input values, not the
    resolved ones (which made UsePreviousValue of SSM parameters fail)."""
    if incoming_params and stack_body:
        new_params = resolve_parameters(old_stack, incoming_params)
        old_params = {key: _parameter_input_value(old_stack, key) for key in new_params}
        if old_stack.template == stack_body and old_params == new_params:
            raise ValidationError(old_stack.name, message="No updates are to be performed.")


def execute_change_set_response(self: cfn_responses.CloudFormationResponse) -> EmptyResult:
    self.cloudformation_backend.execute_change_set(
        change_set_name=self._get_param("ChangeSetName"),
        stack_name=self._get_param("StackName"),
        disable_rollback=self._get_bool_param("DisableRollback", False),
    )
    return EmptyResult()


def describe_change_set_response(self: cfn_responses.CloudFormationResponse) -> ActionResult:
    change_set = self.cloudformation_backend.describe_change_set(
        change_set_name=self._get_param("ChangeSetName"), stack_name=self._get_param("StackName")
    )
    return ActionResult(change_set)


def delete_change_set_response(self: cfn_responses.CloudFormationResponse) -> EmptyResult:
    self.cloudformation_backend.delete_change_set(
        change_set_name=self._get_param("ChangeSetName"), stack_name=self._get_param("StackName")
    )
    return EmptyResult()


def list_change_sets_response(self: cfn_responses.CloudFormationResponse) -> ActionResult:
    stack_name = self._get_param("StackName")
    summaries = [
        cs for cs in self.cloudformation_backend.list_change_sets() if stack_name in (None, cs.stack_name, cs.stack_id)
    ]
    return ActionResult({"Summaries": summaries})


def _update_stack(self: Stack, template: str, role_arn: str | None = None, parameters: dict[str, Any] | None = None, tags: dict[str, str] | None = None) -> None:
    """Stack.update (UpdateStack API): failures give UPDATE_ROLLBACK_COMPLETE."""
    cfn_resource_types.reject_unsupported_resource_types(template)
    self._local_aws_failed = []
    thaw(self)
    try:
        _original_stack_update(self, template, role_arn, parameters, tags)
        evaluate_outputs(self)
    except Exception as error:  # noqa: BLE001
        set_stack_status(self, "UPDATE_ROLLBACK_IN_PROGRESS", describe_error(error))
        set_stack_status(self, "UPDATE_ROLLBACK_COMPLETE", keep_reason=True)
    finally:
        freeze(self)


_original_stack_update = Stack.update


def apply() -> None:
    # models.py
    Stack._create_resource_map = _create_resource_map
    Stack.create_resources = create_resources
    Stack.update = _update_stack
    Stack.stack_resources = property(created_resources)
    Stack.stack_status_reason = None  # class default; set per stack on failure
    CloudFormationBackend.create_stack = create_stack
    CloudFormationBackend.describe_change_set = describe_change_set
    CloudFormationBackend.delete_change_set = delete_change_set
    CloudFormationBackend.execute_change_set = execute_change_set
    CloudFormationBackend.delete_stack = delete_stack
    CloudFormationBackend.describe_stack_events = describe_stack_events
    # parsing.py (module globals, looked up at call time by ResourceMap)
    parsing.parse_and_create_resource = parse_and_create_resource
    parsing.ResourceMap._delete_resource = _delete_resource
    # custom_model.py
    CustomModel.create_from_cloudformation_json = classmethod(create_custom_resource)
    CustomModel.physical_resource_id = property(_custom_physical_resource_id)
    CustomModel.get_cfn_attribute = _custom_get_cfn_attribute
    # responses.py
    R = cfn_responses.CloudFormationResponse
    R.process_cfn_response = process_cfn_response
    R.create_change_set = create_change_set
    R.create_stack = create_stack_response
    R._validate_different_update = _validate_different_update
    R.execute_change_set = execute_change_set_response
    R.describe_change_set = describe_change_set_response
    R.delete_change_set = delete_change_set_response
    R.list_change_sets = list_change_sets_response
