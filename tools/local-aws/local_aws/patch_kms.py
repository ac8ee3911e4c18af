"""KMS made strict enough for negative tests (moto 5.2.1, moto/kms/*.py).

Verified gaps in moto 5.2.1 (each one succeeded there):
  * key state not enforced: Encrypt/Decrypt/ReEncrypt/GenerateDataKey*/
    Sign/Verify/GenerateMac/VerifyMac/GetPublicKey on a Disabled key or one
    PendingDeletion. AWS: DisabledException / KMSInvalidStateException.
  * key usage not enforced: Encrypt with a SIGN_VERIFY key, GenerateDataKey
    with an asymmetric key. AWS: InvalidKeyUsageException.
  * CreateKey accepts impossible KeySpec/KeyUsage pairs, and leaves KeyUsage
    empty when it is omitted (AWS: ENCRYPT_DECRYPT).
  * ScheduleKeyDeletion with a window outside 7..30 "succeeds" with no
    DeletionDate; CancelKeyDeletion of a key that is not pending deletion
    and EnableKey of a key pending deletion succeed; Disable/EnableKey and
    (Cancel|Schedule)KeyDeletion with a key ARN fail with HTTP 500.
  * key rotation: allowed on asymmetric/HMAC keys; RotationPeriodInDays is
    ignored; GetKeyRotationStatus lacks RotationPeriodInDays/NextRotationDate.
  * AWS::KMS::Key from CloudFormation: always SYMMETRIC_DEFAULT/ENCRYPT_DECRYPT,
    ignores MultiRegion/PendingWindowInDays/RotationPeriodInDays, keeps the
    KeyPolicy as a dict (DescribeKey/GetKeyPolicy then answer HTTP 500),
    cannot be updated, and stack deletion erases the key outright (AWS
    schedules its deletion).
Decrypt with a wrong encryption context already fails in moto with
InvalidCiphertextException; that is left as is.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time, utcnow
from moto.kms import models as kms_models
from moto.kms import responses as kms_responses
from moto.kms.models import Key, KmsBackend, kms_backends

DEFAULT_ROTATION_PERIOD_DAYS = 365


# ---------------------------------------------------------------------------
# Exceptions (KMS error codes)
# ---------------------------------------------------------------------------
class _KmsError(JsonRESTError):
    code = 400
    error_code = "KMSInternalException"

    def __init__(self, message: str):
        super().__init__(self.error_code, message)


class DisabledException(_KmsError):
    error_code = "DisabledException"


class KMSInvalidStateException(_KmsError):
    error_code = "KMSInvalidStateException"


class InvalidKeyUsageException(_KmsError):
    error_code = "InvalidKeyUsageException"


class UnsupportedOperationException(_KmsError):
    error_code = "UnsupportedOperationException"


class ValidationException(_KmsError):
    error_code = "ValidationException"


# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------
# KeySpec family -> KeyUsage values AWS accepts for it.
_USAGES_BY_SPEC_PREFIX = {
    "SYMMETRIC_DEFAULT": {"ENCRYPT_DECRYPT"},
    "RSA_": {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
    "ECC_SECG_P256K1": {"SIGN_VERIFY"},  # before "ECC_": the first matching prefix wins
    "ECC_": {"SIGN_VERIFY", "KEY_AGREEMENT"},
    "HMAC_": {"GENERATE_VERIFY_MAC"},
    "SM2": {"ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"},
}


def check_spec_and_usage(key_spec: str, key_usage: str) -> None:
    for prefix, usages in _USAGES_BY_SPEC_PREFIX.items():
        if key_spec.startswith(prefix):
            if key_usage not in usages:
                raise ValidationException(
                    f"KeyUsage {key_usage} is not compatible with KeySpec {key_spec}; "
                    f"valid values are {', '.join(sorted(usages))}"
                )
            return


def require_usable(key: Key) -> None:
    """Cryptographic operations need an Enabled key."""
    if key.key_state == "Disabled":
        raise DisabledException(f"{key.arn} is disabled.")
    if key.key_state == "PendingDeletion":
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    if key.key_state == "PendingImport":
        raise KMSInvalidStateException(f"{key.arn} is pending import.")
    if key.key_state != "Enabled":
        raise KMSInvalidStateException(f"{key.arn} is {key.key_state}.")


def require_usage(key: Key, usage: str, operation: str) -> None:
    if key.key_usage != usage:
        raise InvalidKeyUsageException(
            f"{key.arn} key usage is {key.key_usage} which is not valid for {operation}."
        )


def require_symmetric_encryption_key(key: Key, operation: str) -> None:
    if key.key_spec != "SYMMETRIC_DEFAULT" or key.key_usage != "ENCRYPT_DECRYPT":
        raise InvalidKeyUsageException(
            f"{key.arn} is a {key.key_spec} {key.key_usage} key; {operation} requires a symmetric encryption KMS key."
        )


def require_not_pending_deletion(key: Key) -> None:
    if key.key_state == "PendingDeletion":
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")


def _key(backend: KmsBackend, key_id: str) -> Key:
    return backend.keys[backend.any_id_to_key_id(key_id)]


# ---------------------------------------------------------------------------
# KmsBackend method replacements (originals kept and called)
# ---------------------------------------------------------------------------
_original = {
    name: getattr(KmsBackend, name)
    for name in (
        "create_key",
        "encrypt",
        "decrypt",
        "generate_data_key",
        "sign",
        "verify",
        "generate_mac",
        "get_public_key",
        "disable_key",
        "enable_key",
        "cancel_key_deletion",
        "schedule_key_deletion",
        "enable_key_rotation",
        "disable_key_rotation",
        "_generate_default_keys",
    )
}


def create_key(self: KmsBackend, policy, key_usage, key_spec, description, tags, multi_region=False, origin="AWS_KMS") -> Key:
    key_usage = key_usage or "ENCRYPT_DECRYPT"
    key_spec = key_spec or "SYMMETRIC_DEFAULT"
    check_spec_and_usage(key_spec, key_usage)
    key = _original["create_key"](self, policy, key_usage, key_spec, description, tags, multi_region, origin)
    key.rotation_period_in_days = None
    key.next_rotation_date = None
    key.pending_window_in_days = 30
    return key


def encrypt(self: KmsBackend, key_id: str, plaintext: bytes, encryption_context: dict[str, str]):
    key = _key(self, key_id)
    require_usable(key)
    require_usage(key, "ENCRYPT_DECRYPT", "Encrypt")
    return _original["encrypt"](self, key_id, plaintext, encryption_context)


def decrypt(self: KmsBackend, ciphertext_blob: bytes, encryption_context: dict[str, str], key_id: str | None = None):
    # moto finds the key in the ciphertext and checks the encryption context
    # (InvalidCiphertextException); the state of that key is checked here,
    # before any plaintext leaves.
    plaintext, arn = _original["decrypt"](self, ciphertext_blob, encryption_context, key_id)
    key = _key(self, arn)
    require_usable(key)
    require_usage(key, "ENCRYPT_DECRYPT", "Decrypt")
    return plaintext, arn


def generate_data_key(self: KmsBackend, key_id: str, encryption_context: dict[str, str], number_of_bytes: int, key_spec: str):
    key = _key(self, key_id)
    require_usable(key)
    require_symmetric_encryption_key(key, "GenerateDataKey")
    return _original["generate_data_key"](self, key_id, encryption_context, number_of_bytes, key_spec)


def sign(self: KmsBackend, key_id: str, message: bytes, signing_algorithm: str):
    key = _key(self, key_id)
    require_usable(key)
    require_usage(key, "SIGN_VERIFY", "Sign")
    return _original["sign"](self, key_id, message, signing_algorithm)


def verify(self: KmsBackend, key_id: str, message: bytes, signature: bytes, signing_algorithm: str):
    key = _key(self, key_id)
    require_usable(key)
    require_usage(key, "SIGN_VERIFY", "Verify")
    return _original["verify"](self, key_id, message, signature, signing_algorithm)


def generate_mac(self: KmsBackend, message: bytes, key_id: str, mac_algorithm: str, grant_tokens: list[str], dry_run: bool):
    key = _key(self, key_id)  # VerifyMac goes through here too
    require_usable(key)
    require_usage(key, "GENERATE_VERIFY_MAC", "GenerateMac/VerifyMac")
    return _original["generate_mac"](self, message, key_id, mac_algorithm, grant_tokens, dry_run)


def get_public_key(self: KmsBackend, key_id: str):
    key = _key(self, key_id)
    require_usable(key)
    if key.key_spec == "SYMMETRIC_DEFAULT" or key.key_spec.startswith("HMAC_"):
        raise UnsupportedOperationException(f"{key.arn} key usage is not supported for GetPublicKey: the key is not asymmetric.")
    return _original["get_public_key"](self, key_id)


def disable_key(self: KmsBackend, key_id: str) -> None:
    key = _key(self, key_id)
    require_not_pending_deletion(key)
    _original["disable_key"](self, key.id)


def enable_key(self: KmsBackend, key_id: str) -> None:
    key = _key(self, key_id)
    require_not_pending_deletion(key)
    _original["enable_key"](self, key.id)


def cancel_key_deletion(self: KmsBackend, key_id: str) -> None:
    key = _key(self, key_id)
    if key.key_state != "PendingDeletion":
        raise KMSInvalidStateException(f"{key.arn} is not pending deletion.")
    _original["cancel_key_deletion"](self, key.id)


def schedule_key_deletion(self: KmsBackend, key_id: str, pending_window_in_days: int) -> float:
    key = _key(self, key_id)
    days = int(pending_window_in_days)
    if not 7 <= days <= 30:
        raise ValidationException(
            f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy "
            "constraint: Member must have value between 7 and 30"
        )
    require_not_pending_deletion(key)
    return _original["schedule_key_deletion"](self, key.id, days)


def _require_rotatable(key: Key) -> None:
    if key.key_spec != "SYMMETRIC_DEFAULT":
        raise UnsupportedOperationException(f"{key.arn} key spec {key.key_spec} does not support automatic key rotation.")
    if key.origin != "AWS_KMS":
        raise UnsupportedOperationException(f"{key.arn} origin {key.origin} does not support automatic key rotation.")


def enable_key_rotation(self: KmsBackend, key_id: str, rotation_period_in_days: int | None = None) -> None:
    key = _key(self, key_id)
    require_usable(key)
    _require_rotatable(key)
    period = int(rotation_period_in_days or DEFAULT_ROTATION_PERIOD_DAYS)
    if not 90 <= period <= 2560:
        raise ValidationException(
            f"1 validation error detected: Value '{period}' at 'rotationPeriodInDays' failed to satisfy "
            "constraint: Member must have value between 90 and 2560"
        )
    _original["enable_key_rotation"](self, key.id)
    key.rotation_period_in_days = period
    key.next_rotation_date = utcnow() + timedelta(days=period)


def disable_key_rotation(self: KmsBackend, key_id: str) -> None:
    key = _key(self, key_id)
    require_usable(key)
    _require_rotatable(key)
    _original["disable_key_rotation"](self, key.id)
    key.rotation_period_in_days = None
    key.next_rotation_date = None


def rotation_status(self: KmsBackend, key_id: str) -> dict[str, Any]:
    key = _key(self, key_id)
    _require_rotatable(key)
    status: dict[str, Any] = {"KeyId": key.arn, "KeyRotationEnabled": bool(key.key_rotation_status)}
    if key.key_rotation_status:
        status["RotationPeriodInDays"] = getattr(key, "rotation_period_in_days", None) or DEFAULT_ROTATION_PERIOD_DAYS
        next_rotation = getattr(key, "next_rotation_date", None)
        if next_rotation is not None:
            status["NextRotationDate"] = unix_time(next_rotation)
    return status


def _generate_default_keys(self: KmsBackend, alias_name: str) -> str | None:
    """AWS managed keys (alias/aws/...) are KeyManager AWS, rotated yearly."""
    key_id = _original["_generate_default_keys"](self, alias_name)
    if key_id is not None:
        key = self.keys[key_id]
        key.key_manager = "AWS"
        key.key_rotation_status = True
        key.rotation_period_in_days = DEFAULT_ROTATION_PERIOD_DAYS
    return key_id


# ---------------------------------------------------------------------------
# KmsResponse replacements (for parameters moto does not read)
# ---------------------------------------------------------------------------
def enable_key_rotation_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_cmk_id(key_id)
    self.kms_backend.enable_key_rotation(key_id, self._get_param("RotationPeriodInDays"))
    return json.dumps(None)


def get_key_rotation_status_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_cmk_id(key_id)
    return json.dumps(rotation_status(self.kms_backend, key_id))


# ---------------------------------------------------------------------------
# AWS::KMS::Key (Key.create_from_cloudformation_json & co)
# ---------------------------------------------------------------------------
def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    return str(value).lower() == "true"


def _policy_json(policy: Any) -> str | None:
    """CloudFormation hands over KeyPolicy as an object; KMS stores JSON."""
    if policy is None or isinstance(policy, str):
        return policy
    return json.dumps(policy)


def _kms_tags(tags: list[dict[str, str]] | None) -> list[dict[str, str]]:
    return [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in (tags or [])]


_IMMUTABLE_KEY_PROPERTIES = ("KeySpec", "KeyUsage", "MultiRegion", "Origin")


def create_key_from_cloudformation(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Key:
    properties = cloudformation_json.get("Properties", {})
    backend = kms_backends[account_id][region_name]
    key = backend.create_key(
        policy=_policy_json(properties.get("KeyPolicy")),
        key_usage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
        key_spec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
        description=properties.get("Description", ""),
        tags=_kms_tags(properties.get("Tags")),
        multi_region=_flag(properties.get("MultiRegion"), False),
        origin=properties.get("Origin", "AWS_KMS"),
    )
    _apply_mutable_key_properties(backend, key, properties)
    return key


def _apply_mutable_key_properties(backend: KmsBackend, key: Key, properties: dict[str, Any]) -> None:
    key.description = properties.get("Description", "")
    if properties.get("KeyPolicy") is not None:
        key.policy = _policy_json(properties["KeyPolicy"])
    key.pending_window_in_days = int(properties.get("PendingWindowInDays", 30))
    if not 7 <= key.pending_window_in_days <= 30:
        raise ValidationException(f"PendingWindowInDays must be between 7 and 30, got {key.pending_window_in_days}")
    enabled = _flag(properties.get("Enabled"), True)
    if enabled and key.key_state == "Disabled":
        backend.enable_key(key.id)
    if _flag(properties.get("EnableKeyRotation"), False):
        backend.enable_key_rotation(key.id, properties.get("RotationPeriodInDays"))
    elif key.key_rotation_status:
        backend.disable_key_rotation(key.id)
    if not enabled and key.key_state == "Enabled":
        backend.disable_key(key.id)  # last: rotation settings need an enabled key
    if properties.get("Tags"):
        backend.tag_resource(key.id, _kms_tags(properties["Tags"]))


def update_key_from_cloudformation(cls, original_resource: Key, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Key:
    properties = cloudformation_json.get("Properties", {})
    backend = kms_backends[account_id][region_name]
    current = {
        "KeySpec": original_resource.key_spec,
        "KeyUsage": original_resource.key_usage,
        "MultiRegion": bool(original_resource.multi_region),
        "Origin": original_resource.origin,
    }
    wanted = {
        "KeySpec": properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
        "KeyUsage": properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
        "MultiRegion": _flag(properties.get("MultiRegion"), False),
        "Origin": properties.get("Origin", "AWS_KMS"),
    }
    if current != wanted:  # replacement, like CloudFormation
        replacement = create_key_from_cloudformation(cls, new_resource_name, cloudformation_json, account_id, region_name)
        delete_key_from_stack(original_resource, account_id, region_name)
        return replacement
    if original_resource.key_state == "Disabled" and _flag(properties.get("Enabled"), True):
        backend.enable_key(original_resource.id)
    _apply_mutable_key_properties(backend, original_resource, properties)
    return original_resource


def delete_key_from_stack(self: Key, account_id: str, region_name: str) -> None:
    """Replaces Key.delete: CloudFormation schedules the deletion, with the
    key's PendingWindowInDays (default 30), instead of erasing the key."""
    backend = kms_backends[account_id][region_name]
    if self.id in backend.keys and self.key_state != "PendingDeletion":
        _original["schedule_key_deletion"](backend, self.id, getattr(self, "pending_window_in_days", 30))


def key_get_cfn_attribute(self: Key, attribute_name: str) -> str:
    if attribute_name == "Arn":
        return self.arn
    if attribute_name == "KeyId":
        return self.id
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    raise UnformattedGetAttTemplateException()


def apply() -> None:
    KmsBackend.create_key = create_key
    KmsBackend.encrypt = encrypt
    KmsBackend.decrypt = decrypt
    KmsBackend.generate_data_key = generate_data_key
    KmsBackend.sign = sign
    KmsBackend.verify = verify
    KmsBackend.generate_mac = generate_mac
    KmsBackend.get_public_key = get_public_key
    KmsBackend.disable_key = disable_key
    KmsBackend.enable_key = enable_key
    KmsBackend.cancel_key_deletion = cancel_key_deletion
    KmsBackend.schedule_key_deletion = schedule_key_deletion
    KmsBackend.enable_key_rotation = enable_key_rotation
    KmsBackend.disable_key_rotation = disable_key_rotation
    KmsBackend._generate_default_keys = _generate_default_keys
    kms_responses.KmsResponse.enable_key_rotation = enable_key_rotation_response
    kms_responses.KmsResponse.get_key_rotation_status = get_key_rotation_status_response
    Key.create_from_cloudformation_json = classmethod(create_key_from_cloudformation)
    Key.update_from_cloudformation_json = classmethod(update_key_from_cloudformation)
    Key.delete = delete_key_from_stack
    Key.has_cfn_attr = classmethod(lambda cls, attr: attr in ("Arn", "KeyId"))
    Key.get_cfn_attribute = key_get_cfn_attribute
    assert kms_models.Key is Key
