"""Imported key material: KMS keys with Origin EXTERNAL (moto 5.2.1,
moto/kms/{models,responses,utils}.py).

Verified gaps in moto 5.2.1:
  * CreateKey (and AWS::KMS::Key) with Origin EXTERNAL made an ordinary
    Enabled key with key material moto generated, usable at once. AWS: no
    key material, key state PendingImport, cryptographic operations fail
    with KMSInvalidStateException until material is imported.
  * GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial
    did not exist (NotImplemented).
  * DescribeKey had no ExpirationModel, ValidTo or CurrentKeyMaterialId.

Implemented here, after the API Reference (GetParametersForImport,
ImportKeyMaterial, DeleteImportedKeyMaterial, RotateKeyOnDemand,
ListKeyRotations, KeyMetadata) and the developer guide's key state table:
  * GetParametersForImport: a fresh RSA wrapping key pair of WrappingKeySpec
    RSA_2048/3072/4096 per call, a random import token bound to that key
    pair and this KMS key, ParametersValidTo = now + 24 hours. Wrapping
    algorithms RSAES_OAEP_SHA_1/_256 (the material itself, RSA-OAEP with
    MGF1 of the same hash) and RSA_AES_KEY_WRAP_SHA_1/_256 (an AES key
    wrapped with RSA-OAEP, followed by the material wrapped under that AES
    key with AES key wrap with padding, RFC 5649). RSAES_PKCS1_V1_5 (not
    supported by KMS since 10 Oct 2023) and SM2 (China Regions only) are
    UnsupportedOperationException.
  * ImportKeyMaterial: the token must be one issued for this key
    (InvalidImportTokenException) and unexpired (ExpiredImportTokenException);
    each token imports once. Material that does not unwrap ->
    InvalidCiphertextException; material that does not fit the key spec
    (32 bytes for SYMMETRIC_DEFAULT, a byte range per HMAC spec, a PKCS #8
    private key of the key's type and size for RSA/ECC) or that differs from
    the key's material -> IncorrectKeyMaterialException. ExpirationModel
    (default KEY_MATERIAL_EXPIRES) with ValidTo (future, at most 365 days)
    -> ValidationException otherwise. The material becomes the key's real
    material (Encrypt/Decrypt/GenerateDataKey*, GenerateMac/VerifyMac,
    Sign/Verify/GetPublicKey, DeriveSharedSecret), and PendingImport ->
    Enabled.
  * symmetric keys: several key materials (ImportType NEW_KEY_MATERIAL ->
    PENDING_ROTATION; RotateKeyOnDemand makes it CURRENT; every associated
    material still decrypts what it encrypted), KeyMaterialId (derived from
    the key ID and the material), KeyMaterialDescription, ListKeyRotations
    with IncludeKeyMaterial. Not for multi-Region keys (refused, see README).
  * DeleteImportedKeyMaterial (optionally one KeyMaterialId): the material
    is gone, the key is PendingImport (unchanged when PendingDeletion).
  * expiry: when ValidTo passes, the material is deleted and the key is
    PendingImport (checked at every KMS request). Tests can move this clock
    (token validity too) with POST /moto-api/local-aws/kms-clock
    {"offset_seconds": N}; 0 restores real time.
  * CreateKey: Origin must be one of AWS's four values (ValidationException);
    AWS_CLOUDHSM and EXTERNAL_KEY_STORE need a custom key store, which is not
    emulated (UnsupportedOperationException; moto made an ordinary key).
  * key states: EnableKey/DisableKey of a PendingImport key ->
    KMSInvalidStateException; Enable/DisableKeyRotation of an EXTERNAL key
    -> UnsupportedOperationException; CancelKeyDeletion of a key without
    material -> PendingImport.
  * replicas of an EXTERNAL multi-Region primary have no key material
    (PendingImport); they accept only the primary's material.
Ciphertexts keep moto's format (key ID, IV, tag, AES-256-GCM); the
encryption context is moto's additional data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap_with_padding
from moto.core.utils import unix_time, utcnow
from moto.kms import responses as kms_responses
from moto.kms import utils as kms_utils
from moto.kms.exceptions import AccessDeniedException, NotFoundException
from moto.kms.models import Key, KmsBackend, kms_backends
from moto.moto_api._internal import urls as moto_api_urls

from . import patch_kms_multiregion as multiregion
from .patch_kms import (
    KMSInvalidStateException,
    UnsupportedOperationException,
    ValidationException,
    _KmsError,
    _key,
    require_usable,
    require_usage,
)


class InvalidCiphertextException(_KmsError):
    error_code = "InvalidCiphertextException"


class IncorrectKeyMaterialException(_KmsError):
    error_code = "IncorrectKeyMaterialException"


class InvalidImportTokenException(_KmsError):
    error_code = "InvalidImportTokenException"


class ExpiredImportTokenException(_KmsError):
    error_code = "ExpiredImportTokenException"


ORIGINS = ("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")
WRAPPING_KEY_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
WRAPPING_HASHES = {
    "RSAES_OAEP_SHA_1": hashes.SHA1,
    "RSAES_OAEP_SHA_256": hashes.SHA256,
    "RSA_AES_KEY_WRAP_SHA_1": hashes.SHA1,
    "RSA_AES_KEY_WRAP_SHA_256": hashes.SHA256,
}
PARAMETERS_VALIDITY = timedelta(hours=24)
MAX_VALID_TO = timedelta(days=365)
MAX_OUTSTANDING_TOKENS = 20
SYMMETRIC_MATERIAL_BYTES = 32
# Allowed lengths (bytes) of imported HMAC key material, per key spec.
HMAC_MATERIAL_BYTES = {"HMAC_224": (28, 64), "HMAC_256": (32, 64), "HMAC_384": (48, 128), "HMAC_512": (64, 128)}
ECC_CURVES = {"ECC_NIST_P256": "secp256r1", "ECC_NIST_P384": "secp384r1", "ECC_NIST_P521": "secp521r1", "ECC_SECG_P256K1": "secp256k1"}
ECDSA_ALGORITHMS = {"ECC_NIST_P256": ["ECDSA_SHA_256"], "ECC_SECG_P256K1": ["ECDSA_SHA_256"], "ECC_NIST_P384": ["ECDSA_SHA_384"], "ECC_NIST_P521": ["ECDSA_SHA_512"]}

EXPIRES, DOES_NOT_EXPIRE = "KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"
NEW, EXISTING = "NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"
CURRENT, NON_CURRENT, PENDING_ROTATION = "CURRENT", "NON_CURRENT", "PENDING_ROTATION"

_previous: dict[str, Any] = {}
_clock = {"offset": timedelta(0)}


def now() -> datetime:
    """KMS's clock for import tokens and key material expiry: moto's UTC
    clock, plus the offset a test set with POST /moto-api/local-aws/kms-clock."""
    return utcnow() + _clock["offset"]


def kms_clock_response(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """POST /moto-api/local-aws/kms-clock {"offset_seconds": N}: tests only;
    moves the clock above N seconds ahead of real time (0 restores it), so
    token validity (24 h) and ValidTo can be tested without waiting."""
    usage = (400, {}, json.dumps({"Error": 'POST a JSON body {"offset_seconds": N} (Content-Type: application/json)'}))
    if request.method != "POST":
        return usage
    try:
        offset = float(json.loads(request.get_data() or b"{}")["offset_seconds"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return usage
    _clock["offset"] = timedelta(seconds=offset)
    return 200, {}, json.dumps({"offset_seconds": offset})


@dataclass
class ImportParameters:
    private_key: rsa.RSAPrivateKey = field(repr=False)
    algorithm: str
    valid_to: datetime


@dataclass
class Material:
    """One key material associated with an EXTERNAL key. ``secret`` is None
    while it is not imported (deleted, expired, or a fresh replica)."""

    material_id: str
    fingerprint: bytes = field(repr=False)
    state: str
    secret: bytes | None = field(default=None, repr=False)
    expiration_model: str | None = None
    valid_to: datetime | None = None
    description: str | None = None
    rotation_date: float | None = None


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def is_external(key: Key) -> bool:
    return key.origin == "EXTERNAL"


def _is_symmetric(key: Key) -> bool:
    return key.key_spec == "SYMMETRIC_DEFAULT"


def _materials(key: Key) -> list[Material]:
    return getattr(key, "materials", [])


def current_material(key: Key) -> Material | None:
    return next((m for m in _materials(key) if m.state == CURRENT), None)


def _all_imported(key: Key) -> bool:
    materials = _materials(key)
    return bool(materials) and all(m.secret is not None for m in materials)


def material_id_of(key_id: str, secret: bytes) -> str:
    """Derived from the key ID and the material (as AWS describes it), so a
    replica and its primary compute the same ID; reveals nothing of it."""
    return hmac.new(secret, key_id.encode(), hashlib.sha256).hexdigest()


def _pending_deletion(key: Key) -> bool:
    return key.key_state in ("PendingDeletion", multiregion.PENDING_REPLICA_DELETION)


def _wrap_private_key(key_spec: str, pkcs8: bytes) -> kms_utils.AbstractPrivateKey:
    """moto's private-key wrapper (Sign/Verify/GetPublicKey) around an
    imported key, without generating a new one."""
    loaded = serialization.load_der_private_key(pkcs8, password=None)
    if key_spec.startswith("RSA_"):
        wrapper = object.__new__(kms_utils.RSAPrivateKey)
        wrapper.key_size = loaded.key_size
    else:
        wrapper = object.__new__(kms_utils.ECDSAPrivateKey)
        wrapper.valid_signing_algorithms = ECDSA_ALGORITHMS[key_spec]
    wrapper.private_key = loaded
    return wrapper


def _sync(key: Key) -> None:
    """Point moto's key attributes at the current imported material."""
    current = current_material(key)
    secret = current.secret if current else None
    if _is_symmetric(key) or key.key_spec.startswith("HMAC_"):
        key.key_material = secret
    else:
        key.private_key = _wrap_private_key(key.key_spec, secret) if secret else None


def _set_state(key: Key, state: str) -> None:
    key.key_state = state
    key.enabled = state == "Enabled"


def _refresh_state(key: Key) -> None:
    if _pending_deletion(key):
        return
    if not _all_imported(key):
        _set_state(key, "PendingImport")
    elif key.key_state == "PendingImport":
        _set_state(key, "Enabled")


def _utc(value: Any) -> datetime:
    """A JSON timestamp (epoch seconds, or ISO 8601) as moto's naive UTC."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc).replace(tzinfo=None)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


def _blob(value: str | None, name: str) -> bytes:
    if not value:
        raise ValidationException(f"1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must not be null")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationException(f"{name} is not valid base64") from None


# ---------------------------------------------------------------------------
# Expiry (lazily, whenever a KMS request reaches the backend)
# ---------------------------------------------------------------------------
def expire_due_material(backend: KmsBackend) -> None:
    current_time = now()
    for key in list(backend.keys.values()):
        if not is_external(key):
            continue
        expired = [m for m in _materials(key) if m.secret is not None and m.valid_to is not None and m.valid_to <= current_time]
        for material in expired:
            material.secret = None  # KMS deletes expired key material
        if expired:
            _sync(key)
            if not _pending_deletion(key):
                _set_state(key, "PendingImport")


def _kms_backend(self: kms_responses.KmsResponse) -> KmsBackend:
    backend = kms_backends[self.current_account][self.region]
    expire_due_material(backend)
    return backend


# ---------------------------------------------------------------------------
# Key creation, states, replication
# ---------------------------------------------------------------------------
def create_key(self: KmsBackend, policy, key_usage, key_spec, description, tags, multi_region=False, origin="AWS_KMS") -> Key:
    origin = origin or "AWS_KMS"
    if origin not in ORIGINS:
        raise ValidationException(
            f"1 validation error detected: Value '{origin}' at 'origin' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(ORIGINS)}]"
        )
    if origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"):
        raise UnsupportedOperationException(f"local AWS emulator: custom key stores (Origin {origin}) are not emulated.")
    key = _previous["create_key"](self, policy, key_usage, key_spec, description, tags, multi_region, origin)
    if is_external(key):
        key.materials = []
        key.import_parameters = {}
        _sync(key)  # no material: key_material / private_key = None
        _set_state(key, "PendingImport")
    return key


def enable_key(self: KmsBackend, key_id: str) -> None:
    key = _key(self, key_id)
    if key.key_state == "PendingImport":
        raise KMSInvalidStateException(f"{key.arn} is pending import.")
    _previous["enable_key"](self, key_id)


def disable_key(self: KmsBackend, key_id: str) -> None:
    key = _key(self, key_id)
    if key.key_state == "PendingImport":
        raise KMSInvalidStateException(f"{key.arn} is pending import.")
    _previous["disable_key"](self, key_id)


def cancel_key_deletion(self: KmsBackend, key_id: str) -> None:
    _previous["cancel_key_deletion"](self, key_id)
    key = _key(self, key_id)
    if is_external(key) and not _all_imported(key):
        _set_state(key, "PendingImport")


def _refuse_external_rotation(key: Key) -> None:
    if is_external(key):
        raise UnsupportedOperationException(f"{key.arn} origin is EXTERNAL which is not valid for this operation.")


def enable_key_rotation(self: KmsBackend, key_id: str, rotation_period_in_days: int | None = None) -> None:
    _refuse_external_rotation(_key(self, key_id))
    _previous["enable_key_rotation"](self, key_id, rotation_period_in_days)


def disable_key_rotation(self: KmsBackend, key_id: str) -> None:
    _refuse_external_rotation(_key(self, key_id))
    _previous["disable_key_rotation"](self, key_id)


def replicate_key(self: KmsBackend, key_id: str, replica_region: str, policy=None, description=None, tags=None) -> Key:
    replica = _previous["replicate_key"](self, key_id, replica_region, policy=policy, description=description, tags=tags)
    if is_external(replica):
        # AWS does not copy imported material: the replica waits for the same material.
        replica.materials = [
            replace(m, secret=None, expiration_model=None, valid_to=None, description=None) for m in _materials(_key(self, key_id))
        ]
        replica.import_parameters = {}
        _sync(replica)
        _set_state(replica, "PendingImport")
    return replica


# ---------------------------------------------------------------------------
# GetParametersForImport / ImportKeyMaterial / DeleteImportedKeyMaterial
# ---------------------------------------------------------------------------
def _require_external(key: Key) -> None:
    if not is_external(key):
        raise UnsupportedOperationException(f"{key.arn} origin is {key.origin} which is not valid for this operation.")


def get_parameters_for_import(self: KmsBackend, key_id: str, wrapping_algorithm: str | None, wrapping_key_spec: str | None) -> tuple[Key, bytes, bytes, datetime]:
    key = _key(self, key_id)
    _require_external(key)
    if _pending_deletion(key):
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    if wrapping_algorithm in ("RSAES_PKCS1_V1_5", "SM2PKE"):
        raise UnsupportedOperationException(
            f"WrappingAlgorithm {wrapping_algorithm} is not supported"
            + (" (KMS no longer supports it, since 10 October 2023)." if wrapping_algorithm == "RSAES_PKCS1_V1_5" else " outside China Regions.")
        )
    if wrapping_algorithm not in WRAPPING_HASHES:
        raise ValidationException(
            f"1 validation error detected: Value '{wrapping_algorithm}' at 'wrappingAlgorithm' failed to satisfy constraint: "
            "Member must satisfy enum value set: [RSAES_PKCS1_V1_5, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, SM2PKE]"
        )
    if wrapping_key_spec == "SM2":
        raise UnsupportedOperationException("WrappingKeySpec SM2 is supported only in China Regions.")
    if wrapping_key_spec not in WRAPPING_KEY_BITS:
        raise ValidationException(
            f"1 validation error detected: Value '{wrapping_key_spec}' at 'wrappingKeySpec' failed to satisfy constraint: "
            "Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, SM2]"
        )
    current_time = now()
    outstanding = {t: p for t, p in key.import_parameters.items() if p.valid_to > current_time}
    while len(outstanding) >= MAX_OUTSTANDING_TOKENS:
        outstanding.pop(next(iter(outstanding)))
    wrapping_key = rsa.generate_private_key(public_exponent=65537, key_size=WRAPPING_KEY_BITS[wrapping_key_spec])
    token = os.urandom(256)
    valid_to = current_time + PARAMETERS_VALIDITY
    outstanding[token] = ImportParameters(wrapping_key, wrapping_algorithm, valid_to)
    key.import_parameters = outstanding
    public_key = wrapping_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, public_key, token, valid_to


def _unwrap(parameters: ImportParameters, wrapped: bytes) -> bytes:
    digest = WRAPPING_HASHES[parameters.algorithm]
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=digest()), algorithm=digest(), label=None)
    try:
        if parameters.algorithm.startswith("RSAES_OAEP"):
            return parameters.private_key.decrypt(wrapped, oaep)
        split = parameters.private_key.key_size // 8
        aes_key = parameters.private_key.decrypt(wrapped[:split], oaep)
        if len(aes_key) not in (16, 24, 32):
            raise ValueError("not an AES key")
        return aes_key_unwrap_with_padding(aes_key, wrapped[split:])
    except (ValueError, InvalidUnwrap):
        raise InvalidCiphertextException(
            f"The wrapped key material could not be decrypted with the wrapping key and {parameters.algorithm}."
        ) from None


def _validated_material(key: Key, plaintext: bytes) -> bytes:
    """The material in canonical form, or IncorrectKeyMaterialException."""
    spec = key.key_spec
    if spec == "SYMMETRIC_DEFAULT":
        if len(plaintext) != SYMMETRIC_MATERIAL_BYTES:
            raise IncorrectKeyMaterialException(f"Key material for a {spec} key must be {SYMMETRIC_MATERIAL_BYTES} bytes (256 bits), got {len(plaintext)}.")
        return plaintext
    if spec in HMAC_MATERIAL_BYTES:
        low, high = HMAC_MATERIAL_BYTES[spec]
        if not low <= len(plaintext) <= high:
            raise IncorrectKeyMaterialException(f"Key material for a {spec} key must be {low} to {high} bytes, got {len(plaintext)}.")
        return plaintext
    if not (spec.startswith("RSA_") or spec in ECC_CURVES):
        raise UnsupportedOperationException(f"local AWS emulator: importing {spec} key material is not implemented.")
    try:
        loaded = serialization.load_der_private_key(plaintext, password=None)
    except (ValueError, TypeError):
        raise IncorrectKeyMaterialException(f"Key material for a {spec} key must be a DER-encoded PKCS #8 private key.") from None
    if spec.startswith("RSA_"):
        fits = isinstance(loaded, rsa.RSAPrivateKey) and loaded.key_size == int(spec[4:])
    else:
        fits = isinstance(loaded, ec.EllipticCurvePrivateKey) and loaded.curve.name == ECC_CURVES[spec]
    if not fits:
        raise IncorrectKeyMaterialException(f"The private key is not a {spec} key.")
    return loaded.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _validate_expiration(expiration_model: str | None, valid_to: datetime | None) -> str:
    model = expiration_model or EXPIRES
    if model not in (EXPIRES, DOES_NOT_EXPIRE):
        raise ValidationException(
            f"1 validation error detected: Value '{model}' at 'expirationModel' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{EXPIRES}, {DOES_NOT_EXPIRE}]"
        )
    if model == EXPIRES:
        if valid_to is None:
            raise ValidationException(f"ValidTo is required when ExpirationModel is {EXPIRES}.")
        current_time = now()
        if valid_to <= current_time:
            raise ValidationException("ValidTo must be in the future.")
        if valid_to > current_time + MAX_VALID_TO:
            raise ValidationException("ValidTo must be at most 365 days from now.")
    elif valid_to is not None:
        raise ValidationException(f"ValidTo is not valid when ExpirationModel is {DOES_NOT_EXPIRE}.")
    return model


def import_key_material(
    self: KmsBackend,
    key_id: str,
    import_token: bytes,
    encrypted_key_material: bytes,
    expiration_model: str | None = None,
    valid_to: datetime | None = None,
    import_type: str | None = None,
    key_material_description: str | None = None,
    key_material_id: str | None = None,
) -> Material:
    key = _key(self, key_id)
    _require_external(key)
    if _pending_deletion(key):
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    symmetric = _is_symmetric(key)
    if not symmetric and (import_type or key_material_description is not None or key_material_id):
        raise UnsupportedOperationException("ImportType, KeyMaterialDescription and KeyMaterialId are valid only for symmetric encryption keys.")
    if import_type not in (None, NEW, EXISTING):
        raise ValidationException(
            f"1 validation error detected: Value '{import_type}' at 'importType' failed to satisfy constraint: Member must satisfy enum value set: [{NEW}, {EXISTING}]"
        )
    if import_type == NEW and key_material_id:
        raise ValidationException("KeyMaterialId cannot be specified with ImportType NEW_KEY_MATERIAL.")
    model = _validate_expiration(expiration_model, valid_to)

    parameters = key.import_parameters.get(import_token)
    if parameters is None:
        raise InvalidImportTokenException("The import token is invalid or is associated with a different KMS key.")
    if parameters.valid_to <= now():
        del key.import_parameters[import_token]
        raise ExpiredImportTokenException("The import token has expired. Call GetParametersForImport for a new public key and import token.")
    secret = _validated_material(key, _unwrap(parameters, encrypted_key_material))
    fingerprint = hashlib.sha256(secret).digest()

    materials = _materials(key)
    match = next((m for m in materials if hmac.compare_digest(m.fingerprint, fingerprint)), None)
    effective = import_type or (EXISTING if materials else NEW)
    if effective == EXISTING:
        if match is None:
            raise IncorrectKeyMaterialException(
                "The key material is not the key material associated with this KMS key."
                if materials else "No key material was ever imported into this KMS key; import it with ImportType NEW_KEY_MATERIAL."
            )
        if key_material_id and key_material_id != match.material_id:
            raise IncorrectKeyMaterialException(f"The key material does not match KeyMaterialId {key_material_id}.")
        material = match
    else:
        if match is not None:
            raise IncorrectKeyMaterialException("This key material is already associated with the KMS key; use ImportType EXISTING_KEY_MATERIAL.")
        if materials:
            if multiregion.is_replica(key):
                raise UnsupportedOperationException(f"{key.arn} is a replica key: import new key material into the primary Region key.")
            if key.multi_region:
                raise UnsupportedOperationException("local AWS emulator: new key material for multi-Region keys is not implemented.")
            if any(m.state == PENDING_ROTATION for m in materials):
                raise UnsupportedOperationException(f"{key.arn} already has key material pending rotation.")
        material = Material(material_id_of(key.id, secret), fingerprint, PENDING_ROTATION if materials else CURRENT)
        materials.append(material)
        key.materials = materials

    del key.import_parameters[import_token]  # a token imports once
    material.secret = secret
    material.expiration_model = model
    material.valid_to = valid_to if model == EXPIRES else None
    if key_material_description is not None:
        material.description = key_material_description
    _sync(key)
    _refresh_state(key)
    return material


def delete_imported_key_material(self: KmsBackend, key_id: str, key_material_id: str | None = None) -> Material | None:
    key = _key(self, key_id)
    _require_external(key)
    if key_material_id and not _is_symmetric(key):
        raise UnsupportedOperationException("KeyMaterialId is valid only for symmetric encryption keys.")
    if key_material_id:
        material = next((m for m in _materials(key) if m.material_id == key_material_id), None)
        if material is None:
            raise NotFoundException(f"Key material {key_material_id} is not associated with {key.arn}.")
    else:
        material = current_material(key)
    if material is None:
        return None  # nothing imported yet: no effect
    if material.state == PENDING_ROTATION:
        key.materials = [m for m in _materials(key) if m is not material]  # not yet part of the key
    material.secret = None
    _sync(key)
    if not _pending_deletion(key):
        _set_state(key, "PendingImport")
    return material


# ---------------------------------------------------------------------------
# Decrypt with imported material; on-demand rotation; listing materials
# ---------------------------------------------------------------------------
def _ciphertext_key(backend: KmsBackend, ciphertext_blob: bytes) -> Key | None:
    try:
        key_id = kms_utils._deserialize_ciphertext_blob(ciphertext_blob).key_id
    except Exception:  # noqa: BLE001 - moto's decrypt reports malformed ciphertext
        return None
    return backend.keys.get(key_id)


def decrypt(self: KmsBackend, ciphertext_blob: bytes, encryption_context: dict[str, str], key_id: str | None = None):
    key = _ciphertext_key(self, ciphertext_blob)
    if key is None or not is_external(key):
        return _previous["decrypt"](self, ciphertext_blob, encryption_context, key_id)
    require_usable(key)  # PendingImport: no material to decrypt with
    require_usage(key, "ENCRYPT_DECRYPT", "Decrypt")
    if not _is_symmetric(key):
        return _previous["decrypt"](self, ciphertext_blob, encryption_context, key_id)
    if key_id is not None and self.any_id_to_key_id(key_id) != key.id:
        raise AccessDeniedException(
            "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access."
        )
    parsed = kms_utils._deserialize_ciphertext_blob(ciphertext_blob)
    aad = kms_utils._serialize_encryption_context(encryption_context=encryption_context)
    ordered = sorted(_materials(key), key=lambda m: m.state != CURRENT)
    for material in ordered:
        if material.secret is None:
            continue
        try:
            return AESGCM(material.secret).decrypt(parsed.iv, parsed.ciphertext + parsed.tag, aad), key.arn
        except InvalidTag:
            continue
    raise InvalidCiphertextException("The ciphertext, or its encryption context, is invalid for this KMS key.")


def rotate_key_on_demand(self: KmsBackend, key_id: str) -> str:
    key = _key(self, key_id)
    if not is_external(key):
        return _previous["rotate_key_on_demand"](self, key_id)
    if not _is_symmetric(key):
        raise UnsupportedOperationException(f"{key.arn} is not a symmetric encryption key; on-demand rotation is not supported.")
    require_usable(key)
    pending = next((m for m in _materials(key) if m.state == PENDING_ROTATION and m.secret is not None), None)
    if pending is None:
        raise UnsupportedOperationException(f"{key.arn} has no imported key material in state PENDING_ROTATION (import it with ImportType NEW_KEY_MATERIAL).")
    for material in _materials(key):
        if material.state == CURRENT:
            material.state = NON_CURRENT
    pending.state = CURRENT
    pending.rotation_date = unix_time()
    key.rotations.append({"KeyId": key.id, "KeyMaterialId": pending.material_id, "RotationDate": pending.rotation_date, "RotationType": "ON_DEMAND"})
    _sync(key)
    return key.id


def _rotation_entry(key: Key, material: Material) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "KeyId": key.id,
        "KeyMaterialId": material.material_id,
        "ImportState": "IMPORTED" if material.secret is not None else "PENDING_IMPORT",
        "KeyMaterialState": material.state,
        "ExpirationModel": material.expiration_model,
    }
    if material.description is not None:
        entry["KeyMaterialDescription"] = material.description
    if material.valid_to is not None:
        entry["ValidTo"] = unix_time(material.valid_to)
    if material.rotation_date is not None:
        entry.update(RotationDate=material.rotation_date, RotationType="ON_DEMAND")
    return entry


# ---------------------------------------------------------------------------
# DescribeKey
# ---------------------------------------------------------------------------
def key_to_dict(self: Key) -> dict[str, Any]:
    result = _previous["to_dict"](self)
    metadata = result["KeyMetadata"]
    if is_external(self):
        current = current_material(self)
        if current is not None:
            metadata["ExpirationModel"] = current.expiration_model
            if _is_symmetric(self):
                metadata["CurrentKeyMaterialId"] = current.material_id
        expiring = [m.valid_to for m in _materials(self) if m.valid_to is not None]
        if expiring:
            metadata["ValidTo"] = unix_time(min(expiring))
    elif _is_symmetric(self) and self.origin == "AWS_KMS" and self.key_material:
        metadata["CurrentKeyMaterialId"] = material_id_of(self.id, self.key_material)
    return result


# ---------------------------------------------------------------------------
# KmsResponse handlers
# ---------------------------------------------------------------------------
def get_parameters_for_import_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_cmk_id(key_id)
    key, public_key, token, valid_to = self.kms_backend.get_parameters_for_import(
        key_id, self._get_param("WrappingAlgorithm"), self._get_param("WrappingKeySpec")
    )
    return json.dumps({
        "KeyId": key.arn,
        "ImportToken": base64.b64encode(token).decode(),
        "PublicKey": base64.b64encode(public_key).decode(),
        "ParametersValidTo": unix_time(valid_to),
    })


def import_key_material_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_cmk_id(key_id)
    token = _blob(self._get_param("ImportToken"), "importToken")
    wrapped = _blob(self._get_param("EncryptedKeyMaterial"), "encryptedKeyMaterial")
    valid_to = self._get_param("ValidTo")
    material = self.kms_backend.import_key_material(
        key_id,
        token,
        wrapped,
        expiration_model=self._get_param("ExpirationModel"),
        valid_to=_utc(valid_to) if valid_to is not None else None,
        import_type=self._get_param("ImportType"),
        key_material_description=self._get_param("KeyMaterialDescription"),
        key_material_id=self._get_param("KeyMaterialId"),
    )
    key = _key(self.kms_backend, key_id)
    answer = {"KeyId": key.arn}
    if _is_symmetric(key):
        answer["KeyMaterialId"] = material.material_id
    return json.dumps(answer)


def delete_imported_key_material_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_cmk_id(key_id)
    material = self.kms_backend.delete_imported_key_material(key_id, self._get_param("KeyMaterialId"))
    key = _key(self.kms_backend, key_id)
    answer = {"KeyId": key.arn}
    if material is not None and _is_symmetric(key):
        answer["KeyMaterialId"] = material.material_id
    return json.dumps(answer)


def list_key_rotations_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_key_id(key_id)
    key = _key(self.kms_backend, key_id)
    include = self._get_param("IncludeKeyMaterial") or "ROTATIONS_ONLY"
    if include not in ("ALL_KEY_MATERIAL", "ROTATIONS_ONLY"):
        raise ValidationException(
            f"1 validation error detected: Value '{include}' at 'includeKeyMaterial' failed to satisfy constraint: "
            "Member must satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]"
        )
    if not is_external(key):
        return _previous["list_key_rotations_response"](self)
    if not _is_symmetric(key):
        raise UnsupportedOperationException(f"{key.arn} does not support key rotation.")
    materials = _materials(key)
    if include == "ROTATIONS_ONLY":
        materials = sorted((m for m in materials if m.rotation_date is not None), key=lambda m: m.rotation_date)
    return json.dumps({"Rotations": [_rotation_entry(key, m) for m in materials], "Truncated": False})


def apply() -> None:
    for name in (
        "create_key", "enable_key", "disable_key", "cancel_key_deletion", "enable_key_rotation",
        "disable_key_rotation", "replicate_key", "decrypt", "rotate_key_on_demand",
    ):
        _previous[name] = getattr(KmsBackend, name)
    _previous["to_dict"] = Key.to_dict
    _previous["list_key_rotations_response"] = kms_responses.KmsResponse.list_key_rotations
    KmsBackend.create_key = create_key
    KmsBackend.enable_key = enable_key
    KmsBackend.disable_key = disable_key
    KmsBackend.cancel_key_deletion = cancel_key_deletion
    KmsBackend.enable_key_rotation = enable_key_rotation
    KmsBackend.disable_key_rotation = disable_key_rotation
    KmsBackend.replicate_key = replicate_key
    KmsBackend.decrypt = decrypt
    KmsBackend.rotate_key_on_demand = rotate_key_on_demand
    KmsBackend.get_parameters_for_import = get_parameters_for_import
    KmsBackend.import_key_material = import_key_material
    KmsBackend.delete_imported_key_material = delete_imported_key_material
    Key.to_dict = key_to_dict
    R = kms_responses.KmsResponse
    R.kms_backend = property(_kms_backend)
    R.get_parameters_for_import = get_parameters_for_import_response
    R.import_key_material = import_key_material_response
    R.delete_imported_key_material = delete_imported_key_material_response
    R.list_key_rotations = list_key_rotations_response
    moto_api_urls.url_paths["{0}/moto-api/local-aws/kms-clock"] = kms_clock_response
