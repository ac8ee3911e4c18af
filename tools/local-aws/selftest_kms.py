"""KMS regression tests for patch_kms_multiregion.py, patch_kms_material.py
and patch_kms_asymmetric.py; loaded by selftest.py (run that, under the
launcher). Each test checks the result with an independent local
implementation (the `cryptography` package), so a faked behaviour fails.
Key material, private keys and shared secrets are compared, never printed.
"""

from __future__ import annotations

import json
import unittest
import uuid

import boto3
from botocore.exceptions import ClientError

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


class KmsMultiRegionTests(unittest.TestCase):
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



__all__ = ["KmsMultiRegionTests"]  # only the test classes: selftest.py star-imports this module
