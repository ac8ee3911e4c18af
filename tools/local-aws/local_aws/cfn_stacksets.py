"""CloudFormation StackSets: the stack sets, their stack instances and their operations.

Replaces moto 5.2.1's StackSet/StackInstance models (moto/cloudformation/models.py),
which: created service-managed instances as stacks no backend knew (custom
resources failed with "Stack with id ... does not exist"), named self-managed
stacks "StackSet:<name>" (generated resource names broke), expanded an OU one
level deep, never redeployed instances on UpdateStackSet, ignored
DeploymentTargets on DeleteStackInstances, and had no automatic deployment,
operation preferences, failure handling, CallAs or trusted access. The API
(cfn_stacksets_api.py) and AWS::CloudFormation::StackSet
(cfn_stackset_resource.py) both run on the functions here.

As the CloudFormation User Guide and API reference describe it:
  * A stack instance is a real stack, ``StackSet-<stack set name>-<uuid>``, in
    its target account's and Region's CloudFormation backend (DescribeStacks
    with that account's credentials shows it); its resources are created by
    that backend, so a Lambda-backed custom resource runs in the instance's
    account and Region (patch_lambda gives functions of other accounts their
    execution role's credentials). Stack set tags go onto the stacks.
  * Service-managed: the caller must be the organization's management account
    (CallAs SELF) or a delegated administrator for
    member.org.stacksets.cloudformation.amazonaws.com (CallAs DELEGATED_ADMIN),
    after ActivateOrganizationsAccess. An OU target (or the root r-...) means
    every account in it and in all OUs below it, except the management account
    (never a target); AccountFilterType INTERSECTION/DIFFERENCE/UNION/NONE
    refine it (UNION is refused by CreateStackInstances). Self-managed: account
    targets; the execution role (ExecutionRoleName) must exist in the target
    account and trust the administrator account.
  * Operations: the instances of each Region are deployed in batches of the
    operation's concurrency, a batch at the same time (threads, at most 8:
    "the actual number of accounts acted upon concurrently may be lower due
    to service throttling") (MaxConcurrentCount/Percentage; with the default
    ConcurrencyMode STRICT_FAILURE_TOLERANCE at most FailureTolerance+1, less
    by the failures so far); once more instances of a Region failed than
    FailureToleranceCount/Percentage allow, the rest of the Region and every
    Region after it are CANCELLED and the operation FAILED. Regions run
    SEQUENTIAL in RegionOrder (then in request order) or PARALLEL (batches
    taken from every Region in turn; one Region over its tolerance cancels the
    rest). Percentages round down (concurrency at least 1). RegionOrder is not
    followed when automatic deployment is enabled, and automatic deployments
    use no operation preferences, as documented.
  * Instance status: CURRENT, OUTDATED (failed, cancelled, or not yet
    updated), INOPERABLE (a failed delete: excluded from UpdateStackSet);
    detailed status PENDING/RUNNING/SUCCEEDED/FAILED/CANCELLED/INOPERABLE/
    SKIPPED_SUSPENDED_ACCOUNT; StatusReason of a failed stack is
    "ResourceLogicalId:<id>, ResourceType:<type>, ResourceStatusReason:<reason>.".
  * UpdateStackSet marks every instance OUTDATED when the template or the
    parameters change, then updates the targeted ones (all without targets);
    a stack that failed to create (ROLLBACK_COMPLETE) is deleted and created
    again. DeleteStackInstances by OU deletes the instances of the accounts in
    the OU (and below it) in the given Regions and stops targeting the OU
    there; RetainStacks keeps the stacks, only the instances go.
  * Automatic deployment (service-managed, Enabled): an account that enters a
    targeted OU (MoveAccount, CreateAccount into a targeted root) gets
    instances in the Regions its OU is targeted in; one that leaves every
    targeted OU loses its instances (RetainStacksOnAccountRemoval: the stacks
    stay, the instances go). Deletes run before creates; DependsOn orders creates.

Operations run synchronously: the call that starts one returns when it ended,
so DescribeStackSetOperation already shows SUCCEEDED/FAILED (clients that poll,
as on AWS, work unchanged). A second operation while one runs (e.g. from a
handler inside an instance) is OperationInProgressException.
"""

from __future__ import annotations

import copy
import json
import math
import re
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Callable, Iterable

from moto.cloudformation.exceptions import CloudFormationError, ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack, cloudformation_backends
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random
from moto.organizations.models import OrganizationsBackend

from . import cfn_resource_types
from . import patch_organizations as orgs

SELF_MANAGED = "SELF_MANAGED"
SERVICE_MANAGED = "SERVICE_MANAGED"
DEFAULT_ADMIN_ROLE = "AWSCloudFormationStackSetAdministrationRole"
DEFAULT_EXECUTION_ROLE = "AWSCloudFormationStackSetExecutionRole"
ACCOUNT_GATE = "AWSCloudFormationStackSetAccountGate"
MAX_TEMPLATE_BODY = 51_200
MAX_TEMPLATE_URL_BYTES = 1_048_576
MAX_OUS_PER_OPERATION = 50
MAX_THREADS = 8  # instances deployed at the same time here ("the actual number ... may be lower due to service throttling")
OU_ID = re.compile(r"^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$")
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
STACK_SET_NAME = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")
IAM_TYPES_NAMED = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}

# ---------------------------------------------------------------------------
# Errors (the codes of the CloudFormation API reference)
# ---------------------------------------------------------------------------
class _Error(CloudFormationError):
    def __init__(self, message: str):
        super().__init__(message)


class StackSetNotFoundException(_Error):
    code = "StackSetNotFoundException"


class StackInstanceNotFoundException(_Error):
    code = "StackInstanceNotFoundException"


class OperationNotFoundException(_Error):
    code = "OperationNotFoundException"


class OperationInProgressException(_Error):
    code = "OperationInProgressException"


class OperationIdAlreadyExistsException(_Error):
    code = "OperationIdAlreadyExistsException"


class InvalidOperationException(_Error):
    code = "InvalidOperationException"


class NameAlreadyExistsException(_Error):
    code = "NameAlreadyExistsException"


class StackSetNotEmptyException(_Error):
    code = "StackSetNotEmptyException"


class InsufficientCapabilitiesException(_Error):
    code = "InsufficientCapabilitiesException"


def invalid(message: str) -> ValidationError:
    return ValidationError(message=message)


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------
class Instance:
    def __init__(self, account: str, region: str, ou_id: str | None):
        self.account = account
        self.region = region
        self.ou_id = ou_id
        self.overrides: dict[str, str] = {}
        self.stack_id: str | None = None
        self.status = "OUTDATED"
        self.detailed = "PENDING"
        self.reason: str | None = None
        self.last_operation_id: str | None = None

    def summary(self, stack_set: "StackSet") -> dict[str, Any]:
        result: dict[str, Any] = {
            "StackSetId": stack_set.id,
            "Region": self.region,
            "Account": self.account,
            "Status": self.status,
            "StackInstanceStatus": {"DetailedStatus": self.detailed},
            "DriftStatus": "NOT_CHECKED",
        }
        if self.stack_id:
            result["StackId"] = self.stack_id
        if self.reason:
            result["StatusReason"] = self.reason
        if self.ou_id:
            result["OrganizationalUnitId"] = self.ou_id
        if self.last_operation_id:
            result["LastOperationId"] = self.last_operation_id
        return result

    def describe(self, stack_set: "StackSet") -> dict[str, Any]:
        result = self.summary(stack_set)
        result["ParameterOverrides"] = [{"ParameterKey": k, "ParameterValue": v} for k, v in self.overrides.items()]
        return result


class Operation:
    def __init__(self, operation_id: str, action: str, stack_set: "StackSet", preferences: dict[str, Any] | None,
                 deployment_targets: dict[str, Any] | None = None, retain_stacks: bool | None = None):
        self.id = operation_id
        self.action = action
        self.status = "RUNNING"
        self.created = utcnow()
        self.ended: datetime | None = None
        self.reason: str | None = None
        self.preferences = copy.deepcopy(preferences or {})
        self.deployment_targets = copy.deepcopy(deployment_targets) if deployment_targets else None
        self.retain_stacks = retain_stacks
        self.admin_role = stack_set.admin_role_arn
        self.execution_role = stack_set.execution_role_name
        self.stack_set_id = stack_set.id
        self.results: "OrderedDict[tuple[str, str], dict[str, Any]]" = OrderedDict()

    def failed_count(self) -> int:
        return sum(1 for r in self.results.values() if r["Status"] == "FAILED")

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {"OperationId": self.id, "Action": self.action, "Status": self.status, "CreationTimestamp": self.created}
        if self.ended:
            result["EndTimestamp"] = self.ended
        if self.reason:
            result["StatusReason"] = self.reason
        result["StatusDetails"] = {"FailedStackInstancesCount": self.failed_count()}
        result["OperationPreferences"] = self.preferences
        return result

    def describe(self) -> dict[str, Any]:
        result = self.summary()
        result["StackSetId"] = self.stack_set_id
        if self.retain_stacks is not None:
            result["RetainStacks"] = self.retain_stacks
        if self.admin_role:
            result["AdministrationRoleARN"] = self.admin_role
        if self.execution_role:
            result["ExecutionRoleName"] = self.execution_role
        if self.deployment_targets:
            result["DeploymentTargets"] = self.deployment_targets
        return result


class StackSet:
    def __init__(self, backend: CloudFormationBackend, name: str, permission_model: str, call_as: str):
        self.admin_account = backend.account_id
        self.admin_region = backend.region_name
        self.name = name
        self.id = f"{name}:{mock_random.uuid4()}"
        self.arn = f"arn:aws:cloudformation:{self.admin_region}:{self.admin_account}:stackset/{self.id}"
        self.permission_model = permission_model
        self.call_as = call_as
        self.status = "ACTIVE"
        self.description: str | None = None
        self.template = ""
        self.parameters: "OrderedDict[str, str]" = OrderedDict()
        self.capabilities: list[str] = []
        self.tags: list[dict[str, str]] = []
        self.auto_deployment: dict[str, Any] | None = None
        self.admin_role_arn: str | None = None
        self.execution_role_name: str | None = None
        self.managed_execution = {"Active": False}
        self.ou_regions: "OrderedDict[str, list[str]]" = OrderedDict()  # targeted OU -> its Regions
        self.instances: "OrderedDict[tuple[str, str], Instance]" = OrderedDict()
        self.operations: "OrderedDict[str, Operation]" = OrderedDict()
        self.running = False
        self.queue: list[tuple["Operation", Callable[["Operation"], Any]]] = []  # automatic deployments waiting
        self.lock = threading.Lock()

    @property
    def service_managed(self) -> bool:
        return self.permission_model == SERVICE_MANAGED

    @property
    def auto_deploy_enabled(self) -> bool:
        return bool(self.service_managed and self.auto_deployment and self.auto_deployment.get("Enabled"))

    def regions(self) -> list[str]:
        found: list[str] = []
        for _, region in self.instances:
            if region not in found:
                found.append(region)
        return found

    def describe(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "StackSetName": self.name,
            "StackSetId": self.id,
            "Status": self.status,
            "TemplateBody": self.template,
            "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in self.parameters.items()],
            "Capabilities": self.capabilities,
            "Tags": self.tags,
            "StackSetARN": self.arn,
            "PermissionModel": self.permission_model,
            "ManagedExecution": self.managed_execution,
            "StackSetDriftDetectionDetails": {"DriftStatus": "NOT_CHECKED"},
            "Regions": self.regions(),
        }
        if self.description is not None:
            result["Description"] = self.description
        if self.service_managed:
            result["AutoDeployment"] = self.auto_deployment or {"Enabled": False}
            result["OrganizationalUnitIds"] = list(self.ou_regions)
        else:
            result["AdministrationRoleARN"] = self.admin_role_arn
            result["ExecutionRoleName"] = self.execution_role_name
        return result

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "StackSetName": self.name,
            "StackSetId": self.id,
            "Status": self.status,
            "PermissionModel": self.permission_model,
            "DriftStatus": "NOT_CHECKED",
            "ManagedExecution": self.managed_execution,
        }
        if self.description is not None:
            result["Description"] = self.description
        if self.service_managed:
            result["AutoDeployment"] = self.auto_deployment or {"Enabled": False}
        return result


def stack_sets_of(backend: CloudFormationBackend) -> "OrderedDict[str, StackSet]":
    registry = getattr(backend, "_local_aws_stack_sets", None)
    if registry is None:
        registry = OrderedDict()
        backend._local_aws_stack_sets = registry
    return registry


def all_stack_sets() -> Iterable[StackSet]:
    for _account, _region, backend in list(cloudformation_backends.iter_backends()):
        yield from list(stack_sets_of(backend).values())


# ---------------------------------------------------------------------------
# Who is calling: CallAs, the organization, trusted access
# ---------------------------------------------------------------------------
def normalise_call_as(call_as: str | None) -> str:
    call_as = call_as or "SELF"
    if call_as not in ("SELF", "DELEGATED_ADMIN"):
        raise invalid(f"1 validation error detected: Value '{call_as}' at 'callAs' failed to satisfy constraint: Member must satisfy enum value set: [SELF, DELEGATED_ADMIN]")
    return call_as


def organization_for_service_managed(account_id: str, call_as: str) -> OrganizationsBackend:
    """The organization a service-managed stack set of ``account_id`` works in (raises as AWS does)."""
    management = orgs.management_backend_of(account_id)
    if call_as == "DELEGATED_ADMIN":
        if management is None or management.account_id == account_id or not orgs.is_delegated_admin(management, account_id, orgs.STACKSETS_PRINCIPAL):
            raise invalid("Account used is not a delegated administrator")
    elif management is None or management.account_id != account_id:
        raise invalid("You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set")
    if not getattr(management, "_local_aws_stacksets_access", False):
        raise invalid("You must enable organizations access to operate a service managed stack set")
    return management


def find_stack_set(backend: CloudFormationBackend, name_or_id: str, call_as: str | None = None, include_deleted: bool = False) -> StackSet:
    """By name (ACTIVE ones) or by ID (also DELETED ones). A service-managed stack set
    of a delegated administrator is visible with CallAs DELEGATED_ADMIN only."""
    call_as = normalise_call_as(call_as)
    registry = stack_sets_of(backend)
    found = registry.get(name_or_id)
    if found is None:
        found = next((s for s in reversed(registry.values()) if s.name == name_or_id and s.status == "ACTIVE"), None)
    if found is None or (found.status == "DELETED" and not (include_deleted and found.id == name_or_id)):
        raise StackSetNotFoundException(f"StackSet {name_or_id} not found")
    if found.service_managed:
        if found.call_as != call_as:
            raise StackSetNotFoundException(f"StackSet {name_or_id} not found")
        organization_for_service_managed(backend.account_id, call_as)
    return found


# ---------------------------------------------------------------------------
# Templates, parameters, capabilities, preferences
# ---------------------------------------------------------------------------
def template_from(backend: CloudFormationBackend, body: str | None, url: str | None) -> str:
    if body and url:
        raise invalid("Specify exactly one of TemplateBody or TemplateURL")
    if url:
        from moto.cloudformation.utils import get_stack_from_s3_url

        try:
            body = get_stack_from_s3_url(url, account_id=backend.account_id, partition="aws")
        except Exception as error:  # noqa: BLE001 - no such bucket or key
            raise invalid(f"TemplateURL must reference a valid S3 object to which you have access: {url} ({type(error).__name__})") from None
        if len(body.encode()) > MAX_TEMPLATE_URL_BYTES:
            raise invalid(f"Template file referenced by TemplateURL exceeds the maximum size of {MAX_TEMPLATE_URL_BYTES} bytes")
        return body
    if not body:
        raise invalid("Either Template URL or Template Body must be specified.")
    if len(body.encode()) > MAX_TEMPLATE_BODY:
        raise invalid(
            f"1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to {MAX_TEMPLATE_BODY}"
        )
    return body


def parse_template(template: str) -> dict[str, Any]:
    try:
        parsed = Stack.parse_template(template)
    except Exception as error:  # noqa: BLE001
        raise invalid(f"Template format error: {error}") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("Resources"), dict) or not parsed["Resources"]:
        raise invalid("Template format error: At least one Resources member must be defined.")
    return parsed


def validate_template(template: str, capabilities: list[str], service_managed: bool) -> None:
    parsed = parse_template(template)
    resources = parsed["Resources"]
    for logical_id, resource in resources.items():
        resource_type = resource.get("Type")
        if resource_type == "AWS::CloudFormation::StackSet":
            raise invalid(f"Template error: a stack set template cannot contain AWS::CloudFormation::StackSet ({logical_id})")
        if service_managed and resource_type == "AWS::CloudFormation::Stack":
            raise invalid(f"Template error: nested stacks are not supported in service-managed stack sets ({logical_id})")
    cfn_resource_types.reject_unsupported_resource_types(parsed)
    required: str | None = None
    for resource in resources.values():
        resource_type = str(resource.get("Type", ""))
        if not resource_type.startswith("AWS::IAM::"):
            continue
        name_property = IAM_TYPES_NAMED.get(resource_type)
        if name_property and (resource.get("Properties") or {}).get(name_property) is not None:
            required = "CAPABILITY_NAMED_IAM"
            break
        required = required or "CAPABILITY_IAM"
    if required == "CAPABILITY_NAMED_IAM" and "CAPABILITY_NAMED_IAM" not in capabilities:
        raise InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_NAMED_IAM]")
    if required == "CAPABILITY_IAM" and not {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"} & set(capabilities):
        raise InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_IAM]")


def parameters_from(items: list[dict[str, Any]] | None, previous: dict[str, str] | None = None, what: str = "parameter") -> "OrderedDict[str, str]":
    result: "OrderedDict[str, str]" = OrderedDict()
    for item in items or []:
        key = item.get("ParameterKey")
        if not key:
            raise invalid(f"Every {what} needs a ParameterKey")
        use_previous = str(item.get("UsePreviousValue", "false")).lower() == "true"
        if use_previous and item.get("ParameterValue") is not None:
            raise invalid(f"Invalid input for parameter key {key}. Cannot specify usePreviousValue as true and non empty value for a parameter")
        if use_previous:
            if previous is None or key not in previous:
                raise invalid(f"Invalid input for parameter key {key}. There is no previous value to use")
            result[key] = previous[key]
        else:
            result[key] = "" if item.get("ParameterValue") is None else str(item["ParameterValue"])
    return result


def validate_preferences(preferences: dict[str, Any] | None) -> dict[str, Any]:
    preferences = dict(preferences or {})
    if "FailureToleranceCount" in preferences and "FailureTolerancePercentage" in preferences:
        raise invalid("You can specify either FailureToleranceCount or FailureTolerancePercentage, but not both")
    if "MaxConcurrentCount" in preferences and "MaxConcurrentPercentage" in preferences:
        raise invalid("You can specify either MaxConcurrentCount or MaxConcurrentPercentage, but not both")
    for key, low, high in (("FailureToleranceCount", 0, None), ("MaxConcurrentCount", 1, None), ("FailureTolerancePercentage", 0, 100), ("MaxConcurrentPercentage", 1, 100)):
        if key in preferences:
            value = int(preferences[key])
            if value < low or (high is not None and value > high):
                raise invalid(f"1 validation error detected: Value '{value}' at '{key[0].lower() + key[1:]}' failed to satisfy constraint: Member must have value "
                              + (f"between {low} and {high}" if high is not None else f"greater than or equal to {low}"))
            preferences[key] = value
    if preferences.get("RegionConcurrencyType", "SEQUENTIAL") not in ("SEQUENTIAL", "PARALLEL"):
        raise invalid(f"1 validation error detected: Value '{preferences['RegionConcurrencyType']}' at 'regionConcurrencyType' failed to satisfy constraint: Member must satisfy enum value set: [SEQUENTIAL, PARALLEL]")
    if preferences.get("ConcurrencyMode", "STRICT_FAILURE_TOLERANCE") not in ("STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE"):
        raise invalid(f"1 validation error detected: Value '{preferences['ConcurrencyMode']}' at 'concurrencyMode' failed to satisfy constraint: Member must satisfy enum value set: [STRICT_FAILURE_TOLERANCE, SOFT_FAILURE_TOLERANCE]")
    return preferences


def validate_regions(regions: list[str] | None) -> list[str]:
    if not regions:
        raise invalid("Regions should not be empty")
    from moto.core.base_backend import AccountSpecificBackend

    known = set(AccountSpecificBackend.get_session().get_available_regions("cloudformation"))
    for region in regions:
        if region not in known:
            raise invalid(f"Region {region} is not supported")
    return list(OrderedDict.fromkeys(regions))


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------
class Target:
    def __init__(self, account: str, region: str, ou_id: str | None):
        self.account = account
        self.region = region
        self.ou_id = ou_id

    @property
    def key(self) -> tuple[str, str]:
        return self.account, self.region


def service_managed_accounts(management: OrganizationsBackend, targets: dict[str, Any], operation: str) -> list[tuple[str, str | None]]:
    """[(account, OU it was targeted through)] for DeploymentTargets of a service-managed stack set."""
    ous = list(targets.get("OrganizationalUnitIds") or [])
    accounts = list(targets.get("Accounts") or [])
    filter_type = targets.get("AccountFilterType")
    if targets.get("AccountsUrl"):
        raise invalid("local AWS emulator: DeploymentTargets.AccountsUrl is not supported")
    if not ous:
        raise invalid("StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target")
    if len(ous) > MAX_OUS_PER_OPERATION:
        raise invalid(f"The maximum number of organizational units in one {operation} operation is {MAX_OUS_PER_OPERATION}")
    for ou_id in ous:
        if not OU_ID.match(ou_id):
            raise invalid(
                f"1 validation error detected: Value '[{ou_id}]' at 'deploymentTargets.organizationalUnitIds' failed to satisfy constraint: "
                "Member must satisfy constraint: [Member must have length less than or equal to 68, Member must have length greater than or equal to 6, "
                "Member must satisfy regular expression pattern: ^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$]"
            )
        if not orgs.container_exists(management, ou_id):
            raise invalid(f"local AWS emulator: organizational unit {ou_id} does not exist in organization {management.org.id}")
    for account in accounts:
        if not ACCOUNT_ID.match(account):
            raise invalid(f"1 validation error detected: Value '{account}' at 'deploymentTargets.accounts' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9]{{12}}$")
    if accounts and not filter_type and operation == "CreateStackInstances":
        raise invalid("AccountFilterType should be specified when both OrganizationalUnitIds and Accounts are provided")
    filter_type = filter_type or ("UNION" if accounts else "NONE")
    if filter_type not in ("NONE", "INTERSECTION", "DIFFERENCE", "UNION"):
        raise invalid(f"{filter_type} is not a valid AccountFilterType")
    if filter_type == "UNION" and operation == "CreateStackInstances":
        raise invalid("AccountFilterType UNION is not supported for CreateStackInstances")
    if filter_type != "NONE" and not accounts:
        raise invalid("Accounts should be specified when Account-level Targeting is enabled")

    found: "OrderedDict[str, str | None]" = OrderedDict()
    for ou_id in ous:
        for account in orgs.accounts_under(management, ou_id):
            if account.id != management.account_id:
                found.setdefault(account.id, ou_id)
    if filter_type == "INTERSECTION":
        found = OrderedDict((a, ou) for a, ou in found.items() if a in accounts)
    elif filter_type == "DIFFERENCE":
        found = OrderedDict((a, ou) for a, ou in found.items() if a not in accounts)
    elif filter_type == "UNION":
        for account in accounts:
            if account != management.account_id:
                found.setdefault(account, None)
    return list(found.items())


def self_managed_accounts(accounts: list[str] | None, targets: dict[str, Any] | None) -> list[tuple[str, str | None]]:
    targets = targets or {}
    if targets.get("OrganizationalUnitIds"):
        raise invalid("StackSets with SELF_MANAGED permission model can only have accounts as target")
    if accounts and targets.get("Accounts"):
        raise invalid("Specify the accounts in either Accounts or DeploymentTargets, but not both")
    chosen = list(accounts or targets.get("Accounts") or [])
    for account in chosen:
        if not ACCOUNT_ID.match(account):
            raise invalid(f"1 validation error detected: Value '{account}' at 'accounts' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9]{{12}}$")
    return [(account, None) for account in OrderedDict.fromkeys(chosen)]


def resolve_accounts(stack_set: StackSet, accounts: list[str] | None, targets: dict[str, Any] | None, operation: str) -> list[tuple[str, str | None]]:
    if stack_set.service_managed:
        if accounts:
            raise invalid("StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target")
        if not targets:
            raise invalid("StackSets with SERVICE_MANAGED permission model can only have OrganizationalUnit as target")
        management = organization_for_service_managed(stack_set.admin_account, stack_set.call_as)
        return service_managed_accounts(management, targets, operation)
    if not accounts and not (targets or {}).get("Accounts"):
        raise invalid("Accounts or DeploymentTargets must be specified")
    return self_managed_accounts(accounts, targets)


# ---------------------------------------------------------------------------
# One stack instance: deploy (create or update) and remove
# ---------------------------------------------------------------------------
def _backend(account: str, region: str) -> CloudFormationBackend:
    return cloudformation_backends[account][region]


def _live_stack(instance: Instance) -> Stack | None:
    if not instance.stack_id:
        return None
    return _backend(instance.account, instance.region).stacks.get(instance.stack_id)


def _failure_reason(stack: Stack, since: int, statuses: tuple[str, ...] = ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED")) -> str:
    for event in stack.events[since:]:
        reason = event.resource_status_reason or ""
        if event.resource_status in statuses and event.logical_resource_id != stack.name and reason != "Resource creation cancelled":
            return f"ResourceLogicalId:{event.logical_resource_id}, ResourceType:{event.resource_type}, ResourceStatusReason:{reason}."
    return stack.stack_status_reason or f"Stack {stack.name} is {stack.status}"


def _parameters_for(stack_set: StackSet, instance: Instance) -> dict[str, str]:
    parameters = dict(stack_set.parameters)
    parameters.update(instance.overrides)
    return parameters


def _account_problem(stack_set: StackSet, account: str) -> str | None:
    """Why StackSets could not work in ``account`` (None: it can)."""
    if stack_set.service_managed:
        management = orgs.management_backend_of(stack_set.admin_account)
        member = next((a for a in (management.accounts if management else []) if a.id == account), None)
        if member is None:
            return f"Account {account} is not a member of the organization"
        return None
    from moto.iam.models import iam_backends

    role_name = stack_set.execution_role_name or DEFAULT_EXECUTION_ROLE
    admin_role = (stack_set.admin_role_arn or "").rsplit("/", 1)[-1] or DEFAULT_ADMIN_ROLE
    problem = f"Account {account} should have '{role_name}' role with trust relationship to Role '{admin_role}'."
    role = next((r for r in iam_backends[account]["global"].roles.values() if r.name == role_name), None)
    if role is None:
        return problem
    try:
        trust = json.loads(role.assume_role_policy_document)
    except (TypeError, ValueError):
        return problem
    statements = trust.get("Statement") or []
    statements = [statements] if isinstance(statements, dict) else statements
    wanted = {stack_set.admin_account, f"arn:aws:iam::{stack_set.admin_account}:root", stack_set.admin_role_arn}
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        principals = (statement.get("Principal") or {})
        aws = principals.get("AWS") if isinstance(principals, dict) else principals
        aws = [aws] if isinstance(aws, str) else list(aws or [])
        actions = statement.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        if wanted & set(aws) and any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            return None
    return problem


def _is_suspended(stack_set: StackSet, account: str) -> bool:
    if not stack_set.service_managed:
        return False
    management = orgs.management_backend_of(stack_set.admin_account)
    return any(a.id == account and a.status == "SUSPENDED" for a in (management.accounts if management else []))


def deploy_instance(stack_set: StackSet, instance: Instance) -> str | None:
    """Create or update the instance's stack to the stack set's template and
    parameters. Returns None on success, else the failure reason."""
    problem = _account_problem(stack_set, instance.account)
    if problem:
        return problem
    backend = _backend(instance.account, instance.region)
    parameters = _parameters_for(stack_set, instance)
    tags = {tag["Key"]: tag["Value"] for tag in stack_set.tags}
    stack = _live_stack(instance)
    if stack is not None and stack.status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "REVIEW_IN_PROGRESS"):
        backend.delete_stack(stack.stack_id)  # StackSets replaces a stack that never got created
        stack = None
    if stack is None:
        name = f"StackSet-{stack_set.name}-{mock_random.uuid4()}"
        try:
            stack = backend.create_stack(name=name, template=stack_set.template, parameters=parameters, tags=tags)
        except Exception as error:  # noqa: BLE001 - e.g. a parameter without a value
            from .cfn_events import describe_error

            return describe_error(error)
        instance.stack_id = stack.stack_id
        if stack.status != "CREATE_COMPLETE":
            return _failure_reason(stack, 0)
        return None
    from . import patch_cloudformation

    since = len(stack.events)
    stack.tags = tags
    if not patch_cloudformation.update_stack_resources(backend, stack, stack_set.template, parameters, False):
        return _failure_reason(stack, since)
    return None


def remove_instance(stack_set: StackSet, instance: Instance, retain_stack: bool) -> str | None:
    """Delete the instance (and its stack unless retained). None on success."""
    if retain_stack:
        return None
    stack = _live_stack(instance)
    if stack is None:
        return None
    _backend(instance.account, instance.region).delete_stack(stack.stack_id)
    if stack.status == "DELETE_FAILED":
        return stack.stack_status_reason or "The stack could not be deleted"
    return None


def _account_gate(account: str, region: str) -> dict[str, str]:
    from moto.awslambda.models import lambda_backends

    arn = f"arn:aws:lambda:{region}:{account}:function:{ACCOUNT_GATE}"
    try:
        lambda_backends[account][region].get_function(ACCOUNT_GATE)
    except Exception:  # noqa: BLE001 - not there: the usual case
        return {"Status": "SKIPPED", "StatusReason": f"Function not found: {arn}"}
    return {"Status": "SKIPPED", "StatusReason": f"local AWS emulator: account gating ({arn}) is not emulated"}


# ---------------------------------------------------------------------------
# Running an operation
# ---------------------------------------------------------------------------
def _tolerance(preferences: dict[str, Any], count: int) -> int:
    if "FailureTolerancePercentage" in preferences:
        return math.floor(count * preferences["FailureTolerancePercentage"] / 100)
    return int(preferences.get("FailureToleranceCount", 0))


def _max_concurrent(preferences: dict[str, Any], count: int) -> int:
    if "MaxConcurrentPercentage" in preferences:
        return max(1, math.floor(count * preferences["MaxConcurrentPercentage"] / 100))
    return max(1, int(preferences.get("MaxConcurrentCount", 1)))


def region_order(stack_set: StackSet, regions: list[str], preferences: dict[str, Any]) -> list[str]:
    ordered = list(OrderedDict.fromkeys(regions))
    if stack_set.auto_deploy_enabled:
        return ordered  # "RegionOrder isn't followed if AutoDeployment is enabled."
    first = [r for r in preferences.get("RegionOrder") or [] if r in ordered]
    return list(OrderedDict.fromkeys(first + ordered))


class _RegionRun:
    def __init__(self, region: str, targets: list[Target], preferences: dict[str, Any]):
        self.region = region
        self.pending = list(targets)
        self.tolerance = _tolerance(preferences, len(targets))
        self.max_concurrent = _max_concurrent(preferences, len(targets))
        self.strict = preferences.get("ConcurrencyMode", "STRICT_FAILURE_TOLERANCE") == "STRICT_FAILURE_TOLERANCE"
        self.failures = 0

    @property
    def exceeded(self) -> bool:
        return self.failures > self.tolerance

    def next_batch(self) -> list[Target]:
        size = self.max_concurrent
        if self.strict:
            size = max(1, min(self.max_concurrent, self.tolerance + 1) - self.failures)
        batch, self.pending = self.pending[:size], self.pending[size:]
        return batch


def begin(stack_set: StackSet, operation_id: str | None, action: str) -> "str | Operation":
    """Reserve the stack set for an operation and return its new ID; a retried
    request (an OperationId already used for the same action) returns that
    operation instead. OperationInProgressException while another one runs."""
    operation_id = operation_id or str(mock_random.uuid4())
    with stack_set.lock:
        if operation_id in stack_set.operations:
            existing = stack_set.operations[operation_id]
            if existing.action == action:
                return existing
            raise OperationIdAlreadyExistsException(f"The operation id {operation_id} already exists")
        if stack_set.running:
            running = next((o.id for o in stack_set.operations.values() if o.status == "RUNNING"), "")
            raise OperationInProgressException(f"Another Operation on StackSet {stack_set.id} is in progress: {running}")
        stack_set.running = True
    return operation_id


def release(stack_set: StackSet) -> None:
    """The operation ended: run the automatic deployments that waited for it (QUEUED)."""
    stack_set.running = False
    while stack_set.queue and not stack_set.running:
        operation, run = stack_set.queue.pop(0)
        stack_set.running = True
        operation.status = "RUNNING"
        run(operation)


def run_operation(stack_set: StackSet, operation: Operation, targets: list[Target], work: Callable[[Target], str | None],
                  result_status: Callable[[Target, str | None], None], concurrency_type: str | None = None) -> Operation:
    """Run ``work`` for every target under the operation's preferences. ``work``
    returns None (succeeded) or a reason (failed); ``result_status`` records
    the outcome on the instance."""
    stack_set.operations[operation.id] = operation
    try:
        preferences = operation.preferences
        order = region_order(stack_set, [t.region for t in targets], preferences)
        for target in targets:
            operation.results[target.key] = {
                "Account": target.account, "Region": target.region, "Status": "PENDING",
                "AccountGateResult": _account_gate(target.account, target.region),
                **({"OrganizationalUnitId": target.ou_id} if target.ou_id else {}),
            }
        runs = [_RegionRun(region, [t for t in targets if t.region == region], preferences) for region in order]
        parallel = (concurrency_type or preferences.get("RegionConcurrencyType", "SEQUENTIAL")) == "PARALLEL"

        def do(target: Target) -> bool:
            result = operation.results[target.key]
            result["Status"] = "RUNNING"
            if _is_suspended(stack_set, target.account):
                result["Status"] = "SUCCEEDED"
                result["StatusReason"] = f"Account {target.account} is suspended"
                result_status(target, "SKIPPED_SUSPENDED_ACCOUNT")
                return True
            try:
                reason = work(target)
            except Exception as error:  # noqa: BLE001 - a failure of one instance, not of the operation
                from .cfn_events import describe_error

                reason = describe_error(error)
            result["Status"] = "FAILED" if reason else "SUCCEEDED"
            if reason:
                result["StatusReason"] = reason
            result_status(target, reason)
            return reason is None

        def run_batches(batches: list[tuple[_RegionRun, list[Target]]]) -> None:
            """The targets of these batches at the same time (at most MAX_THREADS)."""
            work_items = [(run, target) for run, batch in batches for target in batch]
            if len(work_items) == 1:
                outcomes = [do(work_items[0][1])]
            else:
                with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(work_items)), thread_name_prefix="stackset-instance") as pool:
                    outcomes = list(pool.map(lambda item: do(item[1]), work_items))
            for (run, _target), succeeded in zip(work_items, outcomes):
                if not succeeded:
                    run.failures += 1

        stopped = False
        if parallel:  # every Region at once, batch by batch
            while not stopped and any(run.pending for run in runs):
                run_batches([(run, run.next_batch()) for run in runs if run.pending])
                stopped = any(run.exceeded for run in runs)
        else:  # one Region after the other, in order
            for run in runs:
                while run.pending and not stopped:
                    run_batches([(run, run.next_batch())])
                    stopped = run.exceeded
                if stopped:
                    break
        for target in targets:
            result = operation.results[target.key]
            if result["Status"] == "PENDING":
                result["Status"] = "CANCELLED"
                result["StatusReason"] = "Cancelled since failure tolerance has exceeded"
                result_status(target, "CANCELLED")
        operation.status = "FAILED" if stopped else "SUCCEEDED"
        return operation
    finally:
        operation.ended = utcnow()
        release(stack_set)


def _deploy_targets(stack_set: StackSet, operation: Operation, targets: list[Target], overrides: dict[str, str] | None = None) -> Operation:
    """Create missing instances and bring every targeted one to the stack set's template."""
    for target in targets:
        instance = stack_set.instances.get(target.key)
        if instance is None:
            instance = Instance(target.account, target.region, target.ou_id)
            stack_set.instances[target.key] = instance
            if overrides is not None:
                instance.overrides = dict(overrides)
        instance.detailed = "PENDING"
        instance.last_operation_id = operation.id

    def work(target: Target) -> str | None:
        instance = stack_set.instances[target.key]
        instance.detailed = "RUNNING"
        return deploy_instance(stack_set, instance)

    def record(target: Target, outcome: str | None) -> None:
        instance = stack_set.instances[target.key]
        if outcome in ("CANCELLED", "SKIPPED_SUSPENDED_ACCOUNT"):
            instance.status, instance.detailed = "OUTDATED", outcome
            return
        instance.status = "OUTDATED" if outcome else "CURRENT"
        instance.detailed = "FAILED" if outcome else "SUCCEEDED"
        instance.reason = outcome

    return run_operation(stack_set, operation, targets, work, record)


def _remove_targets(stack_set: StackSet, operation: Operation, targets: list[Target], retain: bool) -> Operation:
    for target in targets:
        instance = stack_set.instances[target.key]
        instance.detailed = "PENDING"
        instance.last_operation_id = operation.id

    def work(target: Target) -> str | None:
        instance = stack_set.instances[target.key]
        instance.detailed = "RUNNING"
        return remove_instance(stack_set, instance, retain)

    def record(target: Target, outcome: str | None) -> None:
        instance = stack_set.instances.get(target.key)
        if instance is None:
            return
        if outcome is None:
            del stack_set.instances[target.key]
        elif outcome in ("CANCELLED", "SKIPPED_SUSPENDED_ACCOUNT"):
            instance.detailed = outcome
        else:
            instance.status, instance.detailed, instance.reason = "INOPERABLE", "INOPERABLE", outcome

    return run_operation(stack_set, operation, targets, work, record)


# ---------------------------------------------------------------------------
# The API (called by cfn_stacksets_api and cfn_stackset_resource)
# ---------------------------------------------------------------------------
def create_stack_set(backend: CloudFormationBackend, *, name: str, template_body: str | None, template_url: str | None,
                     parameters: list[dict[str, Any]] | None, capabilities: list[str] | None, tags: list[dict[str, str]] | None,
                     permission_model: str | None, auto_deployment: dict[str, Any] | None, call_as: str | None,
                     description: str | None, admin_role_arn: str | None, execution_role_name: str | None,
                     managed_execution: dict[str, Any] | None) -> StackSet:
    if not name or not STACK_SET_NAME.match(name):
        raise invalid(
            f"1 validation error detected: Value '{name}' at 'stackSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"
        )
    permission_model = permission_model or SELF_MANAGED
    if permission_model not in (SELF_MANAGED, SERVICE_MANAGED):
        raise invalid(f"1 validation error detected: Value '{permission_model}' at 'permissionModel' failed to satisfy constraint: Member must satisfy enum value set: [SERVICE_MANAGED, SELF_MANAGED]")
    call_as = normalise_call_as(call_as)
    if permission_model == SERVICE_MANAGED:
        organization_for_service_managed(backend.account_id, call_as)
        if auto_deployment is None:
            raise invalid("AutoDeployment is required for a stack set with the SERVICE_MANAGED permission model")
        if admin_role_arn or execution_role_name:
            raise invalid("AdministrationRoleARN and ExecutionRoleName are valid only with the SELF_MANAGED permission model")
        if "CAPABILITY_AUTO_EXPAND" in (capabilities or []):
            raise invalid("CAPABILITY_AUTO_EXPAND is not supported for SERVICE_MANAGED stack sets")
    else:
        if auto_deployment:
            raise invalid("AutoDeployment is valid only with the SERVICE_MANAGED permission model")
        if call_as == "DELEGATED_ADMIN":
            raise invalid("CallAs DELEGATED_ADMIN is valid only for SERVICE_MANAGED stack sets")
    _validate_auto_deployment(auto_deployment)
    registry = stack_sets_of(backend)
    if any(s.name == name and s.status == "ACTIVE" for s in registry.values()):
        raise NameAlreadyExistsException(f"StackSet {name} already exists")
    template = template_from(backend, template_body, template_url)
    validate_template(template, list(capabilities or []), permission_model == SERVICE_MANAGED)
    stack_set = StackSet(backend, name, permission_model, call_as)
    stack_set.template = template
    stack_set.parameters = parameters_from(parameters)
    stack_set.capabilities = list(capabilities or [])
    stack_set.tags = list(tags or [])
    stack_set.description = description
    stack_set.auto_deployment = _auto_deployment(auto_deployment) if permission_model == SERVICE_MANAGED else None
    if permission_model == SELF_MANAGED:
        stack_set.admin_role_arn = admin_role_arn or f"arn:aws:iam::{backend.account_id}:role/{DEFAULT_ADMIN_ROLE}"
        stack_set.execution_role_name = execution_role_name or DEFAULT_EXECUTION_ROLE
    stack_set.managed_execution = {"Active": bool((managed_execution or {}).get("Active", False))}
    registry[stack_set.id] = stack_set
    return stack_set


def _validate_auto_deployment(auto_deployment: dict[str, Any] | None) -> None:
    if auto_deployment and not auto_deployment.get("Enabled") and auto_deployment.get("RetainStacksOnAccountRemoval") is not None:
        raise invalid("RetainStacksOnAccountRemoval can be specified only when automatic deployment is enabled")


def _auto_deployment(auto_deployment: dict[str, Any] | None) -> dict[str, Any]:
    auto_deployment = auto_deployment or {}
    result: dict[str, Any] = {"Enabled": bool(auto_deployment.get("Enabled", False))}
    if result["Enabled"]:
        result["RetainStacksOnAccountRemoval"] = bool(auto_deployment.get("RetainStacksOnAccountRemoval", False))
    if auto_deployment.get("DependsOn"):
        result["DependsOn"] = list(auto_deployment["DependsOn"])
    return result


def _targets(stack_set: StackSet, accounts: list[tuple[str, str | None]], regions: list[str]) -> list[Target]:
    return [Target(account, region, ou_id) for region in regions for account, ou_id in accounts]


def _check_overrides(stack_set: StackSet, overrides: dict[str, str]) -> None:
    declared = parse_template(stack_set.template).get("Parameters") or {}
    unknown = [key for key in overrides if key not in declared]
    if unknown:
        raise invalid(f"Parameter overrides are allowed only for parameters of the stack set's template: {', '.join(unknown)}")


def create_stack_instances(stack_set: StackSet, *, accounts: list[str] | None, deployment_targets: dict[str, Any] | None,
                           regions: list[str] | None, parameter_overrides: list[dict[str, Any]] | None,
                           preferences: dict[str, Any] | None, operation_id: str | None) -> Operation:
    regions = validate_regions(regions)
    preferences = validate_preferences(preferences)
    resolved = resolve_accounts(stack_set, accounts, deployment_targets, "CreateStackInstances")
    overrides = parameters_from(parameter_overrides, what="parameter override") if parameter_overrides is not None else None
    _check_overrides(stack_set, overrides or {})
    reserved = begin(stack_set, operation_id, "CREATE")
    if isinstance(reserved, Operation):
        return reserved
    if stack_set.service_managed:
        for ou_id in (deployment_targets or {}).get("OrganizationalUnitIds") or []:
            known = stack_set.ou_regions.setdefault(ou_id, [])
            known.extend(r for r in regions if r not in known)
    operation = Operation(reserved, "CREATE", stack_set, preferences, deployment_targets or ({"Accounts": accounts} if accounts else None))
    return _deploy_targets(stack_set, operation, _targets(stack_set, resolved, regions), overrides)


def update_stack_instances(stack_set: StackSet, *, accounts: list[str] | None, deployment_targets: dict[str, Any] | None,
                           regions: list[str] | None, parameter_overrides: list[dict[str, Any]] | None,
                           preferences: dict[str, Any] | None, operation_id: str | None) -> Operation:
    regions = validate_regions(regions)
    preferences = validate_preferences(preferences)
    resolved = resolve_accounts(stack_set, accounts, deployment_targets, "UpdateStackInstances")
    wanted = _targets(stack_set, resolved, regions)
    missing = [t for t in wanted if t.key not in stack_set.instances]
    if missing and not stack_set.service_managed:
        raise StackInstanceNotFoundException(f"Stack instance for account {missing[0].account} in region {missing[0].region} not found")
    targets = [t for t in wanted if t.key in stack_set.instances]
    new_overrides = {}
    if parameter_overrides is not None:
        # Listed: set (UsePreviousValue keeps the present override); not listed: back to the stack set's value.
        for target in targets:
            instance = stack_set.instances[target.key]
            new_overrides[target.key] = parameters_from(parameter_overrides, previous=instance.overrides, what="parameter override")
            _check_overrides(stack_set, new_overrides[target.key])
    reserved = begin(stack_set, operation_id, "UPDATE")
    if isinstance(reserved, Operation):
        return reserved
    for key, overrides in new_overrides.items():
        stack_set.instances[key].overrides = dict(overrides)
    operation = Operation(reserved, "UPDATE", stack_set, preferences, deployment_targets or ({"Accounts": accounts} if accounts else None))
    return _deploy_targets(stack_set, operation, targets)


def delete_stack_instances(stack_set: StackSet, *, accounts: list[str] | None, deployment_targets: dict[str, Any] | None,
                           regions: list[str] | None, retain_stacks: bool | None, preferences: dict[str, Any] | None,
                           operation_id: str | None) -> Operation:
    if retain_stacks is None:
        raise invalid("1 validation error detected: Value null at 'retainStacks' failed to satisfy constraint: Member must not be null")
    regions = validate_regions(regions)
    preferences = validate_preferences(preferences)
    resolved = resolve_accounts(stack_set, accounts, deployment_targets, "DeleteStackInstances")
    targets = [t for t in _targets(stack_set, resolved, regions) if t.key in stack_set.instances]
    for target in targets:  # the instance keeps the OU it was deployed through
        target.ou_id = stack_set.instances[target.key].ou_id
    reserved = begin(stack_set, operation_id, "DELETE")
    if isinstance(reserved, Operation):
        return reserved
    if stack_set.service_managed:
        for ou_id in (deployment_targets or {}).get("OrganizationalUnitIds") or []:
            if ou_id in stack_set.ou_regions:
                stack_set.ou_regions[ou_id] = [r for r in stack_set.ou_regions[ou_id] if r not in regions]
                if not stack_set.ou_regions[ou_id]:
                    del stack_set.ou_regions[ou_id]
    operation = Operation(reserved, "DELETE", stack_set, preferences, deployment_targets or ({"Accounts": accounts} if accounts else None), bool(retain_stacks))
    return _remove_targets(stack_set, operation, targets, bool(retain_stacks))


def update_stack_set(backend: CloudFormationBackend, stack_set: StackSet, *, template_body: str | None, template_url: str | None,
                     use_previous_template: bool, parameters: list[dict[str, Any]] | None, capabilities: list[str] | None,
                     tags: list[dict[str, str]] | None, description: str | None, auto_deployment: dict[str, Any] | None,
                     permission_model: str | None, admin_role_arn: str | None, execution_role_name: str | None,
                     managed_execution: dict[str, Any] | None, accounts: list[str] | None, deployment_targets: dict[str, Any] | None,
                     regions: list[str] | None, preferences: dict[str, Any] | None, operation_id: str | None) -> Operation:
    preferences = validate_preferences(preferences)
    if permission_model and permission_model != stack_set.permission_model:
        if permission_model == SELF_MANAGED:
            raise invalid("You cannot change the permission model of a SERVICE_MANAGED stack set to SELF_MANAGED")
        if stack_set.instances:
            raise invalid("The permission model can change to SERVICE_MANAGED only while the stack set has no stack instances")
    new_model = permission_model or stack_set.permission_model
    if use_previous_template and (template_body or template_url):
        raise invalid("Specify either a template or UsePreviousTemplate, not both")
    if use_previous_template or not (template_body or template_url):
        template = stack_set.template
    else:
        template = template_from(backend, template_body, template_url)
    new_capabilities = list(capabilities) if capabilities is not None else list(stack_set.capabilities)
    validate_template(template, new_capabilities, new_model == SERVICE_MANAGED)
    new_parameters = parameters_from(parameters, previous=stack_set.parameters) if parameters is not None else OrderedDict(stack_set.parameters)
    if auto_deployment is not None:
        if new_model != SERVICE_MANAGED:
            raise invalid("AutoDeployment is valid only with the SERVICE_MANAGED permission model")
        _validate_auto_deployment(auto_deployment)
    changed = template != stack_set.template or dict(new_parameters) != dict(stack_set.parameters)
    if regions or accounts or deployment_targets:
        resolved = resolve_accounts(stack_set, accounts, deployment_targets, "UpdateStackSet")
        wanted = _targets(stack_set, resolved, validate_regions(regions))
        missing = [t for t in wanted if t.key not in stack_set.instances]
        if missing and not stack_set.service_managed:
            raise StackInstanceNotFoundException(f"Stack instance for account {missing[0].account} in region {missing[0].region} not found")
        targets = [t for t in wanted if t.key in stack_set.instances]
    else:
        targets = [Target(i.account, i.region, i.ou_id) for i in stack_set.instances.values()]
    targets = [t for t in targets if stack_set.instances[t.key].status != "INOPERABLE"]
    for target in targets:
        target.ou_id = stack_set.instances[target.key].ou_id
    reserved = begin(stack_set, operation_id, "UPDATE")
    if isinstance(reserved, Operation):
        return reserved
    # "Even if the stack set operation ... fails, the stack set is updated with your changes."
    stack_set.template = template
    stack_set.parameters = new_parameters
    stack_set.capabilities = new_capabilities
    if tags is not None:
        stack_set.tags = list(tags)
    if description is not None:
        stack_set.description = description
    stack_set.permission_model = new_model
    if auto_deployment is not None:
        stack_set.auto_deployment = _auto_deployment(auto_deployment)
    elif new_model == SERVICE_MANAGED and stack_set.auto_deployment is None:
        stack_set.auto_deployment = {"Enabled": False}
    if new_model == SELF_MANAGED:
        stack_set.admin_role_arn = admin_role_arn or stack_set.admin_role_arn
        stack_set.execution_role_name = execution_role_name or stack_set.execution_role_name
    else:
        stack_set.admin_role_arn = stack_set.execution_role_name = None
    if managed_execution is not None:
        stack_set.managed_execution = {"Active": bool(managed_execution.get("Active", False))}
    if changed:
        for instance in stack_set.instances.values():
            if instance.status == "CURRENT":
                instance.status = "OUTDATED"
    operation = Operation(reserved, "UPDATE", stack_set, preferences, deployment_targets or ({"Accounts": accounts} if accounts else None))
    return _deploy_targets(stack_set, operation, targets)


def delete_stack_set(stack_set: StackSet) -> None:
    if stack_set.running:
        raise OperationInProgressException(f"Another Operation on StackSet {stack_set.id} is in progress")
    if stack_set.instances:
        raise StackSetNotEmptyException("StackSet is not empty")
    stack_set.status = "DELETED"


# ---------------------------------------------------------------------------
# Automatic deployment (patch_organizations calls this on every account change)
# ---------------------------------------------------------------------------
def _organization_stack_sets(management: OrganizationsBackend) -> list[StackSet]:
    found = []
    for stack_set in all_stack_sets():
        if stack_set.status != "ACTIVE" or not stack_set.auto_deploy_enabled:
            continue
        if orgs.management_backend_of(stack_set.admin_account) is management:
            found.append(stack_set)
    # AutoDeployment.DependsOn: a stack set after the ones it depends on.
    by_arn = {s.arn: s for s in found}
    ordered: list[StackSet] = []

    def visit(stack_set: StackSet, seen: tuple[str, ...] = ()) -> None:
        if stack_set in ordered or stack_set.arn in seen:
            return
        for arn in (stack_set.auto_deployment or {}).get("DependsOn") or []:
            if arn in by_arn:
                visit(by_arn[arn], seen + (stack_set.arn,))
        ordered.append(stack_set)

    for stack_set in found:
        visit(stack_set)
    return ordered


def _automatic(stack_set: StackSet, action: str, targets_of_operation: dict[str, Any], retain: bool | None, run: Callable[[Operation], Any]) -> None:
    """Start an automatic deployment now, or QUEUED behind the operation that runs."""
    operation = Operation(str(mock_random.uuid4()), action, stack_set, None, targets_of_operation, retain)
    with stack_set.lock:
        if stack_set.running:
            operation.status = "QUEUED"
            stack_set.operations[operation.id] = operation
            stack_set.queue.append((operation, run))
            return
        stack_set.running = True
    run(operation)


def on_account_parent_changed(management: OrganizationsBackend, account_id: str, old_parent: str | None, new_parent: str | None) -> None:
    """An account moved (or joined: old_parent None, or left: new_parent None)."""
    if account_id == management.account_id:
        return
    old_chain = orgs.ancestors(management, old_parent) if old_parent else []
    new_chain = orgs.ancestors(management, new_parent) if new_parent else []
    plans = []
    for stack_set in _organization_stack_sets(management):
        new_targets = [ou for ou in new_chain if ou in stack_set.ou_regions]
        wanted: list[str] = []
        for ou in new_targets:
            wanted.extend(r for r in stack_set.ou_regions[ou] if r not in wanted)
        remove = [key for key in stack_set.instances if key[0] == account_id and key[1] not in wanted]
        add = [Target(account_id, region, new_targets[0]) for region in wanted if (account_id, region) not in stack_set.instances]
        old_targets = [ou for ou in old_chain if ou in stack_set.ou_regions]
        plans.append((stack_set, remove, add, old_targets, new_targets))
    for stack_set, remove, _add, old_targets, _new in plans:  # deletes first, then the creates
        if remove:
            retain = bool((stack_set.auto_deployment or {}).get("RetainStacksOnAccountRemoval"))
            targets = [Target(account, region, stack_set.instances[(account, region)].ou_id) for account, region in remove]
            _automatic(stack_set, "DELETE", {"OrganizationalUnitIds": old_targets or [old_parent]}, retain,
                       lambda operation, s=stack_set, t=targets, r=retain: _remove_targets(s, operation, t, r))
    for stack_set, _remove, add, _old, new_targets in plans:
        if add:
            _automatic(stack_set, "CREATE", {"OrganizationalUnitIds": new_targets}, None,
                       lambda operation, s=stack_set, t=add: _deploy_targets(s, operation, t))


# ---------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------
def list_instances(stack_set: StackSet, account: str | None = None, region: str | None = None, filters: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    result = []
    for instance in stack_set.instances.values():
        if account and instance.account != account or region and instance.region != region:
            continue
        summary = instance.summary(stack_set)
        keep = True
        for item in filters or []:
            name, value = item.get("Name"), item.get("Values")
            if name == "DETAILED_STATUS" and summary["StackInstanceStatus"]["DetailedStatus"] != value:
                keep = False
            elif name == "LAST_OPERATION_ID" and summary.get("LastOperationId") != value:
                keep = False
            elif name == "DRIFT_STATUS" and summary["DriftStatus"] != value:
                keep = False
        if keep:
            result.append(summary)
    return result


def describe_instance(stack_set: StackSet, account: str, region: str) -> dict[str, Any]:
    instance = stack_set.instances.get((account, region))
    if instance is None:
        raise StackInstanceNotFoundException(f"Stack instance for account {account} in region {region} not found in StackSet {stack_set.id}")
    return instance.describe(stack_set)


def get_operation(stack_set: StackSet, operation_id: str) -> Operation:
    operation = stack_set.operations.get(operation_id)
    if operation is None:
        raise OperationNotFoundException(f"Operation {operation_id} not found for StackSet {stack_set.id}")
    return operation


def auto_deployment_targets(stack_set: StackSet) -> list[dict[str, Any]]:
    if not stack_set.auto_deploy_enabled:
        return []
    return [{"OrganizationalUnitId": ou, "Regions": regions} for ou, regions in stack_set.ou_regions.items()]


def activate_organizations_access(account_id: str) -> None:
    management = orgs.management_backend_of(account_id)
    if management is None or management.account_id != account_id:
        raise InvalidOperationException("Organizations access can be activated only from the management account of an organization")
    management.enable_aws_service_access(ServicePrincipal=orgs.STACKSETS_PRINCIPAL)
    management._local_aws_stacksets_access = True


def deactivate_organizations_access(account_id: str) -> None:
    management = orgs.management_backend_of(account_id)
    if management is None or management.account_id != account_id:
        raise InvalidOperationException("Organizations access can be deactivated only from the management account of an organization")
    management._local_aws_stacksets_access = False


def organizations_access_status(account_id: str, call_as: str | None) -> str:
    call_as = normalise_call_as(call_as)
    management = orgs.management_backend_of(account_id)
    if management is None:
        raise InvalidOperationException("The account is not a member of an organization")
    if call_as == "DELEGATED_ADMIN" and not orgs.is_delegated_admin(management, account_id, orgs.STACKSETS_PRINCIPAL):
        raise invalid("Account used is not a delegated administrator")
    if call_as == "SELF" and management.account_id != account_id:
        raise invalid("You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set")
    return "ENABLED" if getattr(management, "_local_aws_stacksets_access", False) else "DISABLED"
