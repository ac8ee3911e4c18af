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
 3. Custom resources get Create, Update and Delete requests and their
    answers count (cfn_custom_resources.py); FAILED -> CREATE_FAILED with the
    handler's reason, and the stack rolls back (ROLLBACK_COMPLETE) -- any
    resource failure does.
 4. Stack updates (UpdateStack, ExecuteChangeSet UPDATE) and deletes run
    like CloudFormation's: dependency order, cleanup phase, rollback,
    DELETE_FAILED (cfn_lifecycle.py).
 5. DescribeStackEvents on a deleted stack: "Stack [name] does not exist".
 6. UsePreviousValue on AWS::SSM::Parameter::Value<...> parameters: moto
    re-used the *resolved* value as the SSM parameter name (HTTP 500 on
    every update); the previous *input* value is used now.
 7. (KMS key policy stored as a dict: see patch_kms.py.)

Also: per-resource stack events (CREATE_*, UPDATE_*, DELETE_*),
StackStatusReason, outputs evaluated after creation and after each update,
exports re-registered after UpdateStack, DeleteStack's RetainResources,
UpdateStack's DisableRollback.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import AlreadyExistsException, CloudFormationError, ValidationError
from moto.cloudformation.models import CloudFormationBackend, Event, Stack, cloudformation_backends
from moto.core.responses import ActionResult, EmptyResult

from . import cfn_custom_resources, cfn_lifecycle, cfn_resource_types
from .cfn_events import (
    CANCELLED,
    ResourceFailure,
    add_resource_event,
    describe_error,
    evaluate_outputs,
    freeze,
    set_stack_status,
    thaw,
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
def parse_and_create_resource(logical_id: str, resource_json: dict[str, Any], resources_map: parsing.ResourceMap, account_id: str, region_name: str) -> Any:
    """moto's parse_and_create_resource, with CREATE_* events; it also keeps
    the resolved properties on the resource (an update compares them), and
    keeps a custom resource whose Create failed (its rollback sends Delete)."""
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
        parsed = parsing.parse_resource_and_generate_name(logical_id, resource_json, resources_map)
        if not parsed:
            record("CREATE_COMPLETE")  # an allowed type that is never created (AWS::CDK::Metadata)
            return None
        resource_class, cleaned, physical_name = parsed
        kwargs = {"LogicalId": logical_id, "StackId": resources_map.stack_id, "ResourceType": resource_type}
        resource = resource_class.create_from_cloudformation_json(physical_name, cleaned, account_id, region_name, **kwargs)
    except ResourceFailure:
        # A resource this one refers to failed first (moto creates references
        # on demand, from inside this resource's creation).
        record("CREATE_FAILED", CANCELLED)
        raise
    except Exception as error:  # noqa: BLE001 - every failure becomes CREATE_FAILED
        reason = describe_error(error)
        failed_resource = getattr(error, "resource", None)
        record("CREATE_FAILED", reason, _physical_id(failed_resource))
        if failed_resource is not None:
            failed_resource.cf_resource_type = resource_type
            failed_resource.logical_resource_id = logical_id
            resources_map._parsed_resources[logical_id] = failed_resource
        if stack is not None:
            stack._local_aws_failed.append(logical_id)
        raise ResourceFailure(logical_id, reason) from error
    resource.cf_resource_type = resource_type
    resource.logical_resource_id = logical_id
    resource._local_aws_resolved = cfn_lifecycle.resolved_properties(cleaned)
    record("CREATE_COMPLETE", physical_id=_physical_id(resource))
    return resource


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
        cfn_lifecycle.delete_resources(stack, stack.resource_map, rollback_of_create=True)
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
        _execute_update(self, stack, change_set, disable_rollback)
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


def _execute_update(backend: CloudFormationBackend, stack: Stack, change_set, disable_rollback: bool) -> None:
    """An UPDATE change set: cfn_lifecycle.run_update, then the new exports."""
    update_stack_resources(backend, stack, change_set.template, change_set.parameters, disable_rollback)


def update_stack_resources(backend: CloudFormationBackend, stack: Stack, template: str, parameters: dict[str, Any] | None, disable_rollback: bool) -> bool:
    old_exports = [export.name for export in stack.exports]
    if not cfn_lifecycle.run_update(stack, template, parameters, disable_rollback):
        return False
    if parameters:
        stack.parameters = parameters
    for name in old_exports:
        backend.exports.pop(name, None)
    _register_exports(backend, stack)
    return True


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
# Responses (CloudFormationResponse methods)
# ---------------------------------------------------------------------------
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
    """Stack.update (the UpdateStack API): cfn_lifecycle.run_update, then
    role, tags and exports (moto kept the old exports)."""
    cfn_resource_types.reject_unsupported_resource_types(template)
    disable_rollback = getattr(self, "_local_aws_disable_rollback", False)
    self._local_aws_disable_rollback = False
    backend = cloudformation_backends[self.account_id][self.region_name]
    if not update_stack_resources(backend, self, template, parameters, disable_rollback):
        return
    self.role_arn = role_arn
    if tags is not None:
        self.tags = tags


_original_update_stack_response = cfn_responses.CloudFormationResponse.update_stack


def update_stack_response(self: cfn_responses.CloudFormationResponse) -> ActionResult:
    """UpdateStack, with DisableRollback (moto ignored it)."""
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    stack._local_aws_disable_rollback = self._get_bool_param("DisableRollback", False)
    try:
        return _original_update_stack_response(self)
    finally:
        stack._local_aws_disable_rollback = False


def delete_stack_response(self: cfn_responses.CloudFormationResponse) -> EmptyResult:
    """DeleteStack, with RetainResources: allowed for a DELETE_FAILED stack only."""
    name = self._get_param("StackName")
    retain = self._get_param("RetainResources", [])
    stack = next((s for s in self.cloudformation_backend.stacks.values() if name in (s.name, s.stack_id)), None)
    if retain and stack is not None:
        if stack.status != "DELETE_FAILED":
            raise ValidationError(
                message=f"Invalid operation on stack [{stack.stack_id}]: RetainResources can be specified only "
                f"when the stack is in DELETE_FAILED state (it is in {stack.status})"
            )
        stack._local_aws_retain = set(retain)
    self.cloudformation_backend.delete_stack(name)
    return EmptyResult()


def apply() -> None:
    # models.py
    Stack._create_resource_map = _create_resource_map
    Stack.create_resources = create_resources
    Stack.update = _update_stack
    Stack.delete = cfn_lifecycle.stack_delete
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
    parsing.ResourceMap.update = _resource_map_update_unused
    parsing.ResourceMap.delete = cfn_lifecycle.resource_map_delete
    # custom_model.py, CloudFormationResponse.process_cfn_response
    cfn_custom_resources.apply()
    # responses.py
    R = cfn_responses.CloudFormationResponse
    R.create_change_set = create_change_set
    R.create_stack = create_stack_response
    R.update_stack = update_stack_response
    R.delete_stack = delete_stack_response
    R._validate_different_update = _validate_different_update
    R.execute_change_set = execute_change_set_response
    R.describe_change_set = describe_change_set_response
    R.delete_change_set = delete_change_set_response
    R.list_change_sets = list_change_sets_response


def _resource_map_update_unused(self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    """moto's ResourceMap.update must not run: stack updates go through
    cfn_lifecycle.run_update (which keeps the stack's state consistent)."""
    raise NotImplementedError("local AWS emulator: ResourceMap.update is replaced by cfn_lifecycle.run_update")
