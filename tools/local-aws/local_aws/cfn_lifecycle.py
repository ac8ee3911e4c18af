"""Stack updates and deletes the way CloudFormation runs them.

Replaces (moto 5.2.1, moto/cloudformation/parsing.py and models.py):
  * ResourceMap.update (ChangeSet.apply, Stack.update) -> ``run_update``.
    moto deleted removed resources first, updated the rest in template order
    (a custom resource's update set it to None: it vanished from the stack),
    never undid anything, and a failure was an HTTP 500.
  * ResourceMap.delete and Stack.delete -> ``delete_resources``/``stack_delete``.
    moto deleted in arbitrary order with retries and never called custom
    resources.

An update, as the CloudFormation User Guide describes it (stack status
codes; custom resource request types; DeletionPolicy / UpdateReplacePolicy):

  UPDATE_IN_PROGRESS
      resources in dependency order (Ref, Fn::GetAtt, Fn::Sub, DependsOn):
      new ones are created; an existing one is updated only if its resolved
      properties changed -- a custom resource then gets Update with
      ResourceProperties, OldResourceProperties and its PhysicalResourceId;
      an answer with another PhysicalResourceId is a replacement. Changing a
      custom resource's ServiceToken (or any resource's Type) fails.
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS
      in reverse dependency order of the old template: removed resources are
      deleted (unless DeletionPolicy Retain/RetainExceptOnCreate), replaced
      custom resources get Delete for the OLD physical id with the OLD
      properties (unless UpdateReplacePolicy Retain). A failure here is a
      DELETE_FAILED event only: the update has succeeded.
  UPDATE_COMPLETE

  on a failure:  UPDATE_ROLLBACK_IN_PROGRESS -- in reverse order, each
      updated custom resource (the failed one too, if its handler was
      called) gets Update back: ResourceProperties = old, OldResourceProperties
      = new; a replaced one goes back to its old physical resource; other
      updated resources are updated back with the old template (what moto's
      models can do). Then UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS
      deletes what the update created (new resources, the new physical ids
      of replacements -- Delete with the new properties), then
      UPDATE_ROLLBACK_COMPLETE. A failing rollback update ends in
      UPDATE_ROLLBACK_FAILED. With DisableRollback: UPDATE_FAILED, nothing undone.

A stack delete deletes in reverse dependency order; a resource still needed
by one that failed to delete is kept; DeletionPolicy Retain (and
RetainExceptOnCreate) resources and DeleteStack's RetainResources are
skipped (DELETE_SKIPPED); any failure -- a custom resource answering FAILED
included -- makes the stack DELETE_FAILED. A create rollback deletes the
same way (RetainExceptOnCreate resources are deleted there), and a custom
resource whose Create failed gets a Delete too, as on AWS.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Iterable

from moto.cloudformation import parsing
from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.models import Stack

from . import cfn_custom_resources as custom
from .cfn_events import (
    CustomResourceFailure,
    ResourceFailure,
    StackOperationFailure,
    add_resource_event,
    describe_error,
    evaluate_outputs,
    freeze,
    physical_id_of,
    set_stack_status,
    stack_of,
    thaw,
)

RETAIN = "Retain"
RETAIN_EXCEPT_ON_CREATE = "RetainExceptOnCreate"
MAX_DELETE_PASSES = 5
REPLACED_BY_PROVIDER = "Requested update required the provider to create a new physical resource"
_moto_delete_resource = parsing.ResourceMap._delete_resource  # moto's own, captured before any patch
_MISSING = object()


# ---------------------------------------------------------------------------
# Dependencies
# ---------------------------------------------------------------------------
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def references(value: Any) -> set[str]:
    """Names that ``value`` refers to with Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if len(node) == 1:
            key, argument = next(iter(node.items()))
            if key == "Ref" and isinstance(argument, str):
                found.add(argument)
                return
            if key == "Fn::GetAtt":
                if isinstance(argument, list) and argument and isinstance(argument[0], str):
                    found.add(argument[0])
                elif isinstance(argument, str):
                    found.add(argument.split(".", 1)[0])
                walk(argument)
                return
            if key == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1] if len(argument) > 1 else {})
                for name in _SUB_VARIABLE.findall(text if isinstance(text, str) else ""):
                    name = name.strip()
                    if name not in (variables or {}):
                        found.add(name.split(".", 1)[0])
                walk(variables)
                return
        for item in node.values():
            walk(item)

    walk(value)
    return found


def dependencies(resource_json: dict[str, Any], names: set[str]) -> set[str]:
    """The resources (of ``names``) that a resource depends on."""
    depends_on = resource_json.get("DependsOn") or []
    if isinstance(depends_on, str):
        depends_on = [depends_on]
    found = references(resource_json.get("Properties") or {}) | set(depends_on)
    return found & names


def dependency_order(resources: dict[str, dict[str, Any]], ids: Iterable[str]) -> list[str]:
    """``ids`` with every resource after the ones it depends on (template
    order otherwise; a cycle, which CloudFormation refuses, keeps template order)."""
    wanted = list(ids)
    names = set(resources)
    deps = {lid: dependencies(resources[lid], names) - {lid} for lid in wanted}
    order: list[str] = []
    placed: set[str] = set()
    pending = wanted
    while pending:
        ready = [lid for lid in pending if all(d in placed or d not in deps for d in deps[lid])]
        if not ready:
            order.extend(pending)
            break
        for lid in ready:
            order.append(lid)
            placed.add(lid)
        pending = [lid for lid in pending if lid not in placed]
    return order


def is_resource(value: Any) -> bool:
    """A created resource in ResourceMap._parsed_resources (which also holds
    parameters, mappings and pseudo parameters)."""
    return value is not None and not isinstance(value, (str, bytes, int, float, bool, dict, list))


def is_phantom(resource_json: dict[str, Any]) -> bool:
    """A type that is accepted but never created (cfn_resource_types.ALLOWED_UNIMPLEMENTED_TYPES)."""
    from .cfn_resource_types import ALLOWED_UNIMPLEMENTED_TYPES

    return resource_json.get("Type") in ALLOWED_UNIMPLEMENTED_TYPES


def _condition_holds(resource_map: parsing.ResourceMap, resource_json: dict[str, Any]) -> bool:
    condition = resource_json.get("Condition")
    return not condition or bool(resource_map.lazy_condition_map[condition])


def resolved_properties(cleaned_json: dict[str, Any]) -> Any:
    """A copy of the resolved Properties of a resource's cleaned JSON, kept on each resource (as
    ``_local_aws_resolved``) to tell on an update whether they changed."""
    try:
        return copy.deepcopy(cleaned_json.get("Properties") or {})
    except Exception:  # noqa: BLE001 - not comparable; updates then compare the template
        return _MISSING


# ---------------------------------------------------------------------------
# Deleting one resource, and whole stacks
# ---------------------------------------------------------------------------
def delete_one(resource_map: parsing.ResourceMap, resource: Any, resource_json: dict[str, Any]) -> None:
    if isinstance(resource, CustomModel):
        resource.delete()
    else:
        _moto_delete_resource(resource_map, resource, resource_json)


def _event(stack: Stack | None, logical_id: str, resource_type: str, status: str, reason: str | None = None, physical_id: str | None = None) -> None:
    if stack is not None:
        add_resource_event(stack, logical_id, resource_type, status, reason, physical_id)


def delete_resources(stack: Stack | None, resource_map: parsing.ResourceMap, rollback_of_create: bool = False, retain: Iterable[str] = ()) -> None:
    """Delete every resource of the map (stack delete, or create rollback).
    Raises StackOperationFailure naming the resources that could not be deleted."""
    json_map = resource_map._resource_json_map
    parsed = resource_map._parsed_resources
    retain = set(retain)
    present = {lid for lid in json_map if is_resource(parsed.get(lid))}
    order = [lid for lid in reversed(dependency_order(json_map, list(json_map))) if lid in present]
    deps = {lid: dependencies(json_map[lid], set(json_map)) for lid in order}
    alive = set(order)
    final: dict[str, str] = {}  # a definite failure (a custom resource's answer): not retried
    errors: dict[str, BaseException] = {}  # moto failures, retried in the next pass (as moto did)
    started: set[str] = set()
    for _ in range(MAX_DELETE_PASSES):
        progress = False
        for lid in order:
            if lid not in alive or lid in final:
                continue
            if any(lid in deps[other] and (other in final or other in errors) for other in alive if other != lid):
                continue  # still needed by a resource that could not be deleted
            resource, resource_json = parsed[lid], json_map[lid]
            resource_type = resource_json.get("Type", "")
            physical_id = physical_id_of(resource)
            policy = resource_json.get("DeletionPolicy")
            if lid in retain or policy == RETAIN or (policy == RETAIN_EXCEPT_ON_CREATE and not rollback_of_create):
                _event(stack, lid, resource_type, "DELETE_SKIPPED", physical_id=physical_id)
                alive.discard(lid)
                parsed.pop(lid, None)
                progress = True
                continue
            if lid not in started:
                started.add(lid)
                _event(stack, lid, resource_type, "DELETE_IN_PROGRESS", physical_id=physical_id)
            try:
                delete_one(resource_map, resource, resource_json)
            except CustomResourceFailure as failure:
                final[lid] = str(failure)
                _event(stack, lid, resource_type, "DELETE_FAILED", str(failure), physical_id)
                continue
            except Exception as error:  # noqa: BLE001 - e.g. a dependency violation: retried
                errors[lid] = error
                continue
            errors.pop(lid, None)
            alive.discard(lid)
            parsed.pop(lid, None)
            progress = True
            _event(stack, lid, resource_type, "DELETE_COMPLETE", physical_id=physical_id)
        if not progress or not (alive - set(final)):
            break
    for lid, error in errors.items():
        _event(stack, lid, json_map[lid].get("Type", ""), "DELETE_FAILED", describe_error(error), physical_id_of(parsed.get(lid)))
    failed = [lid for lid in order if lid in final or lid in errors]
    if failed:
        raise StackOperationFailure(f"The following resource(s) failed to delete: [{', '.join(failed)}].")


def stack_delete(self: Stack) -> None:
    """Replaces Stack.delete (DeleteStack): events, order, custom resources,
    RetainResources (set by the DeleteStack response as _local_aws_retain)."""
    retain = getattr(self, "_local_aws_retain", ()) or ()
    self._local_aws_retain = ()
    set_stack_status(self, "DELETE_IN_PROGRESS", "User Initiated")
    delete_resources(self, self.resource_map, retain=retain)
    set_stack_status(self, "DELETE_COMPLETE")


def resource_map_delete(self: parsing.ResourceMap) -> None:
    """Replaces ResourceMap.delete for any other caller (nested stacks)."""
    delete_resources(stack_of(self), self)


# ---------------------------------------------------------------------------
# Updates
# ---------------------------------------------------------------------------
class _Snapshot:
    """The stack before the update: what a rollback goes back to."""

    def __init__(self, stack: Stack):
        rm = stack.resource_map
        self.template = rm._template
        self.json_map = rm._resource_json_map
        self.input_parameters = rm.input_parameters
        self.resolved = dict(rm.resolved_parameters)
        self.conditions = getattr(rm, "lazy_condition_map", None)
        self.parsed = dict(rm._parsed_resources)
        self.output_map = stack.output_map
        self.stack_template = stack.template
        self.template_dict = stack.template_dict
        self.existing = {
            lid
            for lid, resource_json in self.json_map.items()
            if is_resource(self.parsed.get(lid)) or (is_phantom(resource_json) and _condition_holds(rm, resource_json))
        }

    def restore_map(self, rm: parsing.ResourceMap) -> None:
        rm._template = self.template
        rm._resource_json_map = self.json_map
        rm.input_parameters = self.input_parameters
        rm.resolved_parameters.clear()
        rm.resolved_parameters.update(self.resolved)
        rm._parsed_resources.update(self.resolved)
        rm.load_mapping()
        rm.lazy_condition_map = self.conditions


class _Step:
    """One change of the forward phase, for the rollback."""

    def __init__(self, kind: str, logical_id: str, **details: Any):
        self.kind = kind  # "custom-update", "custom-failed", "custom-replace", "update"
        self.logical_id = logical_id
        self.__dict__.update(details)


class _Update:
    def __init__(self, stack: Stack, template: str, template_dict: dict[str, Any], parameters: dict[str, Any] | None):
        self.stack = stack
        self.rm = stack.resource_map
        self.template = template
        self.template_dict = template_dict
        self.parameters = parameters
        self.old = _Snapshot(stack)
        self.steps: list[_Step] = []
        self.failed_creates: list[str] = []
        stack._local_aws_failed = self.failed_creates  # parse_and_create_resource appends to it
        self.failed_updates: list[str] = []

    # -- events --------------------------------------------------------------
    def event(self, logical_id: str, resource_type: str, status: str, reason: str | None = None, physical_id: str | None = None) -> None:
        add_resource_event(self.stack, logical_id, resource_type, status, reason, physical_id)

    def fail_update(self, logical_id: str, resource_type: str, reason: str, physical_id: str | None) -> ResourceFailure:
        self.event(logical_id, resource_type, "UPDATE_FAILED", reason, physical_id)
        self.failed_updates.append(logical_id)
        return ResourceFailure(logical_id, reason)

    # -- forward -------------------------------------------------------------
    def load_new_template(self) -> None:
        rm = self.rm
        rm._template = self.template_dict
        if self.parameters:
            rm.input_parameters = self.parameters
        rm.load_mapping()
        rm.load_parameters()
        rm.load_conditions()
        rm._resource_json_map = self.template_dict.get("Resources") or {}

    def forward(self) -> None:
        self.load_new_template()
        new_json = self.rm._resource_json_map
        new_ids = [lid for lid, resource_json in new_json.items() if _condition_holds(self.rm, resource_json)]
        for lid in dependency_order(new_json, new_ids):
            if lid not in self.old.existing:
                self.rm[lid]  # created through parse_and_create_resource: events, ResourceFailure
                continue
            if is_phantom(new_json[lid]) or is_phantom(self.old.json_map[lid]):
                continue
            self.update_one(lid, new_json[lid], self.old.json_map[lid])

    def update_one(self, lid: str, new_json: dict[str, Any], old_json: dict[str, Any]) -> None:
        rm = self.rm
        resource = rm._parsed_resources[lid]
        resource_type = new_json.get("Type", "")
        physical_id = physical_id_of(resource)
        if resource_type != old_json.get("Type"):
            self.event(lid, resource_type, "UPDATE_IN_PROGRESS", physical_id=physical_id)
            raise self.fail_update(
                lid, resource_type,
                f"Update of resource type is not permitted. The new template modifies resource type of the following resources: [{lid}]",
                physical_id,
            )
        try:
            resource_class, cleaned, new_name = parsing.parse_resource_and_generate_name(lid, new_json, rm)
        except Exception as error:  # noqa: BLE001 - e.g. an attribute that does not exist
            self.event(lid, resource_type, "UPDATE_IN_PROGRESS", physical_id=physical_id)
            raise self.fail_update(lid, resource_type, describe_error(error), physical_id) from error
        if isinstance(resource, CustomModel):
            self.update_custom(lid, resource, resource_type, custom.as_cloudformation_strings(cleaned.get("Properties") or {}))
            return
        new_properties = resolved_properties(cleaned)
        stored = getattr(resource, "_local_aws_resolved", _MISSING)
        if stored is not _MISSING and new_properties is not _MISSING:
            if stored == new_properties:
                return
        elif old_json == new_json:
            return
        self.event(lid, resource_type, "UPDATE_IN_PROGRESS", physical_id=physical_id)
        if hasattr(resource_class.update_from_cloudformation_json, "__isabstractmethod__"):
            # moto has no update for this type (it dropped the resource from the stack).
            self.event(lid, resource_type, "UPDATE_COMPLETE", f"local AWS emulator: moto 5.2.1 cannot update {resource_type}; the resource keeps its previous properties", physical_id)
            return
        try:
            updated = resource_class.update_from_cloudformation_json(
                original_resource=resource, new_resource_name=new_name, cloudformation_json=cleaned,
                account_id=rm._account_id, region_name=rm._region_name,
            ) or resource
        except Exception as error:  # noqa: BLE001
            raise self.fail_update(lid, resource_type, describe_error(error), physical_id) from error
        _label(updated, lid, resource_type, new_properties)
        rm._parsed_resources[lid] = updated
        self.steps.append(_Step("update", lid, old_json=old_json, resource_type=resource_type))
        self.event(lid, resource_type, "UPDATE_COMPLETE", physical_id=physical_id_of(updated))

    def update_custom(self, lid: str, resource: CustomModel, resource_type: str, new_properties: dict[str, Any]) -> None:
        old_properties = resource._local_aws_properties
        if new_properties == old_properties and resource_type == resource._local_aws_resource_type:
            return  # no change: CloudFormation sends no request
        physical_id = resource.physical_resource_id
        self.event(lid, resource_type, "UPDATE_IN_PROGRESS", physical_id=physical_id)
        try:
            target, replaced = custom.update_custom_resource(resource, new_properties, resource_type)
        except CustomResourceFailure as failure:
            if failure.sent:
                self.steps.append(_Step("custom-failed", lid, resource=resource, old_properties=old_properties, new_properties=new_properties))
            raise self.fail_update(lid, resource_type, str(failure), physical_id) from failure
        if replaced:
            self.event(lid, resource_type, "UPDATE_IN_PROGRESS", REPLACED_BY_PROVIDER, target.physical_resource_id)
            self.rm._parsed_resources[lid] = target
            self.stack.custom_resources[lid] = target
            self.steps.append(_Step("custom-replace", lid, old=resource, new=target))
        else:
            self.steps.append(_Step("custom-update", lid, resource=resource, old_properties=old_properties, new_properties=new_properties))
        self.event(lid, resource_type, "UPDATE_COMPLETE", physical_id=target.physical_resource_id)

    # -- cleanup (after success) ---------------------------------------------
    def cleanup(self) -> None:
        set_stack_status(self.stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        new_json = self.rm._resource_json_map
        kept = {lid for lid, resource_json in new_json.items() if _condition_holds(self.rm, resource_json)}
        removed = {lid for lid in self.old.existing if lid not in kept}
        replaced = {step.logical_id: step.old for step in self.steps if step.kind == "custom-replace"}
        for lid in reversed(dependency_order(self.old.json_map, list(self.old.json_map))):
            if lid in removed:
                resource = self.old.parsed.get(lid)
                policy = self.old.json_map[lid].get("DeletionPolicy")
                self.rm._parsed_resources.pop(lid, None)
            elif lid in replaced:
                resource = replaced[lid]
                policy = self.old.json_map[lid].get("UpdateReplacePolicy")
            else:
                continue
            if is_resource(resource):
                self.delete_quietly(lid, resource, self.old.json_map[lid], retained=policy in (RETAIN, RETAIN_EXCEPT_ON_CREATE))

    def delete_quietly(self, lid: str, resource: Any, resource_json: dict[str, Any], retained: bool) -> None:
        """A delete in a cleanup phase: a failure is an event, not a stack failure."""
        resource_type = resource_json.get("Type", "")
        physical_id = physical_id_of(resource)
        if retained:
            self.event(lid, resource_type, "DELETE_SKIPPED", physical_id=physical_id)
            return
        self.event(lid, resource_type, "DELETE_IN_PROGRESS", physical_id=physical_id)
        try:
            delete_one(self.rm, resource, resource_json)
        except Exception as error:  # noqa: BLE001
            self.event(lid, resource_type, "DELETE_FAILED", describe_error(error), physical_id)
            return
        self.event(lid, resource_type, "DELETE_COMPLETE", physical_id=physical_id)

    # -- rollback ------------------------------------------------------------
    def failure_reason(self, error: BaseException) -> str:
        parts = []
        if self.failed_creates:
            parts.append(f"The following resource(s) failed to create: [{', '.join(self.failed_creates)}].")
        if self.failed_updates:
            parts.append(f"The following resource(s) failed to update: [{', '.join(self.failed_updates)}].")
        return " ".join(parts) or describe_error(error)

    def rollback(self, reason: str) -> None:
        stack, rm = self.stack, self.rm
        new_json = rm._resource_json_map
        created = {lid for lid in new_json if lid not in self.old.existing and is_resource(rm._parsed_resources.get(lid))}
        set_stack_status(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
        self.old.restore_map(rm)
        stack.template_dict = self.old.template_dict
        replacements: dict[str, Any] = {}
        for step in reversed(self.steps):
            lid = step.logical_id
            if step.kind == "custom-replace":
                rm._parsed_resources[lid] = step.old
                stack.custom_resources[lid] = step.old
                replacements[lid] = step.new
                continue
            resource_type = self.old.json_map[lid].get("Type", "")
            resource = rm._parsed_resources[lid]
            self.event(lid, resource_type, "UPDATE_IN_PROGRESS", physical_id=physical_id_of(resource))
            try:
                if step.kind in ("custom-update", "custom-failed"):
                    custom.rollback_custom_resource(step.resource, step.old_properties, step.new_properties)
                else:
                    self.update_back(lid, resource, step.old_json, resource_type)
            except Exception as error:  # noqa: BLE001
                self.event(lid, resource_type, "UPDATE_FAILED", describe_error(error), physical_id_of(resource))
                set_stack_status(stack, "UPDATE_ROLLBACK_FAILED", f"The following resource(s) failed to update: [{lid}].")
                return
            self.event(lid, resource_type, "UPDATE_COMPLETE", physical_id=physical_id_of(rm._parsed_resources[lid]))
        set_stack_status(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", keep_reason=True)
        # What this update created: new resources, and the new physical ids of replacements.
        for lid in reversed(dependency_order(new_json, list(new_json))):
            if lid in created:
                resource = rm._parsed_resources.pop(lid)
                # RetainExceptOnCreate resources are deleted when the operation that created them rolls back.
                self.delete_quietly(lid, resource, new_json[lid], retained=new_json[lid].get("DeletionPolicy") == RETAIN)
            elif lid in replacements:
                self.delete_quietly(lid, replacements[lid], new_json[lid], retained=False)
        stack.output_map = self.old.output_map
        # CloudFormation leaves StackStatusReason empty here; the original
        # failure stays so that `cdk deploy` shows it next to the status.
        set_stack_status(stack, "UPDATE_ROLLBACK_COMPLETE", keep_reason=True)

    def update_back(self, lid: str, resource: Any, old_json: dict[str, Any], resource_type: str) -> None:
        rm = self.rm
        resource_class, cleaned, name = parsing.parse_resource_and_generate_name(lid, old_json, rm)
        restored = resource_class.update_from_cloudformation_json(
            original_resource=resource, new_resource_name=name, cloudformation_json=cleaned,
            account_id=rm._account_id, region_name=rm._region_name,
        ) or resource
        _label(restored, lid, resource_type, resolved_properties(cleaned))
        rm._parsed_resources[lid] = restored


def _label(resource: Any, logical_id: str, resource_type: str, resolved: Any) -> None:
    resource.cf_resource_type = resource_type
    resource.logical_resource_id = logical_id
    resource._local_aws_resolved = resolved


def run_update(stack: Stack, template: str, parameters: dict[str, Any] | None, disable_rollback: bool = False) -> bool:
    """Update ``stack`` to ``template`` (UpdateStack, ExecuteChangeSet of an
    UPDATE change set). On success the stack has the new template, outputs
    and UPDATE_COMPLETE; returns False after a rollback (or UPDATE_FAILED)."""
    set_stack_status(stack, "UPDATE_IN_PROGRESS", "User Initiated")
    template_dict = Stack.parse_template(template) if isinstance(template, str) else template
    update = _Update(stack, template, template_dict, parameters)
    thaw(stack)
    try:
        try:
            update.forward()
            stack.template_dict = template_dict
            evaluate_outputs(stack)
        except Exception as error:  # noqa: BLE001 - every failure rolls the update back
            reason = update.failure_reason(error)
            if disable_rollback:
                stack.template, stack.template_dict = template, template_dict
                set_stack_status(stack, "UPDATE_FAILED", reason)
            else:
                update.rollback(reason)
            return False
        stack.template = template
        stack.description = template_dict.get("Description")
        update.cleanup()
        set_stack_status(stack, "UPDATE_COMPLETE")
        return True
    finally:
        freeze(stack)
