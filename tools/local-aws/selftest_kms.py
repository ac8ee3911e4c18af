"""KMS regression tests for patch_kms_multiregion.py, patch_kms_material.py
and patch_kms_asymmetric.py; loaded by selftest.py (run that, under the
launcher). Each test checks the result with an independent local
implementation (the `cryptography` package), so a faked behaviour fails.
Key material, private keys and shared secrets are compared, never printed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import unittest
import urllib.request
import uuid

import boto3
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

PRIMARY_REGION = "us-east-1"
REPLICA_REGION = "eu-west-1"


def client(service: str, region: str = PRIMARY_REGION):
    return boto3.client(service, region_name=region)


def error_code(call) -> str:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return "no error"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create_stack(template: dict, region: str = PRIMARY_REGION) -> dict:
    cfn = client("cloudformation", region)
    name = unique("selftest")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def kms_clock(offset_seconds: float) -> None:
    """Move the emulator's KMS clock (import tokens, ValidTo) ahead; 0 restores it."""
    request = urllib.request.Request(
        os.environ["AWS_ENDPOINT_URL"].rstrip("/") + "/moto-api/local-aws/kms-clock",
        data=json.dumps({"offset_seconds": offset_seconds}).encode(), method="POST", headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).read()


# --- local crypto, independent of the emulator ------------------------------
def der_public(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def der_private(key) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def wrap_for_import(wrapping_public_key: bytes, material: bytes, algorithm: str) -> bytes:
    """What a customer does with GetParametersForImport's PublicKey."""
    public = serialization.load_der_public_key(wrapping_public_key)
    digest = hashes.SHA256 if algorithm.endswith("SHA_256") else hashes.SHA1
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=digest()), algorithm=digest(), label=None)
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, oaep)
    aes_key = os.urandom(32)  # RSA_AES_KEY_WRAP: RSA-OAEP(AES key) || AES-KWP(AES key, material)
    return public.encrypt(aes_key, oaep) + aes_key_wrap_with_padding(aes_key, material)


def import_material(kms, key_id: str, material: bytes, algorithm: str = "RSAES_OAEP_SHA_256", **kwargs) -> dict:
    parameters = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_2048")
    if "ValidTo" not in kwargs:
        kwargs.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    return kms.import_key_material(
        KeyId=key_id, ImportToken=parameters["ImportToken"], EncryptedKeyMaterial=wrap_for_import(parameters["PublicKey"], material, algorithm), **kwargs
    )


# moto's symmetric ciphertext format, reimplemented: 36-byte key ID | 12-byte IV | 16-byte GCM tag |
# AES-256-GCM ciphertext, with the encryption context's keys and values (in key order) as additional data.
def _context_aad(context: dict | None) -> bytes:
    return b"".join(k.encode() + v.encode() for k, v in sorted((context or {}).items()))


def local_decrypt(blob: bytes, material: bytes, context: dict | None = None) -> bytes:
    return AESGCM(material).decrypt(blob[36:48], blob[64:] + blob[48:64], _context_aad(context))


def local_encrypt(key_id: str, material: bytes, plaintext: bytes, context: dict | None = None) -> bytes:
    iv = os.urandom(12)
    sealed = AESGCM(material).encrypt(iv, plaintext, _context_aad(context))
    return key_id.encode().ljust(36, b"\0") + iv + sealed[-16:] + sealed[:-16]


class KmsTestCase(unittest.TestCase):
    def assertSecretEqual(self, first: bytes, second: bytes, what: str) -> None:  # noqa: N802 - unittest style
        """Compare key material without ever printing it."""
        self.assertTrue(hmac.compare_digest(first, second), f"{what} differs (values not shown)")


class KmsMultiRegionTests(KmsTestCase):
    def test_replica_decrypts_the_primarys_ciphertext_and_is_independent(self):
        primary_kms, replica_kms = client("kms"), client("kms", REPLICA_REGION)
        primary = primary_kms.create_key(MultiRegion=True, Description="primary")["KeyMetadata"]
        self.assertRegex(primary["KeyId"], r"^mrk-[0-9a-f]{32}$")  # AWS's format; moto's 40 characters broke Decrypt
        blob = primary_kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"across regions", EncryptionContext={"k": "v"})["CiphertextBlob"]
        self.assertEqual(primary_kms.decrypt(CiphertextBlob=blob, EncryptionContext={"k": "v"})["Plaintext"], b"across regions")

        policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "replica-only", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]})
        answer = primary_kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion=REPLICA_REGION, Policy=policy, Description="replica", Tags=[{"TagKey": "t", "TagValue": "1"}])
        replica = answer["ReplicaKeyMetadata"]
        self.assertEqual((replica["KeyId"], replica["Description"], replica["KeyState"]), (primary["KeyId"], "replica", "Enabled"))
        self.assertEqual(replica["Arn"], primary["Arn"].replace(PRIMARY_REGION, REPLICA_REGION))
        self.assertEqual(answer["ReplicaTags"], [{"TagKey": "t", "TagValue": "1"}])
        self.assertIn("replica-only", replica_kms.get_key_policy(KeyId=replica["KeyId"], PolicyName="default")["Policy"])
        self.assertNotIn("replica-only", primary_kms.get_key_policy(KeyId=primary["KeyId"], PolicyName="default")["Policy"])

        # the replica decrypts the primary's ciphertext and vice versa (shared key material)
        self.assertEqual(replica_kms.decrypt(CiphertextBlob=blob, EncryptionContext={"k": "v"})["Plaintext"], b"across regions")
        back = replica_kms.encrypt(KeyId=replica["KeyId"], Plaintext=b"and back")["CiphertextBlob"]
        self.assertEqual(primary_kms.decrypt(CiphertextBlob=back)["Plaintext"], b"and back")

        # describing the replica does not turn the primary into a replica; key states are independent
        self.assertEqual(replica_kms.describe_key(KeyId=replica["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"], "REPLICA")
        configuration = primary_kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
        self.assertEqual(configuration["MultiRegionKeyType"], "PRIMARY")
        self.assertEqual([r["Region"] for r in configuration["ReplicaKeys"]], [REPLICA_REGION])
        replica_kms.disable_key(KeyId=replica["KeyId"])
        self.assertEqual(primary_kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"], "Enabled")

        self.assertEqual(error_code(lambda: primary_kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion=REPLICA_REGION)), "AlreadyExistsException")
        self.assertEqual(error_code(lambda: primary_kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion=PRIMARY_REGION)), "ValidationException")
        single = primary_kms.create_key()["KeyMetadata"]["KeyId"]
        self.assertEqual(error_code(lambda: primary_kms.replicate_key(KeyId=single, ReplicaRegion=REPLICA_REGION)), "UnsupportedOperationException")

        # a primary with replicas waits for them: PendingReplicaDeletion, no DeletionDate
        scheduled = primary_kms.schedule_key_deletion(KeyId=primary["KeyId"], PendingWindowInDays=7)
        self.assertEqual((scheduled["KeyState"], scheduled["PendingWindowInDays"], "DeletionDate" in scheduled), ("PendingReplicaDeletion", 7, False))
        described = primary_kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
        self.assertEqual((described["KeyState"], described["PendingDeletionWindowInDays"]), ("PendingReplicaDeletion", 7))
        self.assertEqual(error_code(lambda: primary_kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"x")), "KMSInvalidStateException")
        primary_kms.cancel_key_deletion(KeyId=primary["KeyId"])
        self.assertEqual(primary_kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"], "Disabled")

    def test_cloudformation_replica_key(self):
        primary_stack = create_stack({
            "Resources": {"Primary": {"Type": "AWS::KMS::Key", "Properties": {"MultiRegion": True}}},
            "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Primary", "Arn"]}}},
        })
        primary_arn = outputs(primary_stack)["Arn"]
        policy = {"Version": "2012-10-17", "Statement": [{"Sid": "from-the-template", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}
        replica_stack = create_stack({
            "Resources": {"Replica": {"Type": "AWS::KMS::ReplicaKey", "Properties": {
                "PrimaryKeyArn": primary_arn, "KeyPolicy": policy, "Description": "cfn replica", "PendingWindowInDays": 7,
                "Tags": [{"Key": "team", "Value": "kms"}],
            }}},
            "Outputs": {"Ref": {"Value": {"Ref": "Replica"}}, "Arn": {"Value": {"Fn::GetAtt": ["Replica", "Arn"]}},
                        "KeyId": {"Value": {"Fn::GetAtt": ["Replica", "KeyId"]}}},
        }, REPLICA_REGION)
        self.assertEqual(replica_stack["StackStatus"], "CREATE_COMPLETE")
        out = outputs(replica_stack)
        key_id = primary_arn.rsplit("/", 1)[1]
        self.assertEqual((out["Ref"], out["KeyId"], out["Arn"]), (key_id, key_id, primary_arn.replace(PRIMARY_REGION, REPLICA_REGION)))

        primary_kms, replica_kms = client("kms"), client("kms", REPLICA_REGION)
        metadata = replica_kms.describe_key(KeyId=key_id)["KeyMetadata"]
        self.assertEqual((metadata["Description"], metadata["MultiRegionConfiguration"]["MultiRegionKeyType"]), ("cfn replica", "REPLICA"))
        self.assertEqual(json.loads(replica_kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]), policy)
        self.assertEqual(replica_kms.list_resource_tags(KeyId=key_id)["Tags"], [{"TagKey": "team", "TagValue": "kms"}])
        blob = primary_kms.encrypt(KeyId=primary_arn, Plaintext=b"made in us-east-1")["CiphertextBlob"]
        self.assertEqual(replica_kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"made in us-east-1")

        client("cloudformation", REPLICA_REGION).delete_stack(StackName=replica_stack["StackName"])
        metadata = replica_kms.describe_key(KeyId=key_id)["KeyMetadata"]
        self.assertEqual(metadata["KeyState"], "PendingDeletion")
        self.assertAlmostEqual(metadata["DeletionDate"].timestamp() - metadata["CreationDate"].timestamp(), 7 * 86400, delta=120)
        # the replica still exists (pending deletion), so the primary waits for it
        client("cloudformation").delete_stack(StackName=primary_stack["StackName"])
        self.assertEqual(primary_kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"], "PendingReplicaDeletion")



class KmsImportedMaterialTests(KmsTestCase):
    def setUp(self):
        self.kms = client("kms")

    def external_key(self, **kwargs) -> str:
        return self.kms.create_key(Origin="EXTERNAL", **kwargs)["KeyMetadata"]["KeyId"]

    def state(self, key_id: str, kms=None) -> str:
        return (kms or self.kms).describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]

    def test_external_key_has_no_material_until_import(self):
        kms = self.kms
        metadata = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        key = metadata["KeyId"]
        self.assertEqual((metadata["KeyState"], metadata["Enabled"], metadata["Origin"]), ("PendingImport", False, "EXTERNAL"))
        self.assertNotIn("ExpirationModel", metadata)
        for call in (lambda: kms.encrypt(KeyId=key, Plaintext=b"x"), lambda: kms.generate_data_key(KeyId=key, KeySpec="AES_256"),
                     lambda: kms.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P256"), lambda: kms.enable_key(KeyId=key)):
            self.assertEqual(error_code(call), "KMSInvalidStateException")
        self.assertEqual(error_code(lambda: kms.enable_key_rotation(KeyId=key)), "UnsupportedOperationException")
        kms.delete_imported_key_material(KeyId=key)  # no material yet: no effect
        self.assertEqual(self.state(key), "PendingImport")

        own = kms.create_key()["KeyMetadata"]["KeyId"]
        self.assertEqual(error_code(lambda: kms.get_parameters_for_import(KeyId=own, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")), "UnsupportedOperationException")
        self.assertEqual(error_code(lambda: kms.delete_imported_key_material(KeyId=own)), "UnsupportedOperationException")
        self.assertEqual(error_code(lambda: kms.get_parameters_for_import(KeyId=key, WrappingAlgorithm="RSAES_PKCS1_V1_5", WrappingKeySpec="RSA_2048")), "UnsupportedOperationException")
        self.assertEqual(error_code(lambda: kms.get_parameters_for_import(KeyId=key, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_1024")), "ValidationException")
        parameters = kms.get_parameters_for_import(KeyId=key, WrappingAlgorithm="RSAES_OAEP_SHA_1", WrappingKeySpec="RSA_3072")
        self.assertEqual(serialization.load_der_public_key(parameters["PublicKey"]).key_size, 3072)
        self.assertAlmostEqual(parameters["ParametersValidTo"].timestamp() - time.time(), 24 * 3600, delta=300)
        self.assertEqual(parameters["KeyId"], metadata["Arn"])

        self.assertEqual(error_code(lambda: kms.create_key(Origin="AWS_CLOUDHSM")), "UnsupportedOperationException")  # no custom key stores here
        self.assertEqual(error_code(lambda: kms.create_key(Origin="SOMEWHERE")), "ValidationException")

        stack = create_stack({"Resources": {"Byok": {"Type": "AWS::KMS::Key", "Properties": {"Origin": "EXTERNAL"}}}, "Outputs": {"Id": {"Value": {"Ref": "Byok"}}}})
        cfn_key = kms.describe_key(KeyId=outputs(stack)["Id"])["KeyMetadata"]
        self.assertEqual((cfn_key["Origin"], cfn_key["KeyState"]), ("EXTERNAL", "PendingImport"))

    def test_imported_material_is_the_keys_material(self):
        kms, material, context = self.kms, os.urandom(32), {"purpose": "selftest"}
        key = self.external_key()
        answer = import_material(kms, key, material, "RSAES_OAEP_SHA_256")
        metadata = kms.describe_key(KeyId=key)["KeyMetadata"]
        self.assertEqual((metadata["KeyState"], metadata["Enabled"], metadata["ExpirationModel"]), ("Enabled", True, "KEY_MATERIAL_DOES_NOT_EXPIRE"))
        self.assertNotIn("ValidTo", metadata)
        self.assertEqual(metadata["CurrentKeyMaterialId"], answer["KeyMaterialId"])

        blob = kms.encrypt(KeyId=key, Plaintext=b"secret", EncryptionContext=context)["CiphertextBlob"]
        self.assertEqual(local_decrypt(blob, material, context), b"secret")  # encrypted under exactly the imported bytes
        offline = local_encrypt(key, material, b"made offline", context)
        self.assertEqual(kms.decrypt(CiphertextBlob=offline, EncryptionContext=context)["Plaintext"], b"made offline")
        data_key = kms.generate_data_key(KeyId=key, KeySpec="AES_256")
        self.assertSecretEqual(local_decrypt(data_key["CiphertextBlob"], material), data_key["Plaintext"], "data key")

        other = self.external_key()
        import_material(kms, other, os.urandom(32), "RSA_AES_KEY_WRAP_SHA_256")
        self.assertEqual(error_code(lambda: kms.decrypt(CiphertextBlob=local_encrypt(other, material, b"x"))), "InvalidCiphertextException")

        deleted = kms.delete_imported_key_material(KeyId=key)
        self.assertEqual((deleted["KeyMaterialId"], self.state(key)), (answer["KeyMaterialId"], "PendingImport"))
        self.assertEqual(error_code(lambda: kms.encrypt(KeyId=key, Plaintext=b"x")), "KMSInvalidStateException")
        self.assertEqual(error_code(lambda: kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)), "KMSInvalidStateException")
        self.assertEqual(error_code(lambda: import_material(kms, key, os.urandom(32))), "IncorrectKeyMaterialException")  # not the same material
        import_material(kms, key, material, "RSA_AES_KEY_WRAP_SHA_1")  # re-import: ImportType defaults to EXISTING_KEY_MATERIAL
        self.assertEqual(kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"], b"secret")

    def test_import_token_and_material_errors(self):
        kms, material = self.kms, os.urandom(32)
        key, other = self.external_key(), self.external_key()

        def attempt(parameters, plaintext=material, wrapped=None, **kwargs):
            kwargs.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
            return error_code(lambda: kms.import_key_material(
                KeyId=key, ImportToken=parameters["ImportToken"],
                EncryptedKeyMaterial=wrapped or wrap_for_import(parameters["PublicKey"], plaintext, "RSAES_OAEP_SHA_256"), **kwargs))

        def parameters_for(key_id):
            return kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")

        self.assertEqual(attempt(parameters_for(other)), "InvalidImportTokenException")  # another key's token
        parameters = parameters_for(key)
        self.assertEqual(attempt(parameters, plaintext=os.urandom(16)), "IncorrectKeyMaterialException")  # not 256 bits
        self.assertEqual(attempt(parameters, wrapped=os.urandom(256)), "InvalidCiphertextException")  # not wrapped with this key
        self.assertEqual(attempt(parameters, ExpirationModel="KEY_MATERIAL_EXPIRES"), "ValidationException")  # no ValidTo
        self.assertEqual(attempt(parameters, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=time.time() + 400 * 86400), "ValidationException")
        self.assertEqual(attempt(parameters, ValidTo=time.time() + 86400), "ValidationException")  # ValidTo with DOES_NOT_EXPIRE
        self.assertEqual(attempt(parameters), "no error")
        self.assertEqual(attempt(parameters), "InvalidImportTokenException")  # each token imports once
        later = parameters_for(key)
        kms_clock(24 * 3600 + 60)
        try:
            self.assertEqual(attempt(later), "ExpiredImportTokenException")
        finally:
            kms_clock(0)

    def test_expired_material_is_deleted(self):
        kms, material = self.kms, os.urandom(32)
        key = self.external_key()
        valid_to = int(time.time()) + 3600
        import_material(kms, key, material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to)
        metadata = kms.describe_key(KeyId=key)["KeyMetadata"]
        self.assertEqual((metadata["ExpirationModel"], int(metadata["ValidTo"].timestamp())), ("KEY_MATERIAL_EXPIRES", valid_to))
        blob = kms.encrypt(KeyId=key, Plaintext=b"until then")["CiphertextBlob"]
        kms_clock(2 * 3600)
        try:
            self.assertEqual(self.state(key), "PendingImport")
            self.assertEqual(error_code(lambda: kms.encrypt(KeyId=key, Plaintext=b"x")), "KMSInvalidStateException")
            self.assertEqual(error_code(lambda: kms.decrypt(CiphertextBlob=blob)), "KMSInvalidStateException")
            import_material(kms, key, material)  # the same material again, now without expiry
            self.assertEqual(kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"until then")
        finally:
            kms_clock(0)

    def test_hmac_and_asymmetric_material(self):
        kms = self.kms
        mac_key = self.external_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
        self.assertEqual(error_code(lambda: import_material(kms, mac_key, os.urandom(16))), "IncorrectKeyMaterialException")
        mac_material = os.urandom(48)
        import_material(kms, mac_key, mac_material)
        mac = kms.generate_mac(KeyId=mac_key, Message=b"message", MacAlgorithm="HMAC_SHA_256")["Mac"]
        self.assertSecretEqual(mac, hmac.new(mac_material, b"message", hashlib.sha256).digest(), "HMAC with the imported material")
        metadata = kms.describe_key(KeyId=mac_key)["KeyMetadata"]
        self.assertEqual(metadata["MacAlgorithms"], ["HMAC_SHA_256"])
        self.assertNotIn("EncryptionAlgorithms", metadata)
        self.assertEqual(error_code(lambda: import_material(kms, mac_key, mac_material, ImportType="EXISTING_KEY_MATERIAL")), "UnsupportedOperationException")

        signer_material = ec.generate_private_key(ec.SECP256R1())
        signer = self.external_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
        wrong_curve = der_private(ec.generate_private_key(ec.SECP384R1()))
        self.assertEqual(error_code(lambda: import_material(kms, signer, wrong_curve, "RSA_AES_KEY_WRAP_SHA_256")), "IncorrectKeyMaterialException")
        import_material(kms, signer, der_private(signer_material), "RSA_AES_KEY_WRAP_SHA_256")
        self.assertEqual(kms.get_public_key(KeyId=signer)["PublicKey"], der_public(signer_material))
        signature = kms.sign(KeyId=signer, Message=b"message", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        signer_material.public_key().verify(signature, b"message", ec.ECDSA(hashes.SHA256()))  # raises if KMS signed with another key

        agreement_material, peer = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())
        agreement = self.external_key(KeySpec="ECC_NIST_P384", KeyUsage="KEY_AGREEMENT")
        import_material(kms, agreement, der_private(agreement_material), "RSA_AES_KEY_WRAP_SHA_256")
        derived = kms.derive_shared_secret(KeyId=agreement, KeyAgreementAlgorithm="ECDH", PublicKey=der_public(peer))
        self.assertEqual(derived["KeyOrigin"], "EXTERNAL")
        self.assertSecretEqual(derived["SharedSecret"], agreement_material.exchange(ec.ECDH(), peer.public_key()), "shared secret")

    def test_new_key_material_and_on_demand_rotation(self):
        kms, first, second = self.kms, os.urandom(32), os.urandom(32)
        key = self.external_key()
        first_id = import_material(kms, key, first)["KeyMaterialId"]
        old_blob = kms.encrypt(KeyId=key, Plaintext=b"old")["CiphertextBlob"]
        self.assertEqual(error_code(lambda: kms.rotate_key_on_demand(KeyId=key)), "UnsupportedOperationException")  # nothing pending
        second_id = import_material(kms, key, second, ImportType="NEW_KEY_MATERIAL", KeyMaterialDescription="second")["KeyMaterialId"]
        self.assertNotEqual(first_id, second_id)
        self.assertEqual(local_decrypt(kms.encrypt(KeyId=key, Plaintext=b"still first")["CiphertextBlob"], first), b"still first")
        listing = kms.list_key_rotations(KeyId=key, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        self.assertEqual({r["KeyMaterialId"]: r["KeyMaterialState"] for r in listing}, {first_id: "CURRENT", second_id: "PENDING_ROTATION"})
        self.assertEqual(error_code(lambda: import_material(kms, key, second, ImportType="NEW_KEY_MATERIAL")), "IncorrectKeyMaterialException")

        kms.rotate_key_on_demand(KeyId=key)
        self.assertEqual(kms.describe_key(KeyId=key)["KeyMetadata"]["CurrentKeyMaterialId"], second_id)
        self.assertEqual(local_decrypt(kms.encrypt(KeyId=key, Plaintext=b"new")["CiphertextBlob"], second), b"new")
        self.assertEqual(kms.decrypt(CiphertextBlob=old_blob)["Plaintext"], b"old")  # the old material still decrypts
        rotations = kms.list_key_rotations(KeyId=key)["Rotations"]
        self.assertEqual([(r["KeyMaterialId"], r["RotationType"]) for r in rotations], [(second_id, "ON_DEMAND")])

        kms.delete_imported_key_material(KeyId=key, KeyMaterialId=first_id)
        self.assertEqual(self.state(key), "PendingImport")  # every associated material must be imported
        import_material(kms, key, first, KeyMaterialId=first_id)
        self.assertEqual(kms.decrypt(CiphertextBlob=old_blob)["Plaintext"], b"old")

    def test_replica_of_an_external_key_needs_the_same_material(self):
        primary_kms, replica_kms, material = self.kms, client("kms", REPLICA_REGION), os.urandom(32)
        key = self.external_key(MultiRegion=True)
        self.assertEqual(error_code(lambda: primary_kms.replicate_key(KeyId=key, ReplicaRegion=REPLICA_REGION)), "KMSInvalidStateException")
        import_material(primary_kms, key, material)
        replica = primary_kms.replicate_key(KeyId=key, ReplicaRegion=REPLICA_REGION)["ReplicaKeyMetadata"]
        self.assertEqual((replica["KeyState"], replica["Origin"]), ("PendingImport", "EXTERNAL"))
        self.assertNotIn("ExpirationModel", replica)  # its own imports, its own expiry
        blob = primary_kms.encrypt(KeyId=key, Plaintext=b"both regions")["CiphertextBlob"]
        self.assertEqual(error_code(lambda: replica_kms.decrypt(CiphertextBlob=blob)), "KMSInvalidStateException")
        self.assertEqual(error_code(lambda: import_material(replica_kms, key, os.urandom(32))), "IncorrectKeyMaterialException")
        import_material(replica_kms, key, material)
        self.assertEqual(replica_kms.decrypt(CiphertextBlob=blob)["Plaintext"], b"both regions")


CURVES = {"ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1}


class KmsDataKeyPairTests(KmsTestCase):
    def setUp(self):
        self.kms = client("kms")
        self.key = self.kms.create_key()["KeyMetadata"]["KeyId"]

    def test_rsa_data_key_pair(self):
        kms, context = self.kms, {"pair": "rsa"}
        pair = kms.generate_data_key_pair(KeyId=self.key, KeyPairSpec="RSA_2048", EncryptionContext=context)
        self.assertEqual(pair["KeyPairSpec"], "RSA_2048")
        private = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], password=None)
        public = serialization.load_der_public_key(pair["PublicKey"])
        self.assertEqual((private.key_size, private.public_key().public_numbers()), (2048, public.public_numbers()))
        decrypted = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=context)["Plaintext"]
        self.assertSecretEqual(decrypted, pair["PrivateKeyPlaintext"], "decrypted private key")
        self.assertEqual(error_code(lambda: kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])), "InvalidCiphertextException")
        recovered = serialization.load_der_private_key(decrypted, password=None)
        oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        self.assertEqual(recovered.decrypt(public.encrypt(b"data", oaep), oaep), b"data")
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
        public.verify(recovered.sign(b"message", pss, hashes.SHA256()), b"message", pss, hashes.SHA256())
        self.assertEqual(pair["KeyMaterialId"], kms.describe_key(KeyId=self.key)["KeyMetadata"]["CurrentKeyMaterialId"])

        without = kms.generate_data_key_pair_without_plaintext(KeyId=self.key, KeyPairSpec="RSA_2048")
        self.assertNotIn("PrivateKeyPlaintext", without)
        private_of_without = serialization.load_der_private_key(kms.decrypt(CiphertextBlob=without["PrivateKeyCiphertextBlob"])["Plaintext"], password=None)
        self.assertEqual(der_public(private_of_without), without["PublicKey"])
        self.assertNotEqual(without["PublicKey"], pair["PublicKey"])  # a new pair per call

    def test_ecc_and_ed25519_data_key_pairs(self):
        kms = self.kms
        for spec, curve in {**CURVES, "ECC_SECG_P256K1": ec.SECP256K1}.items():
            with self.subTest(spec=spec):
                pair = kms.generate_data_key_pair(KeyId=self.key, KeyPairSpec=spec)
                private = serialization.load_der_private_key(kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"], password=None)
                self.assertEqual(private.curve.name, curve.name)
                self.assertSecretEqual(der_private(private), pair["PrivateKeyPlaintext"], "decrypted private key")
                public = serialization.load_der_public_key(pair["PublicKey"])
                peer = ec.generate_private_key(curve())
                self.assertSecretEqual(private.exchange(ec.ECDH(), peer.public_key()), peer.exchange(ec.ECDH(), public), "ECDH with the pair")
                public.verify(private.sign(b"message", ec.ECDSA(hashes.SHA256())), b"message", ec.ECDSA(hashes.SHA256()))
        pair = kms.generate_data_key_pair(KeyId=self.key, KeyPairSpec="ECC_NIST_EDWARDS25519")
        private = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], password=None)
        self.assertIsInstance(private, ed25519.Ed25519PrivateKey)
        serialization.load_der_public_key(pair["PublicKey"]).verify(private.sign(b"message"), b"message")

    def test_data_key_pair_rules(self):
        kms = self.kms
        rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
        mac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
        for key in (rsa_key, mac_key):
            self.assertEqual(error_code(lambda: kms.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P256")), "InvalidKeyUsageException")
        self.assertEqual(error_code(lambda: kms.generate_data_key_pair(KeyId=self.key, KeyPairSpec="RSA_1024")), "ValidationException")
        self.assertEqual(error_code(lambda: kms.generate_data_key_pair(KeyId=self.key, KeyPairSpec="SM2")), "UnsupportedOperationException")
        self.assertEqual(error_code(lambda: kms.generate_data_key_pair(KeyId=self.key, KeyPairSpec="ECC_NIST_P256", DryRun=True)), "DryRunOperationException")
        kms.disable_key(KeyId=self.key)
        self.assertEqual(error_code(lambda: kms.generate_data_key_pair_without_plaintext(KeyId=self.key, KeyPairSpec="ECC_NIST_P256")), "DisabledException")


class KmsKeyAgreementTests(KmsTestCase):
    def setUp(self):
        self.kms = client("kms")

    def agreement_key(self, spec: str) -> dict:
        return self.kms.create_key(KeySpec=spec, KeyUsage="KEY_AGREEMENT")["KeyMetadata"]

    def test_both_sides_derive_the_same_secret(self):
        kms = self.kms
        for spec, curve in CURVES.items():
            with self.subTest(spec=spec):
                metadata = self.agreement_key(spec)
                self.assertEqual(metadata["KeyAgreementAlgorithms"], ["ECDH"])
                self.assertNotIn("SigningAlgorithms", metadata)
                self.assertNotIn("EncryptionAlgorithms", metadata)
                public = kms.get_public_key(KeyId=metadata["KeyId"])
                self.assertEqual((public["KeyId"], public["KeySpec"], public["KeyUsage"], public["KeyAgreementAlgorithms"]), (metadata["Arn"], spec, "KEY_AGREEMENT", ["ECDH"]))
                self.assertNotIn("SigningAlgorithms", public)
                local = ec.generate_private_key(curve())
                derived = kms.derive_shared_secret(KeyId=metadata["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=der_public(local))
                expected = local.exchange(ec.ECDH(), serialization.load_der_public_key(public["PublicKey"]))
                self.assertSecretEqual(derived["SharedSecret"], expected, "shared secret")
                self.assertEqual(len(derived["SharedSecret"]), (curve().key_size + 7) // 8)  # the raw x-coordinate
                self.assertEqual((derived["KeyId"], derived["KeyAgreementAlgorithm"], derived["KeyOrigin"]), (metadata["Arn"], "ECDH", "AWS_KMS"))
        alice, bob = self.agreement_key("ECC_NIST_P256")["KeyId"], self.agreement_key("ECC_NIST_P256")["KeyId"]
        alice_side = kms.derive_shared_secret(KeyId=alice, KeyAgreementAlgorithm="ECDH", PublicKey=kms.get_public_key(KeyId=bob)["PublicKey"])
        bob_side = kms.derive_shared_secret(KeyId=bob, KeyAgreementAlgorithm="ECDH", PublicKey=kms.get_public_key(KeyId=alice)["PublicKey"])
        self.assertSecretEqual(alice_side["SharedSecret"], bob_side["SharedSecret"], "shared secret")

    def test_key_usage_curve_and_state_are_enforced(self):
        kms = self.kms
        peer = der_public(ec.generate_private_key(ec.SECP256R1()))
        signer = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        self.assertEqual(error_code(lambda: kms.derive_shared_secret(KeyId=signer, KeyAgreementAlgorithm="ECDH", PublicKey=peer)), "InvalidKeyUsageException")
        key = self.agreement_key("ECC_NIST_P256")["KeyId"]
        self.assertEqual(error_code(lambda: kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")), "InvalidKeyUsageException")
        other_curve = der_public(ec.generate_private_key(ec.SECP384R1()))
        self.assertEqual(error_code(lambda: kms.derive_shared_secret(KeyId=key, KeyAgreementAlgorithm="ECDH", PublicKey=other_curve)), "ValidationException")
        self.assertEqual(error_code(lambda: kms.derive_shared_secret(KeyId=key, KeyAgreementAlgorithm="ECDH", PublicKey=b"not a key")), "ValidationException")
        self.assertEqual(error_code(lambda: kms.derive_shared_secret(KeyId=key, KeyAgreementAlgorithm="ECDH", PublicKey=peer, DryRun=True)), "DryRunOperationException")
        kms.disable_key(KeyId=key)
        self.assertEqual(error_code(lambda: kms.derive_shared_secret(KeyId=key, KeyAgreementAlgorithm="ECDH", PublicKey=peer)), "DisabledException")
        kms.enable_key(KeyId=key)
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        self.assertEqual(error_code(lambda: kms.derive_shared_secret(KeyId=key, KeyAgreementAlgorithm="ECDH", PublicKey=peer)), "KMSInvalidStateException")


__all__ = ["KmsMultiRegionTests", "KmsImportedMaterialTests", "KmsDataKeyPairTests", "KmsKeyAgreementTests"]  # only the test classes: selftest.py star-imports this module
