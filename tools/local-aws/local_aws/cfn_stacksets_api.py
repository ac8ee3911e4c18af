"""The CloudFormation StackSets API actions, on cfn_stacksets.

Replaces these CloudFormationResponse methods of moto 5.2.1
(moto/cloudformation/responses.py): CreateStackSet, DescribeStackSet,
UpdateStackSet, DeleteStackSet, ListStackSets, CreateStackInstances,
UpdateStackInstances, DeleteStackInstances, ListStackInstances,
DescribeStackInstance, DescribeStackSetOperation, ListStackSetOperations,
ListStackSetOperationResults (moto answered every instance SUCCEEDED with a
hard-coded us-west-2 account-gate text), StopStackSetOperation. Adds
ActivateOrganizationsAccess, DeactivateOrganizationsAccess,
DescribeOrganizationsAccess and ListStackSetAutoDeploymentTargets (moto: not
implemented). Every action takes CallAs. List actions page with MaxResults
and NextToken.
"""

from __future__ import annotations

import base64
from typing import Any

from moto.cloudformation import responses as cfn_responses
from moto.core.responses import ActionResult, EmptyResult

from . import cfn_stacksets as ss

R = cfn_responses.CloudFormationResponse
DEFAULT_PAGE = 100


def _page(self: R, items: list[Any]) -> tuple[list[Any], str | None]:
    token = self._get_param("NextToken")
    try:
        start = int(base64.b64decode(token).decode()) if token else 0
    except ValueError:
        raise ss.invalid("Invalid NextToken") from None
    size = int(self._get_param("MaxResults") or DEFAULT_PAGE)
    end = start + max(1, size)
    next_token = base64.b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], next_token


def _listed(self: R, key: str, items: list[Any]) -> ActionResult:
    page, token = _page(self, items)
    result: dict[str, Any] = {key: page}
    if token:
        result["NextToken"] = token
    return ActionResult(result)


def _stack_set(self: R, include_deleted: bool = False) -> ss.StackSet:
    return ss.find_stack_set(self.cloudformation_backend, self._get_param("StackSetName"), self._get_param("CallAs"), include_deleted)


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    return value if isinstance(value, bool) else str(value).lower() == "true"


def create_stack_set(self: R) -> ActionResult:
    stack_set = ss.create_stack_set(
        self.cloudformation_backend,
        name=self._get_param("StackSetName"),
        template_body=self._get_param("TemplateBody"),
        template_url=self._get_param("TemplateURL"),
        parameters=self._get_param("Parameters"),
        capabilities=self._get_param("Capabilities"),
        tags=self._get_param("Tags"),
        permission_model=self._get_param("PermissionModel"),
        auto_deployment=self._get_param("AutoDeployment"),
        call_as=self._get_param("CallAs"),
        description=self._get_param("Description"),
        admin_role_arn=self._get_param("AdministrationRoleARN"),
        execution_role_name=self._get_param("ExecutionRoleName"),
        managed_execution=self._get_param("ManagedExecution"),
    )
    return ActionResult({"StackSetId": stack_set.id})


def describe_stack_set(self: R) -> ActionResult:
    return ActionResult({"StackSet": _stack_set(self, include_deleted=True).describe()})


def list_stack_sets(self: R) -> ActionResult:
    call_as = ss.normalise_call_as(self._get_param("CallAs"))
    status = self._get_param("Status")
    found = []
    for stack_set in ss.stack_sets_of(self.cloudformation_backend).values():
        if status and stack_set.status != status:
            continue
        # SELF: this account's own stack sets; DELEGATED_ADMIN: the service-managed ones it administers.
        if stack_set.service_managed and stack_set.call_as != call_as or not stack_set.service_managed and call_as != "SELF":
            continue
        found.append(stack_set.summary())
    if call_as == "DELEGATED_ADMIN":
        ss.organization_for_service_managed(self.current_account, call_as)
    return _listed(self, "Summaries", found)


def update_stack_set(self: R) -> ActionResult:
    operation = ss.update_stack_set(
        self.cloudformation_backend,
        _stack_set(self),
        template_body=self._get_param("TemplateBody"),
        template_url=self._get_param("TemplateURL"),
        use_previous_template=bool(_bool(self._get_param("UsePreviousTemplate"))),
        parameters=self._get_param("Parameters"),
        capabilities=self._get_param("Capabilities"),
        tags=self._get_param("Tags"),
        description=self._get_param("Description"),
        auto_deployment=self._get_param("AutoDeployment"),
        permission_model=self._get_param("PermissionModel"),
        admin_role_arn=self._get_param("AdministrationRoleARN"),
        execution_role_name=self._get_param("ExecutionRoleName"),
        managed_execution=self._get_param("ManagedExecution"),
        accounts=self._get_param("Accounts"),
        deployment_targets=self._get_param("DeploymentTargets"),
        regions=self._get_param("Regions"),
        preferences=self._get_param("OperationPreferences"),
        operation_id=self._get_param("OperationId"),
    )
    return ActionResult({"OperationId": operation.id})


def delete_stack_set(self: R) -> EmptyResult:
    try:
        stack_set = _stack_set(self)
    except ss.StackSetNotFoundException:
        return EmptyResult()  # deleting a stack set that does not exist succeeds
    ss.delete_stack_set(stack_set)
    return EmptyResult()


def _instances_call(self: R, function, **extra: Any) -> ActionResult:
    operation = function(
        _stack_set(self),
        accounts=self._get_param("Accounts"),
        deployment_targets=self._get_param("DeploymentTargets"),
        regions=self._get_param("Regions"),
        preferences=self._get_param("OperationPreferences"),
        operation_id=self._get_param("OperationId"),
        **extra,
    )
    return ActionResult({"OperationId": operation.id})


def create_stack_instances(self: R) -> ActionResult:
    return _instances_call(self, ss.create_stack_instances, parameter_overrides=self._get_param("ParameterOverrides"))


def update_stack_instances(self: R) -> ActionResult:
    return _instances_call(self, ss.update_stack_instances, parameter_overrides=self._get_param("ParameterOverrides"))


def delete_stack_instances(self: R) -> ActionResult:
    return _instances_call(self, ss.delete_stack_instances, retain_stacks=_bool(self._get_param("RetainStacks")))


def list_stack_instances(self: R) -> ActionResult:
    found = ss.list_instances(_stack_set(self), self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion"), self._get_param("Filters"))
    return _listed(self, "Summaries", found)


def describe_stack_instance(self: R) -> ActionResult:
    instance = ss.describe_instance(_stack_set(self), self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion"))
    return ActionResult({"StackInstance": instance})


def describe_stack_set_operation(self: R) -> ActionResult:
    operation = ss.get_operation(_stack_set(self, include_deleted=True), self._get_param("OperationId"))
    return ActionResult({"StackSetOperation": operation.describe()})


def list_stack_set_operations(self: R) -> ActionResult:
    stack_set = _stack_set(self, include_deleted=True)
    return _listed(self, "Summaries", [operation.summary() for operation in stack_set.operations.values()])


def list_stack_set_operation_results(self: R) -> ActionResult:
    operation = ss.get_operation(_stack_set(self, include_deleted=True), self._get_param("OperationId"))
    results = list(operation.results.values())
    for item in self._get_param("Filters") or []:
        if item.get("Name") == "OPERATION_RESULT_STATUS":
            results = [r for r in results if r["Status"] == item.get("Values")]
    return _listed(self, "Summaries", results)


def stop_stack_set_operation(self: R) -> EmptyResult:
    stack_set = _stack_set(self)
    operation = ss.get_operation(stack_set, self._get_param("OperationId"))
    queued = next((entry for entry in stack_set.queue if entry[0] is operation), None)
    if queued is None:
        raise ss.InvalidOperationException(f"Operation {operation.id} is {operation.status}: only a running or queued operation can be stopped")
    stack_set.queue.remove(queued)
    operation.status = "STOPPED"
    return EmptyResult()


def list_stack_set_auto_deployment_targets(self: R) -> ActionResult:
    return _listed(self, "Summaries", ss.auto_deployment_targets(_stack_set(self)))


def activate_organizations_access(self: R) -> EmptyResult:
    ss.activate_organizations_access(self.current_account)
    return EmptyResult()


def deactivate_organizations_access(self: R) -> EmptyResult:
    ss.deactivate_organizations_access(self.current_account)
    return EmptyResult()


def describe_organizations_access(self: R) -> ActionResult:
    return ActionResult({"Status": ss.organizations_access_status(self.current_account, self._get_param("CallAs"))})


ACTIONS = (
    create_stack_set, describe_stack_set, list_stack_sets, update_stack_set, delete_stack_set,
    create_stack_instances, update_stack_instances, delete_stack_instances, list_stack_instances, describe_stack_instance,
    describe_stack_set_operation, list_stack_set_operations, list_stack_set_operation_results, stop_stack_set_operation,
    list_stack_set_auto_deployment_targets, activate_organizations_access, deactivate_organizations_access, describe_organizations_access,
)


def apply() -> None:
    for action in ACTIONS:
        setattr(R, action.__name__, action)
    # moto turned these from dicts into lists; the stack sets here hold lists already.
    R.RESPONSE_KEY_PATH_TO_TRANSFORMER = {
        key: value for key, value in R.RESPONSE_KEY_PATH_TO_TRANSFORMER.items() if not key.startswith("DescribeStackSetOutput.")
    }
