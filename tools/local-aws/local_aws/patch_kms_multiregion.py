"""Multi-Region KMS keys (moto 5.2.1, moto/kms/{models,responses,utils}.py).

Verified gaps in moto 5.2.1:
  * multi-Region key IDs were "mrk-" + a dashed UUID (40 characters). AWS
    key IDs of multi-Region keys are "mrk-" + 32 hex digits (API Reference,
    ReplicateKey: "mrk-1234abcd12ab34cd56ef1234567890ab"). moto's ciphertext
    header has room for 36 characters of key ID, so every ciphertext of a
    multi-Region key carried a truncated ID and Decrypt failed
    (AccessDeniedException), in the key's own Region too.
  * ReplicateKey made a shallow copy of the primary key: the replica shared
    the primary's MultiRegionConfiguration dict (DescribeKey of the replica
    then reported the *primary* as a REPLICA), its grants and aliases, took
    the primary's key policy, description and key state, ignored the Policy,
    Description and Tags parameters, and replicated single-Region keys,
    replicas, keys in any state, into the primary's own Region and twice
    into the same Region.
  * scheduling the deletion of a primary key that has replicas put it in
    PendingDeletion with a DeletionDate; AWS: PendingReplicaDeletion, with
    PendingDeletionWindowInDays and no DeletionDate, until the last replica
    is deleted (DescribeKey, KeyMetadata.PendingDeletionWindowInDays).
  * AWS::KMS::ReplicaKey did not exist (the strict resource types refused
    templates with it).

Shared properties (key ID, key material, key spec, key usage, origin,
automatic rotation) are copied once at replication, as moto does; later
changes to the primary are not synchronised.
"""

from __future__ import annotations

import json
import re
from copy import copy
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.utils import unix_time
from moto.kms import models as kms_models
from moto.kms import responses as kms_responses
from moto.kms.exceptions import NotFoundException
from moto.kms.models import Key, KmsBackend, kms_backends
from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition

from . import patch_kms
from .patch_kms import (
    KMSInvalidStateException,
    UnsupportedOperationException,
    ValidationException,
    _KmsError,
    _key,
    _kms_tags,
    _policy_json,
    require_usable,
)


class AlreadyExistsException(_KmsError):
    error_code = "AlreadyExistsException"


PENDING_REPLICA_DELETION = "PendingReplicaDeletion"

_KEY_ID = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$", re.IGNORECASE
)

_previous: dict[str, Any] = {}


# ---------------------------------------------------------------------------
# Key IDs
# ---------------------------------------------------------------------------
def generate_key_id(multi_region: bool = False) -> str:
    """Replaces moto.kms.models.generate_key_id (imported there by name)."""
    if multi_region:
        return "mrk-" + mock_random.uuid4().hex
    return str(mock_random.uuid4())


def validate_cmk_id(self: kms_responses.KmsResponse, key_id: str) -> None:
    """KmsResponse._validate_cmk_id, accepting AWS's multi-Region key IDs."""
    is_arn = key_id.startswith("arn:") and ":key/" in key_id
    if not is_arn and not _KEY_ID.match(key_id):
        raise NotFoundException(f"Invalid keyId {key_id}")
    if self.kms_backend.get_key_id(key_id) not in self.kms_backend.keys:
        raise NotFoundException(f"Key '{self._display_arn(key_id)}' does not exist")


# ---------------------------------------------------------------------------
# The set of related multi-Region keys ("family"), shared by reference
# ---------------------------------------------------------------------------
def family(key: Key) -> dict[str, Any] | None:
    return getattr(key, "mrk_family", None) if key.multi_region else None


def is_replica(key: Key) -> bool:
    fam = family(key)
    return fam is not None and fam["primary"]["Arn"] != key.arn


def _configuration(key: Key) -> dict[str, Any]:
    fam = family(key)
    assert fam is not None
    return {
        "MultiRegionKeyType": "REPLICA" if is_replica(key) else "PRIMARY",
        "PrimaryKey": dict(fam["primary"]),
        "ReplicaKeys": [dict(replica) for replica in fam["replicas"]],
    }


def _existing_replicas(key: Key) -> list[Key]:
    fam = family(key)
    if fam is None or is_replica(key):
        return []
    found = []
    for replica in fam["replicas"]:
        backend = kms_backends[key.account_id][replica["Region"]]
        if key.id in backend.keys:
            found.append(backend.keys[key.id])
    return found


def create_key(self: KmsBackend, policy, key_usage, key_spec, description, tags, multi_region=False, origin="AWS_KMS") -> Key:
    key = _previous["create_key"](self, policy, key_usage, key_spec, description, tags, multi_region, origin)
    if key.multi_region:
        key.mrk_family = {"primary": {"Arn": key.arn, "Region": key.region}, "replicas": []}
        key.multi_region_configuration = _configuration(key)
    return key


def key_to_dict(self: Key) -> dict[str, Any]:
    result = _previous["to_dict"](self)
    metadata = result["KeyMetadata"]
    if family(self) is not None:
        metadata["MultiRegionConfiguration"] = _configuration(self)
    if self.key_state == PENDING_REPLICA_DELETION:
        metadata.pop("DeletionDate", None)
        metadata["PendingDeletionWindowInDays"] = getattr(self, "pending_replica_deletion_days", 30)
    return result


# ---------------------------------------------------------------------------
# ReplicateKey
# ---------------------------------------------------------------------------
def replicate_key(self: KmsBackend, key_id: str, replica_region: str, policy: str | None = None, description: str | None = None, tags: list[dict[str, str]] | None = None) -> Key:
    """Replaces KmsBackend.replicate_key: an independent replica (own policy,
    description, tags, grants, aliases and key state) that shares the
    primary's key ID and key material."""
    primary = _key(self, key_id)
    fam = family(primary)
    if fam is None:
        raise UnsupportedOperationException(f"{primary.arn} is not a multi-Region key.")
    if is_replica(primary):
        raise UnsupportedOperationException(f"{primary.arn} is a multi-Region replica key; only a primary key can be replicated.")
    require_usable(primary)
    account = kms_backends[self.account_id]
    if replica_region not in account.regions:
        raise ValidationException(f"{replica_region} is not a valid Region for KMS.")
    if replica_region == self.region_name:
        raise ValidationException(f"The replica Region {replica_region} must differ from the primary key's Region.")
    target = account[replica_region]
    if primary.id in target.keys:
        raise AlreadyExistsException(f"{primary.arn} already has a replica in {replica_region}.")

    replica = copy(primary)  # shares the key material (and the family) by reference
    replica.region = replica_region
    replica.arn = f"arn:{get_partition(replica_region)}:kms:{replica_region}:{self.account_id}:key/{primary.id}"
    replica.policy = policy or replica.generate_default_policy()
    replica.description = description or ""
    replica.creation_date = unix_time()
    replica.grants = {}
    replica.aliases = {}
    replica.rotations = list(primary.rotations)
    replica.key_state = "Enabled"
    replica.enabled = True
    replica.deletion_date = None
    replica.pending_window_in_days = 30
    fam["replicas"].append({"Arn": replica.arn, "Region": replica_region})
    replica.multi_region_configuration = _configuration(replica)  # its own dict (moto's describe_key writes to it)
    target.keys[replica.id] = replica
    if tags:
        target.tag_resource(replica.id, tags)
    return replica


def replicate_key_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_cmk_id(key_id)
    replica_region = self._get_param("ReplicaRegion")
    if not replica_region:
        raise ValidationException("1 validation error detected: Value null at 'replicaRegion' failed to satisfy constraint: Member must not be null")
    replica = self.kms_backend.replicate_key(
        key_id, replica_region, policy=self._get_param("Policy"), description=self._get_param("Description"), tags=self._get_param("Tags")
    )
    target = kms_backends[self.current_account][replica_region]
    return json.dumps({
        "ReplicaKeyMetadata": replica.to_dict()["KeyMetadata"],
        "ReplicaPolicy": replica.policy,
        "ReplicaTags": target.list_resource_tags(replica.id)["Tags"],
    })


# ---------------------------------------------------------------------------
# Deleting a primary key that has replicas
# ---------------------------------------------------------------------------
def _hold_for_replicas(key: Key, days: int) -> None:
    """A scheduled primary key waits for its replicas: PendingReplicaDeletion."""
    if key.key_state == "PendingDeletion" and _existing_replicas(key):
        key.key_state = PENDING_REPLICA_DELETION
        key.pending_replica_deletion_days = days
        key.deletion_date = None


def _refuse_pending_replica_deletion(key: Key) -> None:
    if key.key_state == PENDING_REPLICA_DELETION:
        raise KMSInvalidStateException(f"{key.arn} is pending replica deletion.")


def schedule_key_deletion(self: KmsBackend, key_id: str, pending_window_in_days: int) -> float | None:
    key = _key(self, key_id)
    _refuse_pending_replica_deletion(key)
    deletion_date = _previous["schedule_key_deletion"](self, key_id, pending_window_in_days)
    _hold_for_replicas(key, int(pending_window_in_days))
    return None if key.key_state == PENDING_REPLICA_DELETION else deletion_date


def schedule_key_deletion_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    days = self._get_param("PendingWindowInDays")
    days = 30 if days is None else days
    self._validate_cmk_id(key_id)
    deletion_date = self.kms_backend.schedule_key_deletion(key_id, days)
    key = _key(self.kms_backend, key_id)
    answer: dict[str, Any] = {"KeyId": key.arn, "KeyState": key.key_state, "PendingWindowInDays": int(days)}
    if deletion_date is not None:
        answer["DeletionDate"] = deletion_date
    return json.dumps(answer)


def cancel_key_deletion(self: KmsBackend, key_id: str) -> None:
    key = _key(self, key_id)
    if key.key_state == PENDING_REPLICA_DELETION:
        key.key_state = "PendingDeletion"  # what the original expects; it then disables the key
    _previous["cancel_key_deletion"](self, key_id)


def enable_key(self: KmsBackend, key_id: str) -> None:
    _refuse_pending_replica_deletion(_key(self, key_id))
    _previous["enable_key"](self, key_id)


def disable_key(self: KmsBackend, key_id: str) -> None:
    _refuse_pending_replica_deletion(_key(self, key_id))
    _previous["disable_key"](self, key_id)


def delete_key_from_stack(self: Key, account_id: str, region_name: str) -> None:
    state_before = self.key_state
    _previous["delete"](self, account_id, region_name)
    if state_before != "PendingDeletion":
        _hold_for_replicas(self, getattr(self, "pending_window_in_days", 30))


# ---------------------------------------------------------------------------
# AWS::KMS::ReplicaKey
# ---------------------------------------------------------------------------
_ARN = re.compile(r"^arn:[^:]+:kms:([^:]+):(\d{12}):key/(.+)$")


class ReplicaKey(CloudFormationModel):
    """AWS::KMS::ReplicaKey -> ReplicateKey from the primary's Region into the
    stack's Region. The resource is the replica Key itself (Ref = key ID,
    GetAtt Arn/KeyId, deletion scheduled with PendingWindowInDays)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::KMS::ReplicaKey"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "KeyId")

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Key:
        properties = cloudformation_json.get("Properties", {})
        for required in ("PrimaryKeyArn", "KeyPolicy"):
            if properties.get(required) is None:
                raise ValidationException(f"Property {required} of AWS::KMS::ReplicaKey is required.")
        match = _ARN.match(str(properties["PrimaryKeyArn"]))
        if not match:
            raise ValidationException(f"PrimaryKeyArn {properties['PrimaryKeyArn']} is not a KMS key ARN.")
        primary_region, primary_account, key_id = match.groups()
        if primary_account != account_id:
            raise ValidationException("ReplicaKey: the primary key must be in the stack's account.")
        primary_backend = kms_backends[account_id][primary_region]
        if key_id not in primary_backend.keys:
            raise NotFoundException(f"Key '{properties['PrimaryKeyArn']}' does not exist")
        replica = primary_backend.replicate_key(
            key_id, region_name, policy=_policy_json(properties["KeyPolicy"]), description=properties.get("Description", ""), tags=_kms_tags(properties.get("Tags"))
        )
        _apply_mutable(kms_backends[account_id][region_name], replica, properties)
        return replica

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Key, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Key:
        properties = cloudformation_json.get("Properties", {})
        if str(properties.get("PrimaryKeyArn")) != _primary_arn(original_resource):
            replacement = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
            original_resource.delete(account_id, region_name)
            return replacement
        backend = kms_backends[account_id][region_name]
        if properties.get("KeyPolicy") is not None:
            original_resource.policy = _policy_json(properties["KeyPolicy"])
        original_resource.description = properties.get("Description", "")
        if properties.get("Tags"):
            backend.tag_resource(original_resource.id, _kms_tags(properties["Tags"]))
        _apply_mutable(backend, original_resource, properties)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> None:
        backend = kms_backends[account_id][region_name]
        if resource_name in backend.keys:
            backend.keys[resource_name].delete(account_id, region_name)


def _primary_arn(key: Key) -> str | None:
    fam = family(key)
    return fam["primary"]["Arn"] if fam else None


def _apply_mutable(backend: KmsBackend, replica: Key, properties: dict[str, Any]) -> None:
    days = int(properties.get("PendingWindowInDays", 30))
    if not 7 <= days <= 30:
        raise ValidationException(f"PendingWindowInDays must be between 7 and 30, got {days}")
    replica.pending_window_in_days = days
    enabled = patch_kms._flag(properties.get("Enabled"), True)
    if enabled and replica.key_state == "Disabled":
        backend.enable_key(replica.id)
    elif not enabled and replica.key_state == "Enabled":
        backend.disable_key(replica.id)


def apply() -> None:
    for name in ("create_key", "schedule_key_deletion", "cancel_key_deletion", "enable_key", "disable_key"):
        _previous[name] = getattr(KmsBackend, name)
    _previous["to_dict"] = Key.to_dict
    _previous["delete"] = Key.delete
    kms_models.generate_key_id = generate_key_id
    kms_responses.KmsResponse._validate_cmk_id = validate_cmk_id
    kms_responses.KmsResponse.replicate_key = replicate_key_response
    kms_responses.KmsResponse.schedule_key_deletion = schedule_key_deletion_response
    KmsBackend.create_key = create_key
    KmsBackend.replicate_key = replicate_key
    KmsBackend.schedule_key_deletion = schedule_key_deletion
    KmsBackend.cancel_key_deletion = cancel_key_deletion
    KmsBackend.enable_key = enable_key
    KmsBackend.disable_key = disable_key
    Key.to_dict = key_to_dict
    Key.delete = delete_key_from_stack
