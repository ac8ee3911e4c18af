"""AWS::CloudFormation::StackSet in CloudFormation, on cfn_stacksets.

moto 5.2.1 has no model for the type (a template with it, e.g. what
cdk-stacksets synthesizes, was refused by cfn_resource_types as
unimplemented). This one does what the resource's handlers do
(aws-cloudformation-resource-providers-cloudformation, aws-cloudformation-stackset):

  Create  CreateStackSet, then CreateStackInstances for each StackInstancesGroup
          entry with the resource's OperationPreferences, each waited for.
  Update  StackSetName or PermissionModel changed (create-only): a new stack set
          replaces the old one. Otherwise: DeleteStackInstances for the
          (target, Region) pairs no longer in StackInstancesGroup, UpdateStackSet
          when anything else of the stack set changed (template, Parameters,
          Capabilities, Description, Tags, AutoDeployment, ManagedExecution,
          roles), CreateStackInstances for new pairs, UpdateStackInstances for
          pairs whose ParameterOverrides changed.
  Delete  DeleteStackInstances (RetainStacks false) for every group, then
          DeleteStackSet: resources with DeletionPolicy Retain inside the
          instances survive; a stack set that still has instances (e.g. of an
          account its OUs no longer hold) fails the delete (StackSetNotEmpty).
A failed operation fails the resource with "Stack set operation [<id>] was
unexpectedly stopped or failed. status reason(s): [<reason>] ..." (the
operation's StatusReason, else the failed instances' reasons). Ref and
Fn::GetAtt StackSetId give the stack set ID. Properties: AdministrationRoleARN,
AutoDeployment, CallAs, Capabilities, Description, ExecutionRoleName,
ManagedExecution, OperationPreferences, Parameters, PermissionModel (required),
StackInstancesGroup, StackSetName (required), Tags, TemplateBody, TemplateURL.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import cloudformation_backends
from moto.core.common_models import CloudFormationModel

from . import cfn_stacksets as ss
from .cfn_events import StackOperationFailure

ERROR_MESSAGE_LIMIT = 850
CONFIG_PROPERTIES = (
    "TemplateBody", "TemplateURL", "Parameters", "Capabilities", "Description", "Tags", "AutoDeployment",
    "ManagedExecution", "AdministrationRoleARN", "ExecutionRoleName",
)


def _text(value: Any) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def _parameters(items: Any) -> list[dict[str, str]] | None:
    if items is None:
        return None
    return [{"ParameterKey": p["ParameterKey"], "ParameterValue": _text(p.get("ParameterValue", ""))} for p in items]


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower() == "true"
    return value


def _auto_deployment(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    result = {k: _bool(v) for k, v in value.items() if k in ("Enabled", "RetainStacksOnAccountRemoval")}
    if value.get("DependsOn"):
        result["DependsOn"] = list(value["DependsOn"])
    return result


def _preferences(value: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in (value or {}).items():
        result[key] = int(item) if key in ("FailureToleranceCount", "FailureTolerancePercentage", "MaxConcurrentCount", "MaxConcurrentPercentage") else item
    return result


def _entries(properties: dict[str, Any]) -> "OrderedDict[tuple[str, str], dict[str, Any]]":
    """(target, Region) -> the DeploymentTargets for that one target, and the overrides."""
    service_managed = properties.get("PermissionModel") == ss.SERVICE_MANAGED
    entries: "OrderedDict[tuple[str, str], dict[str, Any]]" = OrderedDict()
    for group in properties.get("StackInstancesGroup") or []:
        targets = group.get("DeploymentTargets") or {}
        keys = targets.get("OrganizationalUnitIds") if service_managed else targets.get("Accounts")
        for key in keys or []:
            single = dict(targets)
            if service_managed:
                single["OrganizationalUnitIds"] = [key]
            else:
                single = {"Accounts": [key]}
            for region in group.get("Regions") or []:
                entries[(key, region)] = {"targets": single, "overrides": _parameters(group.get("ParameterOverrides"))}
    return entries


def _by_target(entries: dict[tuple[str, str], dict[str, Any]], keys: list[tuple[str, str]]) -> list[tuple[dict[str, Any], list[str], Any]]:
    """Group (target, Region) pairs into one call per target and overrides."""
    groups: "OrderedDict[str, tuple[dict[str, Any], list[str], Any]]" = OrderedDict()
    for key in keys:
        entry = entries[key]
        group_key = json.dumps([entry["targets"], entry["overrides"]], sort_keys=True)
        groups.setdefault(group_key, (entry["targets"], [], entry["overrides"]))[1].append(key[1])
    return list(groups.values())


def _check(stack_set: ss.StackSet, operation: ss.Operation) -> None:
    if operation.status == "SUCCEEDED":
        return
    message = f"Stack set operation [{operation.id}] was unexpectedly stopped or failed. status reason(s):"
    if operation.reason:
        reasons = [operation.reason]
    else:
        reasons = list(OrderedDict.fromkeys(r.get("StatusReason", "") for r in operation.results.values() if r["Status"] == "FAILED"))
    for reason in reasons:
        message += f" [{reason}]"
    if len(message) > ERROR_MESSAGE_LIMIT:
        message = message[:ERROR_MESSAGE_LIMIT] + "... Use list-stack-set-operation-results for more information."
    raise StackOperationFailure(message)


class CloudFormationStackSet(CloudFormationModel):
    def __init__(self, stack_set_id: str, account_id: str, region_name: str, properties: dict[str, Any]):
        self.stack_set_id = stack_set_id
        self.account_id = account_id
        self.region_name = region_name
        self.properties = copy.deepcopy(properties)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudFormation::StackSet"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "StackSetName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "StackSetId"

    @property
    def physical_resource_id(self) -> str:
        return self.stack_set_id

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "StackSetId":
            return self.stack_set_id
        raise ValidationError(message=f"Template error: resource of type AWS::CloudFormation::StackSet does not support attribute {attribute_name}")

    # -- helpers -------------------------------------------------------------
    @property
    def call_as(self) -> str:
        return self.properties.get("CallAs") or "SELF"

    def _backend(self):
        return cloudformation_backends[self.account_id][self.region_name]

    def stack_set(self) -> ss.StackSet:
        return ss.find_stack_set(self._backend(), self.stack_set_id, self.call_as)

    def _create_instances(self, stack_set: ss.StackSet, entries: dict, keys: list[tuple[str, str]]) -> None:
        for targets, regions, overrides in _by_target(entries, keys):
            operation = ss.create_stack_instances(
                stack_set, accounts=None, deployment_targets=targets, regions=regions, parameter_overrides=overrides,
                preferences=_preferences(self.properties.get("OperationPreferences")), operation_id=None,
            )
            _check(stack_set, operation)

    def _delete_instances(self, stack_set: ss.StackSet, entries: dict, keys: list[tuple[str, str]]) -> None:
        for targets, regions, _overrides in _by_target(entries, keys):
            operation = ss.delete_stack_instances(
                stack_set, accounts=None, deployment_targets=targets, regions=regions, retain_stacks=False,
                preferences=_preferences(self.properties.get("OperationPreferences")), operation_id=None,
            )
            _check(stack_set, operation)

    # -- lifecycle -----------------------------------------------------------
    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> CloudFormationStackSet:
        properties = cloudformation_json.get("Properties") or {}
        for required in ("StackSetName", "PermissionModel"):
            if not properties.get(required):
                raise ValidationError(message=f"Properties validation failed for resource {kwargs.get('LogicalId')} with message: #: required key [{required}] not found")
        backend = cloudformation_backends[account_id][region_name]
        stack_set = ss.create_stack_set(
            backend,
            name=properties["StackSetName"],
            template_body=properties.get("TemplateBody"),
            template_url=properties.get("TemplateURL"),
            parameters=_parameters(properties.get("Parameters")),
            capabilities=properties.get("Capabilities"),
            tags=properties.get("Tags"),
            permission_model=properties["PermissionModel"],
            auto_deployment=_auto_deployment(properties.get("AutoDeployment")),
            call_as=properties.get("CallAs"),
            description=properties.get("Description"),
            admin_role_arn=properties.get("AdministrationRoleARN"),
            execution_role_name=properties.get("ExecutionRoleName"),
            managed_execution={"Active": _bool((properties.get("ManagedExecution") or {}).get("Active", False))},
        )
        resource = cls(stack_set.id, account_id, region_name, properties)
        entries = _entries(properties)
        try:
            resource._create_instances(stack_set, entries, list(entries))
        except Exception as error:
            error.resource = resource  # type: ignore[attr-defined]  # the rollback deletes what was created
            raise
        return resource

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: CloudFormationStackSet, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> CloudFormationStackSet:
        new = cloudformation_json.get("Properties") or {}
        old = original_resource.properties
        if new.get("StackSetName") != old.get("StackSetName") or new.get("PermissionModel") != old.get("PermissionModel"):
            replacement = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
            original_resource.delete(account_id, region_name)
            return replacement
        stack_set = original_resource.stack_set()
        original_resource.properties = copy.deepcopy(new)  # OperationPreferences and CallAs of the new template apply
        old_entries, new_entries = _entries(old), _entries(new)
        removed = [key for key in old_entries if key not in new_entries]
        added = [key for key in new_entries if key not in old_entries]
        changed = [key for key in new_entries if key in old_entries and new_entries[key]["overrides"] != old_entries[key]["overrides"]]
        if removed:
            original_resource._delete_instances(stack_set, old_entries, removed)
        if any(new.get(name) != old.get(name) for name in CONFIG_PROPERTIES):
            operation = ss.update_stack_set(
                original_resource._backend(), stack_set,
                template_body=new.get("TemplateBody"), template_url=new.get("TemplateURL"), use_previous_template=False,
                parameters=_parameters(new.get("Parameters")) or [], capabilities=new.get("Capabilities") or [],
                tags=new.get("Tags") or [], description=new.get("Description"),
                auto_deployment=_auto_deployment(new.get("AutoDeployment")) if stack_set.service_managed else None,
                permission_model=None, admin_role_arn=new.get("AdministrationRoleARN"), execution_role_name=new.get("ExecutionRoleName"),
                managed_execution={"Active": _bool((new.get("ManagedExecution") or {}).get("Active", False))},
                accounts=None, deployment_targets=None, regions=None,
                preferences=_preferences(new.get("OperationPreferences")), operation_id=None,
            )
            _check(stack_set, operation)
        if added:
            original_resource._create_instances(stack_set, new_entries, added)
        for targets, regions, overrides in _by_target(new_entries, changed):
            operation = ss.update_stack_instances(
                stack_set, accounts=None, deployment_targets=targets, regions=regions, parameter_overrides=overrides or [],
                preferences=_preferences(new.get("OperationPreferences")), operation_id=None,
            )
            _check(stack_set, operation)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:  # noqa: ARG002 - moto's signature
        try:
            self._delete()
        except (TypeError, AttributeError) as error:
            # moto's ResourceMap._delete_resource would take these for "no delete method" and skip the resource.
            raise StackOperationFailure(f"local AWS emulator: deleting the stack set failed: {type(error).__name__}: {error}") from error

    def _delete(self) -> None:
        try:
            stack_set = self.stack_set()
        except ss.StackSetNotFoundException:
            return  # deleted out of band: nothing left to delete
        entries = _entries(self.properties)
        if entries:
            self._delete_instances(stack_set, entries, list(entries))
        try:
            ss.delete_stack_set(stack_set)
        except ss.StackSetNotEmptyException as error:
            raise StackOperationFailure(f"{error.code}: {error.message}: {len(stack_set.instances)} stack instance(s) are left") from None
