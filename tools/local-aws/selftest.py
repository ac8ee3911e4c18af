#!/usr/bin/env python3
"""Regression tests for the moto patches, run against a live emulator:

    python3 tools/local-aws/launcher.py -- python3 tools/local-aws/selftest.py

Each test exercises one patched behaviour through the AWS API (boto3), the
way the CDK CLI and tests use it. Needs only boto3 (installed with moto).
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import unittest
import uuid
import zipfile

import boto3
from botocore.exceptions import ClientError

if "LOCAL_AWS" not in os.environ:
    sys.exit("run me under the launcher: python3 tools/local-aws/launcher.py -- python3 tools/local-aws/selftest.py")

ROLE_ARN = "arn:aws:iam::123456789012:role/selftest-lambda"


def client(service: str):
    return boto3.client(service)


def error_code(call) -> str:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return "no error"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def node_function(code: str) -> dict:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {"Runtime": "nodejs20.x", "Handler": "index.handler", "Role": ROLE_ARN, "Code": {"ZipFile": code}},
    }


def custom_resource(function_logical_id: str, **properties) -> dict:
    return {
        "Type": "AWS::CloudFormation::CustomResource",
        "Properties": {"ServiceToken": {"Fn::GetAtt": [function_logical_id, "Arn"]}, **properties},
    }


def create_stack(template: dict, **kwargs) -> dict:
    cfn = client("cloudformation")
    name = unique("selftest")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), **kwargs)
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def other_account_client(account: str, service: str, region: str = "us-east-1"):
    """A client of ``account``: moto tells the account by the access key, and
    sts:AssumeRole into a role ARN of that account returns such keys."""
    credentials = client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/selftest", RoleSessionName="selftest")["Credentials"]
    return boto3.client(service, region_name=region, aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"])


RESPOND_WITH_HTTPS = """
const https = require('https');
const url = require('url');
exports.handler = async (event) => {
  // A Delete always succeeds: CloudFormation also sends one after a failed Create (rollback).
  const status = event.ResourceProperties.Fail === 'yes' && event.RequestType !== 'Delete' ? 'FAILED' : 'SUCCESS';
  const body = JSON.stringify({ Status: status, Reason: 'told to fail', PhysicalResourceId: 'phys-' + event.LogicalResourceId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
    Data: { Echo: event.ResourceProperties.Value, ValueType: typeof event.ResourceProperties.Value } });
  const target = url.parse(event.ResponseURL);
  await new Promise((resolve, reject) => {
    const req = https.request({ hostname: target.hostname, path: target.path, method: 'PUT' }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(body);
  });
};
"""


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        iam = client("iam")
        if error_code(lambda: iam.get_role(RoleName="selftest-lambda")) != "no error":
            iam.create_role(RoleName="selftest-lambda", AssumeRolePolicyDocument="{}")


class KmsTests(Base):
    def setUp(self):
        self.kms = client("kms")

    def new_key(self, **kwargs) -> str:
        return self.kms.create_key(**kwargs)["KeyMetadata"]["KeyId"]

    def test_disabled_key_refuses_cryptographic_operations(self):
        key = self.new_key()
        blob = self.kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
        self.kms.disable_key(KeyId=key)
        self.assertEqual(error_code(lambda: self.kms.encrypt(KeyId=key, Plaintext=b"x")), "DisabledException")
        self.assertEqual(error_code(lambda: self.kms.decrypt(CiphertextBlob=blob)), "DisabledException")
        self.assertEqual(error_code(lambda: self.kms.generate_data_key(KeyId=key, KeySpec="AES_256")), "DisabledException")

    def test_pending_deletion_key_is_in_invalid_state(self):
        key = self.new_key()
        self.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        self.assertEqual(error_code(lambda: self.kms.encrypt(KeyId=key, Plaintext=b"x")), "KMSInvalidStateException")
        self.assertEqual(error_code(lambda: self.kms.enable_key(KeyId=key)), "KMSInvalidStateException")

    def test_sign_and_mac_keys_are_state_checked(self):
        signer = self.new_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
        self.kms.sign(KeyId=signer, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")
        self.kms.disable_key(KeyId=signer)
        self.assertEqual(error_code(lambda: self.kms.sign(KeyId=signer, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")), "DisabledException")
        mac = self.new_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
        self.kms.generate_mac(KeyId=mac, Message=b"m", MacAlgorithm="HMAC_SHA_256")
        self.kms.schedule_key_deletion(KeyId=mac, PendingWindowInDays=7)
        self.assertEqual(error_code(lambda: self.kms.generate_mac(KeyId=mac, Message=b"m", MacAlgorithm="HMAC_SHA_256")), "KMSInvalidStateException")

    def test_wrong_encryption_context(self):
        key = self.new_key()
        blob = self.kms.encrypt(KeyId=key, Plaintext=b"x", EncryptionContext={"a": "1"})["CiphertextBlob"]
        self.assertEqual(error_code(lambda: self.kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "2"})), "InvalidCiphertextException")

    def test_key_usage_is_enforced(self):
        signer = self.new_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
        self.assertEqual(error_code(lambda: self.kms.encrypt(KeyId=signer, Plaintext=b"x")), "InvalidKeyUsageException")
        rsa = self.new_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
        self.assertEqual(error_code(lambda: self.kms.generate_data_key(KeyId=rsa, KeySpec="AES_256")), "InvalidKeyUsageException")
        self.assertEqual(error_code(lambda: self.kms.create_key(KeySpec="SYMMETRIC_DEFAULT", KeyUsage="SIGN_VERIFY")), "ValidationException")
        # secp256k1 keys sign and verify only (CreateKey, KeyUsage)
        self.assertEqual(error_code(lambda: self.kms.create_key(KeySpec="ECC_SECG_P256K1", KeyUsage="KEY_AGREEMENT")), "ValidationException")

    def test_deletion_window_and_rotation_rules(self):
        key = self.new_key()
        self.assertEqual(error_code(lambda: self.kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=3)), "ValidationException")
        self.assertEqual(error_code(lambda: self.kms.cancel_key_deletion(KeyId=key)), "KMSInvalidStateException")
        self.kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=100)
        status = self.kms.get_key_rotation_status(KeyId=key)
        self.assertTrue(status["KeyRotationEnabled"])
        self.assertEqual(status["RotationPeriodInDays"], 100)
        signer = self.new_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
        self.assertEqual(error_code(lambda: self.kms.enable_key_rotation(KeyId=signer)), "UnsupportedOperationException")

    def test_key_arn_accepted_by_disable_key(self):
        arn = self.kms.create_key()["KeyMetadata"]["Arn"]
        self.kms.disable_key(KeyId=arn)  # moto answered HTTP 500
        self.assertEqual(self.kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"], "Disabled")


class EbsTests(Base):
    def test_default_kms_key_id(self):
        ec2 = client("ec2")
        self.assertEqual(ec2.get_ebs_default_kms_key_id()["KmsKeyId"], "alias/aws/ebs")
        key = client("kms").create_key()["KeyMetadata"]
        ec2.modify_ebs_default_kms_key_id(KmsKeyId=key["KeyId"])
        self.assertEqual(ec2.get_ebs_default_kms_key_id()["KmsKeyId"], key["Arn"])
        self.assertEqual(ec2.reset_ebs_default_kms_key_id()["KmsKeyId"], "alias/aws/ebs")
        self.assertEqual(ec2.get_ebs_default_kms_key_id()["KmsKeyId"], "alias/aws/ebs")


class LambdaTests(Base):
    def deploy(self, files: dict[str, str], timeout: int = 3) -> str:
        name = unique("selftest-fn")
        client("lambda").create_function(
            FunctionName=name, Runtime="nodejs20.x", Role=ROLE_ARN, Handler="index.handler", Code={"ZipFile": zip_of(files)}, Timeout=timeout
        )
        return name

    def invoke(self, name: str, event: dict | None = None) -> tuple[str | None, object]:
        response = client("lambda").invoke(FunctionName=name, Payload=json.dumps(event or {}))
        return response.get("FunctionError"), json.loads(response["Payload"].read())

    def test_async_and_callback_handlers(self):
        self.assertEqual(self.invoke(self.deploy({"index.js": "exports.handler = async (e) => ({ n: e.n + 1 });"}), {"n": 1}), (None, {"n": 2}))
        callback = self.deploy({"index.js": "exports.handler = (e, c, cb) => setTimeout(() => cb(null, 'done'), 10);"})
        self.assertEqual(self.invoke(callback), (None, "done"))

    def test_errors_timeouts_and_missing_modules(self):
        error, payload = self.invoke(self.deploy({"index.js": "exports.handler = async () => { throw new RangeError('boom'); };"}))
        self.assertEqual((error, payload["errorType"], payload["errorMessage"]), ("Unhandled", "RangeError", "boom"))
        error, payload = self.invoke(self.deploy({"index.js": "exports.handler = () => new Promise(() => setInterval(() => {}, 100));"}, timeout=1))
        self.assertEqual((error, payload["errorType"]), ("Unhandled", "Sandbox.Timedout"))
        error, payload = self.invoke(self.deploy({"index.js": "require('left-pad'); exports.handler = async () => 1;"}))
        self.assertEqual((error, payload["errorType"]), ("Unhandled", "Runtime.ImportModuleError"))

    def test_a_function_of_another_account_acts_in_that_account(self):
        account = "210987654321"
        iam = other_account_client(account, "iam")
        role = iam.create_role(RoleName=unique("fn-role"), AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        code = """
          const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
          const { SSMClient, PutParameterCommand } = require('@aws-sdk/client-ssm');
          exports.handler = async (e) => {
            await new SSMClient({}).send(new PutParameterCommand({ Name: e.parameter, Value: 'written by the handler', Type: 'String' }));
            return [(await new STSClient({}).send(new GetCallerIdentityCommand({}))).Account, process.env.AWS_REGION];
          };"""
        functions = other_account_client(account, "lambda", "eu-west-1")
        name = unique("selftest-fn")
        functions.create_function(FunctionName=name, Runtime="nodejs20.x", Role=role, Handler="index.handler", Code={"ZipFile": zip_of({"index.js": code})}, Timeout=10)
        parameter = f"/{unique('selftest')}"
        response = functions.invoke(FunctionName=name, Payload=json.dumps({"parameter": parameter}))
        self.assertEqual(json.loads(response["Payload"].read()), [account, "eu-west-1"])  # moto: 123456789012, the dummy key's
        self.assertEqual(other_account_client(account, "ssm", "eu-west-1").get_parameter(Name=parameter)["Parameter"]["Value"], "written by the handler")
        self.assertEqual(error_code(lambda: boto3.client("ssm", region_name="eu-west-1").get_parameter(Name=parameter)), "ParameterNotFound")

    def test_code_bucket_must_be_in_the_region_and_readable_by_the_account(self):
        account = "210987654322"
        bucket = unique("selftest-code")
        s3 = client("s3")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="fn.zip", Body=zip_of({"index.js": "exports.handler = async () => 1;"}))
        role = other_account_client(account, "iam").create_role(RoleName=unique("fn-role"), AssumeRolePolicyDocument="{}")["Role"]["Arn"]

        def create(region: str):
            return other_account_client(account, "lambda", region).create_function(
                FunctionName=unique("fn"), Runtime="nodejs20.x", Handler="index.handler", Role=role, Code={"S3Bucket": bucket, "S3Key": "fn.zip"})

        with self.assertRaises(ClientError) as denied:
            create("us-east-1")  # another account's bucket, no policy for this account
        self.assertEqual(denied.exception.response["Error"]["Code"], "InvalidParameterValueException")
        self.assertIn("S3 Error Code: AccessDenied", denied.exception.response["Error"]["Message"])
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
        create("us-east-1")
        with self.assertRaises(ClientError) as elsewhere:
            create("eu-west-1")  # the bucket is in us-east-1
        self.assertEqual(elsewhere.exception.response["Error"]["Code"], "InvalidParameterValueException")
        self.assertIn("The bucket is in this region: us-east-1", elsewhere.exception.response["Error"]["Message"])

    def test_runtime_sdk_reaches_the_emulator(self):
        code = """
          const { KMSClient, CreateKeyCommand } = require('@aws-sdk/client-kms');
          exports.handler = async () => (await new KMSClient({}).send(new CreateKeyCommand({}))).KeyMetadata.KeySpec;"""
        self.assertEqual(self.invoke(self.deploy({"index.js": code})), (None, "SYMMETRIC_DEFAULT"))


class CloudFormationTests(Base):
    def test_custom_resource_success_outputs_and_delete(self):
        stack = create_stack({
            "Resources": {"Fn": node_function(RESPOND_WITH_HTTPS), "Cr": custom_resource("Fn", Value=42)},
            "Outputs": {"Echo": {"Value": {"Fn::GetAtt": ["Cr", "Echo"]}}, "Type": {"Value": {"Fn::GetAtt": ["Cr", "ValueType"]}},
                        "Ref": {"Value": {"Ref": "Cr"}}},
        })
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(outputs(stack), {"Echo": "42", "Type": "string", "Ref": "phys-Cr"})
        cfn = client("cloudformation")
        cfn.delete_stack(StackName=stack["StackName"])
        self.assertEqual(cfn.describe_stacks(StackName=stack["StackId"])["Stacks"][0]["StackStatus"], "DELETE_COMPLETE")
        self.assertEqual(error_code(lambda: cfn.describe_stack_events(StackName=stack["StackName"])), "ValidationError")

    def test_stack_with_attached_managed_policy_deletes(self):
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
        stack = create_stack({"Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}},
            "Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"Roles": [{"Ref": "Role"}], "PolicyDocument": document}},
        }})
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        cfn = client("cloudformation")
        cfn.delete_stack(StackName=stack["StackName"])
        self.assertEqual(cfn.describe_stacks(StackName=stack["StackId"])["Stacks"][0]["StackStatus"], "DELETE_COMPLETE")

    def test_bucket_keeps_its_bucket_key_setting(self):
        encryption = {"ServerSideEncryptionConfiguration": [{"BucketKeyEnabled": True, "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/aws/s3"}}]}
        stack = create_stack({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": encryption}}}, "Outputs": {"Name": {"Value": {"Ref": "Bucket"}}}})
        s3 = client("s3")
        name = outputs(stack)["Name"]
        s3.put_object(Bucket=name, Key="k", Body=b"x")
        head = s3.head_object(Bucket=name, Key="k")
        self.assertEqual((head["ServerSideEncryption"], head.get("BucketKeyEnabled")), ("aws:kms", True))

    def test_failed_custom_resource_rolls_back_with_reason(self):
        stack = create_stack({"Resources": {"Fn": node_function(RESPOND_WITH_HTTPS), "Cr": custom_resource("Fn", Fail="yes")}})
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        events = client("cloudformation").describe_stack_events(StackName=stack["StackId"])["StackEvents"]
        failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertEqual(failed[0]["LogicalResourceId"], "Cr")
        self.assertIn("Message returned: told to fail", failed[0]["ResourceStatusReason"])

    def test_change_set_create_and_update_with_ssm_parameter(self):
        cfn = client("cloudformation")
        client("ssm").put_parameter(Name=unique("/selftest/version"), Value="1", Type="String")
        parameter = client("ssm").describe_parameters()["Parameters"][-1]["Name"]
        template = {
            "Parameters": {"Version": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": parameter}},
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"Version": {"Value": {"Ref": "Version"}}, "Queue": {"Value": {"Ref": "Queue"}, "Export": {"Name": unique("q")}}},
        }
        name = unique("selftest-cs")
        for change_set_type in ("CREATE", "UPDATE"):
            if change_set_type == "UPDATE":
                template["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic"}
            cfn.create_change_set(
                StackName=name, ChangeSetName="cdk-deploy-change-set", ChangeSetType=change_set_type, TemplateBody=json.dumps(template),
                Parameters=[{"ParameterKey": "Version", "UsePreviousValue": True}] if change_set_type == "UPDATE" else [],
            )
            cfn.execute_change_set(StackName=name, ChangeSetName="cdk-deploy-change-set")
            stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
            self.assertEqual(stack["StackStatus"], f"{change_set_type}_COMPLETE")
            self.assertEqual(outputs(stack)["Version"], "1")
        self.assertIn(outputs(stack)["Queue"], [e["Value"] for e in cfn.list_exports()["Exports"]])

    def test_unsupported_resource_type_is_refused(self):
        template = {"Resources": {"Detector": {"Type": "AWS::GuardDuty::Detector", "Properties": {"Enable": True}}}}
        with self.assertRaises(ClientError) as raised:
            create_stack(template)
        self.assertIn("AWS::GuardDuty::Detector (Detector)", str(raised.exception))

    def test_cloudformation_kms_key_properties(self):
        stack = create_stack({
            "Resources": {
                "Signer": {"Type": "AWS::KMS::Key", "Properties": {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY", "KeyPolicy": {"Version": "2012-10-17", "Statement": []}}},
                "Off": {"Type": "AWS::KMS::Key", "Properties": {"Enabled": False, "Description": "off", "PendingWindowInDays": 7}},
                "Rotating": {"Type": "AWS::KMS::Key", "Properties": {"MultiRegion": True, "EnableKeyRotation": True, "RotationPeriodInDays": 90}},
            },
            "Outputs": {k: {"Value": {"Ref": k}} for k in ("Signer", "Off", "Rotating")},
        })
        kms, keys = client("kms"), outputs(stack)
        signer = kms.describe_key(KeyId=keys["Signer"])["KeyMetadata"]
        self.assertEqual((signer["KeySpec"], signer["KeyUsage"]), ("RSA_2048", "SIGN_VERIFY"))
        json.loads(kms.get_key_policy(KeyId=keys["Signer"], PolicyName="default")["Policy"])  # was a dict -> HTTP 500
        off = kms.describe_key(KeyId=keys["Off"])["KeyMetadata"]
        self.assertEqual((off["KeyState"], off["Description"]), ("Disabled", "off"))
        self.assertTrue(kms.describe_key(KeyId=keys["Rotating"])["KeyMetadata"]["MultiRegion"])
        self.assertEqual(kms.get_key_rotation_status(KeyId=keys["Rotating"])["RotationPeriodInDays"], 90)
        client("cloudformation").delete_stack(StackName=stack["StackName"])
        self.assertEqual(kms.describe_key(KeyId=keys["Off"])["KeyMetadata"]["KeyState"], "PendingDeletion")

    def test_added_resource_types(self):
        deny_insecure = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        stack = create_stack({
            "Resources": {
                "Bucket": {"Type": "AWS::S3::Bucket"},
                "BucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": {"Statement": [deny_insecure]}}},
                "Queue": {"Type": "AWS::SQS::Queue"},
                "QueuePolicy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {"Queues": [{"Ref": "Queue"}], "PolicyDocument": {"Statement": []}}},
                "Topic": {"Type": "AWS::SNS::Topic"},
                "TopicPolicy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": {"Statement": [{"Sid": "mine"}]}}},
                "Logs": {"Type": "AWS::Logs::LogGroup"},
                "Filter": {"Type": "AWS::Logs::MetricFilter", "Properties": {"LogGroupName": {"Ref": "Logs"}, "FilterPattern": "x",
                                                                             "MetricTransformations": [{"MetricName": "M", "MetricNamespace": "N", "MetricValue": "1"}]}},
                "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "M", "Namespace": "N", "Statistic": "Sum", "Period": 60,
                                                                            "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold"}},
                "Metadata": {"Type": "AWS::CDK::Metadata"},
            },
            "Outputs": {"Bucket": {"Value": {"Ref": "Bucket"}}, "Topic": {"Value": {"Ref": "Topic"}}, "Logs": {"Value": {"Ref": "Logs"}}},
        })
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        out = outputs(stack)
        s3 = client("s3")
        self.assertIn("aws:SecureTransport", s3.get_bucket_policy(Bucket=out["Bucket"])["Policy"])
        s3.put_object(Bucket=out["Bucket"], Key="k", Body=b"x")  # the conditional Deny must not block everything
        self.assertIn('"Sid":"mine"', client("sns").get_topic_attributes(TopicArn=out["Topic"])["Attributes"]["Policy"])
        self.assertEqual(len(client("logs").describe_metric_filters(logGroupName=out["Logs"])["metricFilters"]), 1)
        s3.delete_object(Bucket=out["Bucket"], Key="k")  # moto keeps a non-empty bucket on stack delete
        client("cloudformation").delete_stack(StackName=stack["StackName"])
        self.assertEqual(error_code(lambda: s3.get_bucket_policy(Bucket=out["Bucket"])), "NoSuchBucket")

    def test_generated_names_fit_the_limit_of_their_type(self):
        cfn = client("cloudformation")
        name = unique("selftest-a-long-stack-name-as-stacksets-instances-have-" + "x" * 30)
        cfn.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": {
            "HandlerFunctionWithALongLogicalId": node_function("exports.handler = async () => 1;"),
            "Queue": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"Function": {"Value": {"Ref": "HandlerFunctionWithALongLogicalId"}}, "Queue": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}}}))
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        function, queue = outputs(stack)["Function"], outputs(stack)["Queue"]
        # the stack name gives way first (to half the room), then the logical ID; moto: 133 characters
        self.assertRegex(function, r"^selftest-a-long-stack-nam-HandlerFunctionWithALongL-[A-Z0-9]{12}$")
        self.assertLessEqual(len(queue), 80)
        client("lambda").get_function(FunctionName=function)

    def test_unimplemented_action_fails_fast_with_400(self):
        self.assertEqual(error_code(lambda: client("cloudtrail").lookup_events()), "NotImplemented")


# ---------------------------------------------------------------------------
# Custom resource lifecycle (cfn_custom_resources.py, cfn_lifecycle.py)
# ---------------------------------------------------------------------------
RECORD_BUCKET = "selftest-custom-resource-requests"

# Records every request it gets (without the ResponseURL) in S3, then answers.
# ResourceProperties steer it: PhysicalId (the id it answers with), FailOn
# (request types it answers FAILED), Silent (a request type it never answers),
# SleepSeconds (before answering a Create or Update), Value (echoed as Data.Echo).
RECORDING_HANDLER = """
const https = require('https');
const { URL } = require('url');
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({ forcePathStyle: true });
exports.handler = async (event) => {
  const { ResponseURL, ...seen } = event;
  const key = `${process.env.RECORD_PREFIX}/${String(Date.now()).padStart(15, '0')}-${event.RequestId}.json`;
  await s3.send(new PutObjectCommand({ Bucket: process.env.RECORD_BUCKET, Key: key, Body: JSON.stringify(seen) }));
  const props = event.ResourceProperties || {};
  if (props.Silent === event.RequestType) return;
  if (props.SleepSeconds && event.RequestType !== 'Delete') await new Promise((r) => setTimeout(r, Number(props.SleepSeconds) * 1000));
  const failed = (props.FailOn || '').split(',').includes(event.RequestType);
  const physical = event.RequestType === 'Delete' ? event.PhysicalResourceId
    : (props.PhysicalId || event.PhysicalResourceId || 'phys-' + event.LogicalResourceId);
  const body = JSON.stringify({ Status: failed ? 'FAILED' : 'SUCCESS', Reason: failed ? 'told to fail ' + event.RequestType : 'ok',
    PhysicalResourceId: physical, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
    Data: { Echo: props.Value || '' } });
  const target = new URL(ResponseURL);
  await new Promise((resolve, reject) => {
    const req = https.request({ hostname: target.hostname, path: target.pathname + target.search, method: 'PUT' }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(body);
  });
};
"""


def recording_function(prefix: str) -> dict:
    function = node_function(RECORDING_HANDLER)
    function["Properties"].update({"Timeout": 30, "Environment": {"Variables": {"RECORD_BUCKET": RECORD_BUCKET, "RECORD_PREFIX": prefix}}})
    return function


def recorded(prefix: str) -> list[dict]:
    """The requests the recording handler got, oldest first."""
    s3 = client("s3")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=RECORD_BUCKET, Prefix=f"{prefix}/").get("Contents", []))
    return [json.loads(s3.get_object(Bucket=RECORD_BUCKET, Key=key)["Body"].read()) for key in keys]


def kinds(requests: list[dict]) -> list[tuple[str, str]]:
    return [(r["RequestType"], r["LogicalResourceId"]) for r in requests]


def stack_events(stack_id: str) -> list[dict]:
    """Oldest first."""
    return list(reversed(client("cloudformation").describe_stack_events(StackName=stack_id)["StackEvents"]))


def update_with_change_set(stack_name: str, template: dict) -> dict:
    cfn = client("cloudformation")
    cfn.create_change_set(StackName=stack_name, ChangeSetName="cdk-deploy-change-set", ChangeSetType="UPDATE", TemplateBody=json.dumps(template))
    cfn.execute_change_set(StackName=stack_name, ChangeSetName="cdk-deploy-change-set")
    return cfn.describe_stacks(StackName=stack_name)["Stacks"][0]


class CustomResourceLifecycleTests(Base):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s3 = client("s3")
        if error_code(lambda: s3.head_bucket(Bucket=RECORD_BUCKET)) != "no error":
            s3.create_bucket(Bucket=RECORD_BUCKET)

    def template(self, prefix: str, resources: dict, outputs: dict | None = None) -> dict:
        return {"Resources": {"Fn": recording_function(prefix), **resources}, "Outputs": outputs or {}}

    def test_update_reaches_changed_added_and_removed_custom_resources_only(self):
        prefix = unique("update")
        echo = {"Echo": {"Value": {"Fn::GetAtt": ["Changed", "Echo"]}}}
        stack = create_stack(self.template(prefix, {
            "Changed": custom_resource("Fn", Value="1"), "Same": custom_resource("Fn", Value="same"), "Removed": custom_resource("Fn", Value="gone"),
        }, echo))
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        stack = update_with_change_set(stack["StackName"], self.template(prefix, {
            "Changed": custom_resource("Fn", Value="2"), "Same": custom_resource("Fn", Value="same"), "Added": custom_resource("Fn", Value="new"),
        }, echo))
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(outputs(stack), {"Echo": "2"})
        requests = recorded(prefix)[3:]
        self.assertEqual(kinds(requests), [("Update", "Changed"), ("Create", "Added"), ("Delete", "Removed")])
        update, delete = requests[0], requests[2]
        self.assertEqual((update["PhysicalResourceId"], update["ResourceProperties"]["Value"], update["OldResourceProperties"]["Value"]), ("phys-Changed", "2", "1"))
        self.assertIn("ServiceToken", update["ResourceProperties"])
        self.assertEqual((delete["PhysicalResourceId"], delete["ResourceProperties"]["Value"]), ("phys-Removed", "gone"))
        statuses = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in stack_events(stack["StackId"])]
        cleanup = statuses.index((stack["StackName"], "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"))
        self.assertGreater(statuses.index(("Removed", "DELETE_COMPLETE")), cleanup)
        self.assertEqual(statuses[-1], (stack["StackName"], "UPDATE_COMPLETE"))

    def test_new_physical_id_is_a_replacement_and_the_old_one_is_deleted_in_cleanup(self):
        prefix = unique("replace")
        cfn = client("cloudformation")
        stack = create_stack(self.template(prefix, {"Cr": custom_resource("Fn", Value="1")}, {"Ref": {"Value": {"Ref": "Cr"}}}))
        new_template = self.template(prefix, {"Cr": custom_resource("Fn", Value="2", PhysicalId="phys-Cr-v2")}, {"Ref": {"Value": {"Ref": "Cr"}}})
        cfn.update_stack(StackName=stack["StackName"], TemplateBody=json.dumps(new_template))  # the UpdateStack API this time
        stack = cfn.describe_stacks(StackName=stack["StackName"])["Stacks"][0]
        self.assertEqual((stack["StackStatus"], outputs(stack)["Ref"]), ("UPDATE_COMPLETE", "phys-Cr-v2"))
        update, cleanup = recorded(prefix)[1:]
        self.assertEqual((update["RequestType"], update["PhysicalResourceId"]), ("Update", "phys-Cr"))
        self.assertEqual((cleanup["RequestType"], cleanup["PhysicalResourceId"], cleanup["ResourceProperties"]["Value"]), ("Delete", "phys-Cr", "1"))
        self.assertNotIn("PhysicalId", cleanup["ResourceProperties"])  # the OLD properties
        cfn.delete_stack(StackName=stack["StackName"])
        last = recorded(prefix)[-1]
        self.assertEqual((last["RequestType"], last["PhysicalResourceId"], last["ResourceProperties"]["Value"]), ("Delete", "phys-Cr-v2", "2"))

    def test_stack_delete_sends_delete_in_reverse_dependency_order_and_skips_retained(self):
        prefix = unique("delete")
        third = custom_resource("Fn", Value="3")
        third["DependsOn"] = "Second"
        kept = custom_resource("Fn", Value="kept")
        kept["DeletionPolicy"] = "Retain"
        # Template order is the reverse of the dependency order, and the function comes last.
        template = self.template(prefix, {})
        template["Resources"] = {
            "Third": third, "Second": custom_resource("Fn", Value={"Fn::GetAtt": ["First", "Echo"]}), "First": custom_resource("Fn", Value="a"),
            "Kept": kept, "Fn": template["Resources"]["Fn"],
        }
        stack = create_stack(template)
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        cfn = client("cloudformation")
        cfn.delete_stack(StackName=stack["StackName"])
        self.assertEqual(cfn.describe_stacks(StackName=stack["StackId"])["Stacks"][0]["StackStatus"], "DELETE_COMPLETE")
        deletes = [r for r in recorded(prefix) if r["RequestType"] == "Delete"]
        self.assertEqual([r["LogicalResourceId"] for r in deletes], ["Third", "Second", "First"])
        self.assertEqual((deletes[1]["PhysicalResourceId"], deletes[1]["ResourceProperties"]["Value"]), ("phys-Second", "a"))
        self.assertIn(("Kept", "DELETE_SKIPPED"), [(e["LogicalResourceId"], e["ResourceStatus"]) for e in stack_events(stack["StackId"])])

    def test_failed_delete_is_delete_failed_and_retain_resources_finishes_it(self):
        prefix = unique("delete-failed")
        cfn = client("cloudformation")
        stack = create_stack(self.template(prefix, {"Cr": custom_resource("Fn", FailOn="Delete"), "Other": custom_resource("Fn")}))
        cfn.delete_stack(StackName=stack["StackName"])
        after = cfn.describe_stacks(StackName=stack["StackName"])["Stacks"][0]
        self.assertEqual(after["StackStatus"], "DELETE_FAILED")
        self.assertIn("The following resource(s) failed to delete: [Cr].", after["StackStatusReason"])
        failed = [e for e in stack_events(stack["StackId"]) if e["ResourceStatus"] == "DELETE_FAILED"]
        self.assertEqual(failed[0]["LogicalResourceId"], "Cr")
        self.assertIn("Message returned: told to fail Delete", failed[0]["ResourceStatusReason"])
        # Other was deleted; Cr, and the function it still needs, were kept.
        left = {r["LogicalResourceId"] for r in cfn.describe_stack_resources(StackName=stack["StackName"])["StackResources"]}
        self.assertEqual(left, {"Cr", "Fn"})
        cfn.delete_stack(StackName=stack["StackName"], RetainResources=["Cr"])
        self.assertEqual(cfn.describe_stacks(StackName=stack["StackId"])["Stacks"][0]["StackStatus"], "DELETE_COMPLETE")
        self.assertEqual(sorted(kinds([r for r in recorded(prefix) if r["RequestType"] == "Delete"])), [("Delete", "Cr"), ("Delete", "Other")])

    def test_failed_update_rolls_back_with_old_properties_and_deletes_what_it_created(self):
        prefix = unique("rollback")
        echo = {"Echo": {"Value": {"Fn::GetAtt": ["Cr", "Echo"]}}}
        stack = create_stack(self.template(prefix, {"Cr": custom_resource("Fn", Value="1")}, echo))
        failing = custom_resource("Fn", Value="2", FailOn="Update")
        failing["DependsOn"] = "New"
        new_template = self.template(prefix, {"Cr": failing, "New": custom_resource("Fn", Value="n")}, echo)
        stack = update_with_change_set(stack["StackName"], new_template)
        self.assertEqual(stack["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        self.assertIn("The following resource(s) failed to update: [Cr].", stack["StackStatusReason"])
        self.assertEqual(outputs(stack), {"Echo": "1"})
        self.assertNotIn("New", json.dumps(client("cloudformation").get_template(StackName=stack["StackName"])["TemplateBody"]))
        requests = recorded(prefix)[1:]
        self.assertEqual(kinds(requests), [("Create", "New"), ("Update", "Cr"), ("Update", "Cr"), ("Delete", "New")])
        forward, back = requests[1], requests[2]
        self.assertEqual((forward["ResourceProperties"]["Value"], forward["OldResourceProperties"]["Value"]), ("2", "1"))
        self.assertEqual((back["ResourceProperties"], back["OldResourceProperties"]), (forward["OldResourceProperties"], forward["ResourceProperties"]))
        self.assertEqual((back["PhysicalResourceId"], requests[3]["PhysicalResourceId"]), ("phys-Cr", "phys-New"))
        statuses = [e["ResourceStatus"] for e in stack_events(stack["StackId"]) if e["LogicalResourceId"] == stack["StackName"]]
        self.assertEqual(statuses[-4:], ["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"])

    def test_modifying_the_service_token_fails_the_update(self):
        prefix = unique("token")
        resources = {"Other": recording_function(prefix), "Cr": custom_resource("Fn", Value="1")}
        stack = create_stack(self.template(prefix, resources))
        resources["Cr"] = custom_resource("Other", Value="2")
        stack = update_with_change_set(stack["StackName"], self.template(prefix, resources))
        self.assertEqual(stack["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        failed = [e for e in stack_events(stack["StackId"]) if e["ResourceStatus"] == "UPDATE_FAILED"]
        self.assertEqual((failed[0]["LogicalResourceId"], failed[0]["ResourceStatusReason"]), ("Cr", "Modifying service token is not allowed."))
        self.assertEqual(kinds(recorded(prefix)), [("Create", "Cr")])

    def test_failed_create_gets_a_delete_on_rollback(self):
        prefix = unique("create-failed")
        stack = create_stack(self.template(prefix, {"Cr": custom_resource("Fn", FailOn="Create", PhysicalId="half-made")}))
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        requests = recorded(prefix)
        self.assertEqual(kinds(requests), [("Create", "Cr"), ("Delete", "Cr")])
        self.assertEqual(requests[1]["PhysicalResourceId"], "half-made")
        # A Delete that fails too: the rollback fails, as on AWS.
        prefix = unique("create-failed")
        stack = create_stack(self.template(prefix, {"Cr": custom_resource("Fn", FailOn="Create,Delete")}))
        self.assertEqual(stack["StackStatus"], "ROLLBACK_FAILED")
        self.assertIn("failed to delete: [Cr]", stack["StackStatusReason"])

    def test_service_timeout_and_a_handler_that_never_answers(self):
        prefix = unique("timeout")
        started = time.monotonic()
        stack = create_stack(self.template(prefix, {"Slow": custom_resource("Fn", SleepSeconds=8, ServiceTimeout=1)}))
        self.assertLess(time.monotonic() - started, 6)  # the ServiceTimeout, not the 8 s answer or the 30 s function timeout
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        failed = [e for e in stack_events(stack["StackId"]) if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertIn("within its ServiceTimeout of 1 seconds", failed[0]["ResourceStatusReason"])
        self.assertEqual(kinds(recorded(prefix)), [("Create", "Slow"), ("Delete", "Slow")])
        stack = create_stack(self.template(unique("silent"), {"Silent": custom_resource("Fn", Silent="Create")}))
        self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
        failed = [e for e in stack_events(stack["StackId"]) if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertIn("finished without sending a response", failed[0]["ResourceStatusReason"])


# ---------------------------------------------------------------------------
# AWS::CloudTrail::Trail (cfn_cloudtrail.py)
# ---------------------------------------------------------------------------
CLOUDTRAIL_PRINCIPAL = {"Service": "cloudtrail.amazonaws.com"}


def trail_template(trail_properties: dict, bucket_policy: bool = True, key_grants_cloudtrail: bool = True) -> dict:
    key_statements = [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]
    if key_grants_cloudtrail:
        key_statements.append({"Effect": "Allow", "Principal": CLOUDTRAIL_PRINCIPAL, "Action": "kms:GenerateDataKey*", "Resource": "*"})
    resources = {
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": key_statements}}},
        "Logs": {"Type": "AWS::Logs::LogGroup"},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": CLOUDTRAIL_PRINCIPAL, "Action": "sts:AssumeRole"}]}}},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {"S3BucketName": {"Ref": "Bucket"}, **trail_properties}},
    }
    if bucket_policy:
        resources["BucketPolicy"] = {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": CLOUDTRAIL_PRINCIPAL, "Action": "s3:GetBucketAcl", "Resource": {"Fn::GetAtt": ["Bucket", "Arn"]}},
            {"Effect": "Allow", "Principal": CLOUDTRAIL_PRINCIPAL, "Action": "s3:PutObject", "Resource": {"Fn::Sub": "${Bucket.Arn}/logs/AWSLogs/${AWS::AccountId}/*"},
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
        ]}}}
        resources["Trail"]["DependsOn"] = "BucketPolicy"
    return {"Resources": resources, "Outputs": {
        "Name": {"Value": {"Ref": "Trail"}}, "Arn": {"Value": {"Fn::GetAtt": ["Trail", "Arn"]}}, "Key": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}},
        "Bucket": {"Value": {"Ref": "Bucket"}}, "Topic": {"Value": {"Ref": "Topic"}},
    }}


class CloudTrailTests(Base):
    def test_trail_create_update_delete(self):
        name = unique("selftest-trail")
        properties = {
            "TrailName": name, "S3KeyPrefix": "logs", "IsLogging": True, "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True,
            "EnableLogFileValidation": True, "KMSKeyId": {"Ref": "Key"}, "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["Logs", "Arn"]},
            "CloudWatchLogsRoleArn": {"Fn::GetAtt": ["Role", "Arn"]}, "SnsTopicName": {"Fn::GetAtt": ["Topic", "TopicName"]},
            "EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}], "Tags": [{"Key": "team", "Value": "kms"}],
        }
        template = trail_template(properties)
        template["Outputs"]["SnsTopicArn"] = {"Value": {"Fn::GetAtt": ["Trail", "SnsTopicArn"]}}
        stack = create_stack(template)
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        out = outputs(stack)
        cloudtrail = client("cloudtrail")
        trail = cloudtrail.get_trail(Name=name)["Trail"]
        self.assertEqual((out["Name"], out["Arn"], out["SnsTopicArn"]), (name, trail["TrailARN"], out["Topic"]))
        self.assertEqual(trail["TrailARN"], f"arn:aws:cloudtrail:us-east-1:123456789012:trail/{name}")
        self.assertEqual(
            {k: trail.get(k) for k in ("S3BucketName", "S3KeyPrefix", "IsMultiRegionTrail", "IncludeGlobalServiceEvents", "LogFileValidationEnabled", "KmsKeyId", "HasCustomEventSelectors")},
            {"S3BucketName": out["Bucket"], "S3KeyPrefix": "logs", "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": True,
             "LogFileValidationEnabled": True, "KmsKeyId": out["Key"], "HasCustomEventSelectors": True},
        )
        self.assertTrue(trail["CloudWatchLogsLogGroupArn"].startswith("arn:aws:logs:") and trail["CloudWatchLogsRoleArn"].startswith("arn:aws:iam::"))
        self.assertTrue(cloudtrail.get_trail_status(Name=name)["IsLogging"])
        self.assertEqual(cloudtrail.get_event_selectors(TrailName=name)["EventSelectors"][0]["ReadWriteType"], "WriteOnly")
        self.assertEqual(cloudtrail.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"][0]["TagsList"], [{"Key": "team", "Value": "kms"}])

        for key in ("KMSKeyId", "EventSelectors"):
            del properties[key]
        properties.update({"IsLogging": False, "EnableLogFileValidation": False})
        stack = update_with_change_set(stack["StackName"], trail_template(properties))
        self.assertEqual(stack["StackStatus"], "UPDATE_COMPLETE")
        trail = cloudtrail.get_trail(Name=name)["Trail"]
        self.assertEqual((trail.get("KmsKeyId"), trail["LogFileValidationEnabled"], trail["HasCustomEventSelectors"]), (None, False, False))
        self.assertFalse(cloudtrail.get_trail_status(Name=name)["IsLogging"])

        client("cloudformation").delete_stack(StackName=stack["StackName"])
        self.assertEqual(error_code(lambda: cloudtrail.get_trail(Name=name)), "TrailNotFoundException")

    def test_trail_gets_create_trail_checks(self):
        def failure(template: dict) -> str:
            stack = create_stack(template)
            self.assertEqual(stack["StackStatus"], "ROLLBACK_COMPLETE")
            return next(e["ResourceStatusReason"] for e in stack_events(stack["StackId"]) if e["ResourceStatus"] == "CREATE_FAILED")

        base = {"IsLogging": True, "S3KeyPrefix": "logs"}
        self.assertIn("InsufficientS3BucketPolicyException", failure(trail_template(base, bucket_policy=False)))
        self.assertIn("InsufficientS3BucketPolicyException", failure(trail_template({**base, "S3KeyPrefix": "other"})))
        self.assertIn("InsufficientEncryptionPolicyException", failure(trail_template({**base, "KMSKeyId": {"Ref": "Key"}}, key_grants_cloudtrail=False)))
        self.assertIn("InvalidParameterCombinationException", failure(trail_template({**base, "IsMultiRegionTrail": True, "IncludeGlobalServiceEvents": False})))
        self.assertIn("InvalidCloudWatchLogsLogGroupArnException", failure(trail_template({
            **base, "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:missing:*", "CloudWatchLogsRoleArn": {"Fn::GetAtt": ["Role", "Arn"]}})))


# KMS multi-Region keys, imported key material, data key pairs, key agreement
from selftest_kms import *  # noqa: E402,F401,F403

# Organizations, CloudFormation StackSets, AWS::CloudFormation::StackSet
from selftest_stacksets import *  # noqa: E402,F401,F403


if __name__ == "__main__":
    unittest.main(verbosity=2)
