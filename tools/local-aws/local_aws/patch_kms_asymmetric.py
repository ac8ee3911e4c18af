"""Data key pairs, key agreement and algorithm metadata (moto 5.2.1,
moto/kms/{models,responses}.py).

Verified gaps in moto 5.2.1:
  * GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext and
    DeriveSharedSecret did not exist (NotImplemented).
  * KEY_AGREEMENT keys were described (DescribeKey, GetPublicKey) with RSA
    EncryptionAlgorithms and ECDSA SigningAlgorithms and no
    KeyAgreementAlgorithms; HMAC keys with RSA EncryptionAlgorithms and no
    MacAlgorithms; absent lists were sent as null.
  * GetPublicKey answered KeyId = the key ID (AWS: the key ARN) and no
    KeySpec.

Implemented after the API Reference:
  * GenerateDataKeyPair(+WithoutPlaintext): KeyPairSpec RSA_2048/3072/4096,
    ECC_NIST_P256/P384/P521, ECC_SECG_P256K1, ECC_NIST_EDWARDS25519 (SM2:
    China Regions only -> UnsupportedOperationException). A fresh key pair
    per call; PublicKey is DER SubjectPublicKeyInfo, PrivateKeyPlaintext DER
    PKCS #8, PrivateKeyCiphertextBlob is that PKCS #8 encrypted under the KMS
    key with the encryption context, exactly like Encrypt (so Decrypt returns
    it). The KMS key must be a symmetric encryption key
    (InvalidKeyUsageException) in a usable state; DryRun ->
    DryRunOperationException after the checks.
  * DeriveSharedSecret: KEY_AGREEMENT keys (ECC_NIST_P256/P384/P521),
    KeyAgreementAlgorithm ECDH, the peer's DER SPKI public key on the same
    curve (ValidationException otherwise); returns the raw ECDH shared secret
    Z (the x-coordinate, field-size bytes: NIST SP 800-56A's ECC CDH
    primitive; the cofactor of these curves is 1), KeyAgreementAlgorithm and
    KeyOrigin. Other key usages -> InvalidKeyUsageException.
  * the Recipient parameter (Nitro attestation) is not emulated:
    UnsupportedOperationException.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from moto.kms import responses as kms_responses
from moto.kms.models import Key, KmsBackend

from . import patch_kms_material as material
from .patch_kms import (
    UnsupportedOperationException,
    ValidationException,
    _KmsError,
    _key,
    require_symmetric_encryption_key,
    require_usable,
    require_usage,
)


class DryRunOperationException(_KmsError):
    error_code = "DryRunOperationException"
    code = 412

    def __init__(self) -> None:
        super().__init__("The request would have succeeded, but the DryRun option is set.")


KEY_PAIR_SPECS = (
    "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519",
)
_CURVES = {"ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1, "ECC_SECG_P256K1": ec.SECP256K1}
KEY_AGREEMENT_SPECS = ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521")

_previous: dict[str, Any] = {}


# ---------------------------------------------------------------------------
# Algorithm lists (Key properties used by DescribeKey and GetPublicKey)
# ---------------------------------------------------------------------------
def encryption_algorithms(self: Key) -> list[str] | None:
    if self.key_usage != "ENCRYPT_DECRYPT":
        return None
    if self.key_spec == "SYMMETRIC_DEFAULT":
        return ["SYMMETRIC_DEFAULT"]
    if self.key_spec == "SM2":
        return ["SM2PKE"]
    return ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]


def signing_algorithms(self: Key) -> list[str] | None:
    return _previous["signing_algorithms"].fget(self) if self.key_usage == "SIGN_VERIFY" else None


def key_agreement_algorithms(key: Key) -> list[str] | None:
    return ["ECDH"] if key.key_usage == "KEY_AGREEMENT" else None


def mac_algorithms(key: Key) -> list[str] | None:
    if key.key_usage != "GENERATE_VERIFY_MAC" or not key.key_spec.startswith("HMAC_"):
        return None
    return [f"HMAC_SHA_{key.key_spec[5:]}"]


def key_to_dict(self: Key) -> dict[str, Any]:
    result = _previous["to_dict"](self)
    metadata = result["KeyMetadata"]
    metadata["KeyAgreementAlgorithms"] = key_agreement_algorithms(self)
    metadata["MacAlgorithms"] = mac_algorithms(self)
    result["KeyMetadata"] = {name: value for name, value in metadata.items() if value is not None}  # AWS omits absent fields
    return result


def key_material_id(key: Key) -> str | None:
    """The ID of the key material a symmetric encryption key encrypts with."""
    if material.is_external(key):
        current = material.current_material(key)
        return current.material_id if current else None
    return material.material_id_of(key.id, key.key_material) if key.key_material else None


def _refuse_recipient(recipient: Any) -> None:
    if recipient:
        raise UnsupportedOperationException("local AWS emulator: the Recipient parameter (Nitro Enclaves attestation) is not emulated.")


# ---------------------------------------------------------------------------
# GenerateDataKeyPair(+WithoutPlaintext)
# ---------------------------------------------------------------------------
def _new_key_pair(key_pair_spec: str):
    if key_pair_spec.startswith("RSA_"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(key_pair_spec[4:]))
    if key_pair_spec in _CURVES:
        return ec.generate_private_key(_CURVES[key_pair_spec]())
    return ed25519.Ed25519PrivateKey.generate()


def generate_data_key_pair(self: KmsBackend, key_id: str, key_pair_spec: str | None, encryption_context: dict[str, str], dry_run: bool = False, operation: str = "GenerateDataKeyPair") -> tuple[bytes, bytes, bytes, Key]:
    """(PKCS #8 private key, SPKI public key, encrypted private key, KMS key)."""
    if key_pair_spec not in KEY_PAIR_SPECS:
        raise ValidationException(
            f"1 validation error detected: Value '{key_pair_spec}' at 'keyPairSpec' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(KEY_PAIR_SPECS)}]"
        )
    if key_pair_spec == "SM2":
        raise UnsupportedOperationException("KeyPairSpec SM2 is available only in China Regions.")
    key = _key(self, key_id)
    require_usable(key)
    require_symmetric_encryption_key(key, operation)
    if dry_run:
        raise DryRunOperationException()
    private_key = _new_key_pair(key_pair_spec)
    pkcs8 = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    spki = private_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    ciphertext, _arn = self.encrypt(key.id, pkcs8, encryption_context or {})
    return pkcs8, spki, ciphertext, key


def _data_key_pair_response(self: kms_responses.KmsResponse, with_plaintext: bool) -> str:
    key_id = self._get_param("KeyId")
    self._validate_key_id(key_id)
    _refuse_recipient(self._get_param("Recipient"))
    spec = self._get_param("KeyPairSpec")
    pkcs8, spki, ciphertext, key = self.kms_backend.generate_data_key_pair(
        key_id, spec, self._get_param("EncryptionContext", {}), dry_run=bool(self._get_param("DryRun")),
        operation="GenerateDataKeyPair" if with_plaintext else "GenerateDataKeyPairWithoutPlaintext",
    )
    answer = {
        "KeyId": key.arn,
        "KeyPairSpec": spec,
        "PublicKey": base64.b64encode(spki).decode(),
        "PrivateKeyCiphertextBlob": base64.b64encode(ciphertext).decode(),
    }
    if with_plaintext:
        answer["PrivateKeyPlaintext"] = base64.b64encode(pkcs8).decode()
    material_id = key_material_id(key)
    if material_id:
        answer["KeyMaterialId"] = material_id
    return json.dumps(answer)


def generate_data_key_pair_response(self: kms_responses.KmsResponse) -> str:
    return _data_key_pair_response(self, with_plaintext=True)


def generate_data_key_pair_without_plaintext_response(self: kms_responses.KmsResponse) -> str:
    return _data_key_pair_response(self, with_plaintext=False)


# ---------------------------------------------------------------------------
# DeriveSharedSecret
# ---------------------------------------------------------------------------
def derive_shared_secret(self: KmsBackend, key_id: str, key_agreement_algorithm: str | None, public_key: bytes | None, dry_run: bool = False) -> tuple[Key, bytes]:
    if key_agreement_algorithm != "ECDH":
        raise ValidationException(
            f"1 validation error detected: Value '{key_agreement_algorithm}' at 'keyAgreementAlgorithm' failed to satisfy constraint: "
            "Member must satisfy enum value set: [ECDH]"
        )
    if not public_key:
        raise ValidationException("1 validation error detected: Value at 'publicKey' failed to satisfy constraint: Member must not be null")
    key = _key(self, key_id)
    require_usable(key)
    require_usage(key, "KEY_AGREEMENT", "DeriveSharedSecret")
    if key.key_spec not in KEY_AGREEMENT_SPECS:
        raise UnsupportedOperationException(f"local AWS emulator: DeriveSharedSecret with a {key.key_spec} key is not emulated.")
    own = key.private_key.private_key
    try:
        peer = serialization.load_der_public_key(public_key)
    except (ValueError, TypeError):
        raise ValidationException("PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo.") from None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != own.curve.name:
        raise ValidationException(f"PublicKey must be an elliptic curve public key on the curve of {key.arn} ({key.key_spec}).")
    if dry_run:
        raise DryRunOperationException()
    return key, own.exchange(ec.ECDH(), peer)


def derive_shared_secret_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_key_id(key_id)
    _refuse_recipient(self._get_param("Recipient"))
    encoded = self._get_param("PublicKey")
    try:
        public_key = base64.b64decode(encoded, validate=True) if encoded else None
    except ValueError:
        raise ValidationException("PublicKey is not valid base64.") from None
    key, secret = self.kms_backend.derive_shared_secret(
        key_id, self._get_param("KeyAgreementAlgorithm"), public_key, dry_run=bool(self._get_param("DryRun"))
    )
    return json.dumps({
        "KeyId": key.arn,
        "SharedSecret": base64.b64encode(secret).decode(),
        "KeyAgreementAlgorithm": "ECDH",
        "KeyOrigin": key.origin,
    })


# ---------------------------------------------------------------------------
# GetPublicKey
# ---------------------------------------------------------------------------
def get_public_key_response(self: kms_responses.KmsResponse) -> str:
    key_id = self._get_param("KeyId")
    self._validate_key_id(key_id)
    key, public_key = self.kms_backend.get_public_key(key_id)
    answer: dict[str, Any] = {
        "KeyId": key.arn,
        "PublicKey": base64.b64encode(public_key).decode(),
        "CustomerMasterKeySpec": key.key_spec,
        "KeySpec": key.key_spec,
        "KeyUsage": key.key_usage,
        "EncryptionAlgorithms": key.encryption_algorithms,
        "SigningAlgorithms": key.signing_algorithms,
        "KeyAgreementAlgorithms": key_agreement_algorithms(key),
    }
    return json.dumps({name: value for name, value in answer.items() if value is not None})


def apply() -> None:
    _previous["to_dict"] = Key.to_dict
    _previous["signing_algorithms"] = Key.__dict__["signing_algorithms"]
    Key.encryption_algorithms = property(encryption_algorithms)
    Key.signing_algorithms = property(signing_algorithms)
    Key.to_dict = key_to_dict
    KmsBackend.generate_data_key_pair = generate_data_key_pair
    KmsBackend.derive_shared_secret = derive_shared_secret
    R = kms_responses.KmsResponse
    R.generate_data_key_pair = generate_data_key_pair_response
    R.generate_data_key_pair_without_plaintext = generate_data_key_pair_without_plaintext_response
    R.derive_shared_secret = derive_shared_secret_response
    R.get_public_key = get_public_key_response
