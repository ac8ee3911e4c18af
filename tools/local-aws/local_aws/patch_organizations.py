"""AWS Organizations as CloudFormation StackSets needs it (moto 5.2.1, moto/organizations).

moto keeps the organization in the management account's backend only. What
is fixed here, each checked against the Organizations API reference:

  * MoveAccount: the account must be a child of SourceParentId
    (AccountNotFoundException), the destination must differ
    (DuplicateAccountException: "That account is already present in the
    specified destination."), missing parents are SourceParentNotFoundException
    / DestinationParentNotFoundException (moto: ParentNotFoundException for
    both, and any source was accepted). Only the management account may call it.
  * CreateOrganizationalUnit: the parent must exist (ParentNotFoundException),
    names are unique under one parent (DuplicateOrganizationalUnitException),
    OUs nest at most 5 levels below the root (ConstraintViolationException,
    OU_DEPTH_LIMIT_EXCEEDED). moto accepted any ParentId. UpdateOrganizationalUnit
    checks duplicates under the same parent only (moto: in the whole org).
    DeleteOrganizationalUnit refuses an OU with accounts or child OUs
    (OrganizationalUnitNotEmptyException; moto deleted it and orphaned them).
  * CreateAccount: OrganizationAccountAccessRole (trusting the management
    account) gets the AdministratorAccess managed policy, as AWS attaches it
    (moto created the role without any policy, and for the management
    account's own entry created it in a random account).
  * Member accounts: AWS lets a member account call DescribeOrganization,
    LeaveOrganization and the ListDelegated* calls only; everything else is
    AccessDeniedException. A delegated administrator (any service) may also
    call the read-only Describe*/List* actions, which are answered from the
    organization (moto answered a member from its own, empty, backend: e.g.
    ListAccounts returned nothing).
  * RegisterDelegatedAdministrator accepts
    member.org.stacksets.cloudformation.amazonaws.com, the StackSets service
    principal (moto: "You specified an unrecognized service principal.").
  * Account changes reach CloudFormation StackSets' automatic deployments
    (cfn_stacksets.on_account_parent_changed): MoveAccount, CreateAccount
    (the account joins the root), RemoveAccountFromOrganization, and
    DisableAWSServiceAccess of the StackSets principal deactivates StackSets'
    organizations access.
IDs keep moto's AWS formats: o-<10>, r-<4>, ou-<root 4>-<8>, 12-digit accounts.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any

from moto.organizations import responses as org_responses
from moto.organizations.exceptions import AccountNotFoundException, ConstraintViolationException, DuplicateOrganizationalUnitException
from moto.organizations.exceptions import OrganizationsClientError as RESTError
from moto.organizations.models import FakeAccount, FakeDelegatedAdministrator, OrganizationsBackend, organizations_backends

logger = logging.getLogger("local_aws")

STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
ACCESS_ROLE_NAME = "OrganizationAccountAccessRole"
ADMINISTRATOR_ACCESS = "AdministratorAccess"
MAX_OU_DEPTH = 5

# What a member account may call at all; a delegated administrator also the read-only ones.
MEMBER_ACTIONS = {"DescribeOrganization", "LeaveOrganization", "ListDelegatedAdministrators", "ListDelegatedServicesForAccount"}
DELEGATED_ADMIN_READ_ACTIONS = {
    "DescribeAccount", "DescribeCreateAccountStatus", "DescribeEffectivePolicy", "DescribeOrganizationalUnit", "DescribePolicy",
    "ListAWSServiceAccessForOrganization", "ListAccounts", "ListAccountsForParent", "ListChildren", "ListCreateAccountStatus",
    "ListOrganizationalUnitsForParent", "ListParents", "ListPolicies", "ListPoliciesForTarget", "ListRoots", "ListTagsForResource",
    "ListTargetsForPolicy",
}


class AccessDeniedException(RESTError):
    def __init__(self) -> None:
        super().__init__("AccessDeniedException", "You don't have permissions to access this resource.")


# ---------------------------------------------------------------------------
# Organization lookups (also used by cfn_stacksets)
# ---------------------------------------------------------------------------
def management_backend_of(account_id: str) -> OrganizationsBackend | None:
    """The organizations backend that holds ``account_id``'s organization (None: not in one)."""
    own = organizations_backends[account_id]["aws"]
    if own.org is not None:
        return own
    entry = organizations_backends.master_accounts.get(account_id)
    if entry is None:
        return None
    backend = organizations_backends[entry[0]][entry[1]]
    return backend if backend.org is not None else None


def is_delegated_admin(backend: OrganizationsBackend, account_id: str, service_principal: str | None = None) -> bool:
    for admin in backend.admins:
        if admin.account.id == account_id and (service_principal is None or service_principal in admin.services):
            return True
    return False


def parent_of(backend: OrganizationsBackend, child_id: str) -> str | None:
    for account in backend.accounts:
        if account.id == child_id:
            return account.parent_id
    for ou in backend.ou:
        if ou.id == child_id:
            return ou.parent_id
    return None


def ancestors(backend: OrganizationsBackend, parent_id: str | None) -> list[str]:
    """``parent_id`` and every container above it, up to the root."""
    chain: list[str] = []
    while parent_id and parent_id not in chain:
        chain.append(parent_id)
        parent_id = parent_of(backend, parent_id)
    return chain


def accounts_under(backend: OrganizationsBackend, container_id: str) -> list[FakeAccount]:
    """Accounts in a root or OU and in all OUs below it."""
    return [account for account in backend.accounts if container_id in ancestors(backend, account.parent_id)]


def container_exists(backend: OrganizationsBackend, container_id: str) -> bool:
    return any(ou.id == container_id for ou in backend.ou)


# ---------------------------------------------------------------------------
# Backend patches
# ---------------------------------------------------------------------------
class _OrganizationsError(RESTError):
    """An Organizations error with its code and message."""


def move_account(self: OrganizationsBackend, **kwargs: Any) -> None:
    account_id, source, destination = kwargs["AccountId"], kwargs["SourceParentId"], kwargs["DestinationParentId"]
    if not container_exists(self, source):
        raise _OrganizationsError("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
    if not container_exists(self, destination):
        raise _OrganizationsError("DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId that you specified.")
    account = self.get_account_by_id(account_id)
    if account.parent_id != source:
        raise AccountNotFoundException
    if source == destination:
        raise _OrganizationsError("DuplicateAccountException", "That account is already present in the specified destination.")
    account.parent_id = destination
    _account_changed(self, account_id, source, destination)


_original_create_ou = OrganizationsBackend.create_organizational_unit


def create_organizational_unit(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    parent_id = kwargs.get("ParentId") or ""
    if not container_exists(self, parent_id):
        raise _OrganizationsError("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
    if any(ou.parent_id == parent_id and ou.name == kwargs.get("Name") for ou in self.ou):
        raise DuplicateOrganizationalUnitException
    if len(ancestors(self, parent_id)) > MAX_OU_DEPTH:  # the new OU would be level 6 below the root
        error = ConstraintViolationException("You attempted to create an OU tree that is too many levels deep.")
        error.reason = "OU_DEPTH_LIMIT_EXCEEDED"
        raise error
    return _original_create_ou(self, **kwargs)


def update_organizational_unit(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    ou = self.get_organizational_unit_by_id(kwargs["OrganizationalUnitId"])
    if any(other is not ou and other.parent_id == ou.parent_id and other.name == kwargs["Name"] for other in self.ou):
        raise DuplicateOrganizationalUnitException
    ou.name = kwargs["Name"]
    return ou.describe()


def delete_organizational_unit(self: OrganizationsBackend, **kwargs: Any) -> None:
    ou = self.get_organizational_unit_by_id(kwargs["OrganizationalUnitId"])
    if any(account.parent_id == ou.id for account in self.accounts) or any(child.parent_id == ou.id for child in self.ou):
        raise RESTError(
            "OrganizationalUnitNotEmptyException",
            "The specified OU is not empty. Move all accounts to another root or OU, remove all child OUs, and try the operation again.",
        )
    self.ou.remove(ou)


_original_create_account = OrganizationsBackend.create_account


def create_account(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    status = _original_create_account(self, **kwargs)
    account_id = status["CreateAccountStatus"]["AccountId"]
    _attach_administrator_access(account_id, kwargs.get("RoleName") or ACCESS_ROLE_NAME)
    _account_changed(self, account_id, None, self.get_account_by_id(account_id).parent_id)
    return status


_original_remove_account = OrganizationsBackend.remove_account_from_organization


def remove_account_from_organization(self: OrganizationsBackend, **kwargs: str) -> None:
    account = self.get_account_by_id(kwargs["AccountId"])
    old_parent = account.parent_id
    _original_remove_account(self, **kwargs)
    _account_changed(self, kwargs["AccountId"], old_parent, None)


def _account_changed(backend: OrganizationsBackend, account_id: str, old_parent: str | None, new_parent: str | None) -> None:
    """StackSets' automatic deployments follow the account. They never fail the
    Organizations call (on AWS they run later, on their own): a failure shows in
    the stack set's operations, anything unexpected in the emulator log."""
    from . import cfn_stacksets

    try:
        cfn_stacksets.on_account_parent_changed(backend, account_id, old_parent, new_parent)
    except Exception:  # noqa: BLE001
        logger.exception("local AWS emulator: automatic deployment for account %s failed", account_id)


_original_disable_service_access = OrganizationsBackend.disable_aws_service_access


def disable_aws_service_access(self: OrganizationsBackend, **kwargs: str) -> None:
    _original_disable_service_access(self, **kwargs)
    if kwargs.get("ServicePrincipal") == STACKSETS_PRINCIPAL:
        self._local_aws_stacksets_access = False


@lru_cache(maxsize=1)
def _administrator_access_data() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)[ADMINISTRATOR_ACCESS]


def _attach_administrator_access(account_id: str, role_name: str) -> None:
    """AWS creates the access role with the AdministratorAccess managed policy attached."""
    from moto.iam.models import AWSManagedPolicy, iam_backends

    iam = iam_backends[account_id]["global"]
    arn = f"arn:aws:iam::aws:policy/{ADMINISTRATOR_ACCESS}"
    if arn not in iam.managed_policies:
        policy = AWSManagedPolicy.from_data(ADMINISTRATOR_ACCESS, account_id, "us-east-1", _administrator_access_data())
        iam.managed_policies[policy.arn] = policy
    try:
        iam.attach_role_policy(arn, role_name)
    except Exception:  # noqa: BLE001 - the role is moto's; without it there is nothing to attach to
        pass


# ---------------------------------------------------------------------------
# Who may call what (replaces OrganizationsResponse.organizations_backend)
# ---------------------------------------------------------------------------
def _organizations_backend(self: org_responses.OrganizationsResponse) -> OrganizationsBackend:
    own = organizations_backends[self.current_account][self.partition]
    if own.org is not None:
        return own
    management = management_backend_of(self.current_account)
    if management is None:
        return own  # not in an organization: moto's own answers (AWSOrganizationsNotInUseException, ...)
    action = self._get_action()
    if action in MEMBER_ACTIONS:
        return own  # moto answers these for members already (through master_accounts)
    if action in DELEGATED_ADMIN_READ_ACTIONS and is_delegated_admin(management, self.current_account):
        return management
    raise AccessDeniedException()


def apply() -> None:
    if STACKSETS_PRINCIPAL not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(STACKSETS_PRINCIPAL)
    OrganizationsBackend.move_account = move_account
    OrganizationsBackend.create_organizational_unit = create_organizational_unit
    OrganizationsBackend.update_organizational_unit = update_organizational_unit
    OrganizationsBackend.delete_organizational_unit = delete_organizational_unit
    OrganizationsBackend.create_account = create_account
    OrganizationsBackend.remove_account_from_organization = remove_account_from_organization
    OrganizationsBackend.disable_aws_service_access = disable_aws_service_access
    org_responses.OrganizationsResponse.organizations_backend = property(_organizations_backend)
