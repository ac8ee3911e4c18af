"""A managed policy deleted by CloudFormation is detached first (moto 5.2.1, moto/iam/models.py).

CloudFormation detaches an AWS::IAM::ManagedPolicy from its roles, users and groups before it
deletes it, so that the roles can be deleted after it. moto's ManagedPolicy has no CloudFormation
delete of its own: the generic path removes the policy but leaves it in each role's
`managed_policies`, and deleting the role then fails with DeleteConflict ("must detach all
policies first"), which left every stack with a customer managed policy DELETE_FAILED.

Here ManagedPolicy gets a `delete(account_id, region_name)` (ResourceMap._delete_resource calls
it when present) that detaches it everywhere and then deletes it.
"""

from __future__ import annotations

from moto.iam.models import ManagedPolicy


def _delete(self: ManagedPolicy, account_id: str, region_name: str) -> None:  # noqa: ARG001 - moto's signature
    backend = self.backend
    for holders in (backend.roles.values(), backend.users.values(), backend.groups.values()):
        for holder in holders:
            if self.arn in holder.managed_policies:
                self.detach_from(holder)
    if self.arn in backend.managed_policies:
        backend.delete_policy(self.arn)


def apply() -> None:
    ManagedPolicy.delete = _delete  # type: ignore[attr-defined]
