"""AWS::CloudTrail::Trail in CloudFormation, on moto's CloudTrail backend.

moto 5.2.1 has a CloudTrail backend (moto/cloudtrail) but no CloudFormation
model for the type. This one creates, updates and deletes the trail through
that backend, so DescribeTrails, GetTrailStatus, GetEventSelectors,
GetInsightSelectors and ListTags show what the stack made.

Properties (AWS::CloudTrail::Trail in the CloudFormation template
reference): TrailName (else a generated name; a change is a replacement),
S3BucketName (required), S3KeyPrefix, SnsTopicName, IsLogging (required;
StartLogging/StopLogging), IsMultiRegionTrail, IncludeGlobalServiceEvents
(default true), EnableLogFileValidation, IsOrganizationTrail, KMSKeyId
(alias name or ARN, key ARN or id; DescribeTrails shows the key ARN),
CloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn, EventSelectors or
AdvancedEventSelectors, InsightSelectors, Tags. Ref is the trail name;
Fn::GetAtt Arn and SnsTopicArn.

What CreateTrail/UpdateTrail check on AWS and moto does not (checked here,
with CloudTrail's error codes): the bucket policy lets cloudtrail.amazonaws.com
GetBucketAcl on the bucket and PutObject under [prefix/]AWSLogs/<account>/
(InsufficientS3BucketPolicyException); the KMS key exists, is enabled, and its
policy lets CloudTrail kms:GenerateDataKey* (KmsKeyNotFoundException,
KmsKeyDisabledException, KmsException, InsufficientEncryptionPolicyException);
the log group exists, the role exists and trusts cloudtrail.amazonaws.com,
and they come together (InvalidCloudWatchLogsLogGroupArnException,
InvalidCloudWatchLogsRoleArnException, InvalidParameterCombinationException);
a multi-Region trail includes global service events; the name is free and
has no adjacent periods, underscores or hyphens; at most 5 trails per
Region. Policy conditions (aws:SourceArn, s3:x-amz-acl, ...) are not
evaluated: a statement counts whatever its Condition. moto's own checks
stay (the bucket and the SNS topic exist, the name's characters and length).
Not checked: the SNS topic policy, the delivery role's permissions.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudtrail.exceptions import InvalidParameterCombinationException, InvalidTrailNameException
from moto.cloudtrail.models import Trail as _MotoTrail
from moto.cloudtrail.models import cloudtrail_backends
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import JsonRESTError
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
from moto.logs.models import logs_backends
from moto.s3 import models as s3_models
from moto.utilities.utils import get_partition

CLOUDTRAIL = "cloudtrail.amazonaws.com"
MAX_TRAILS_PER_REGION = 5


class _CloudTrailError(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__(type(self).__name__, message)


class InsufficientS3BucketPolicyException(_CloudTrailError):
    pass


class InsufficientEncryptionPolicyException(_CloudTrailError):
    pass


class KmsKeyNotFoundException(_CloudTrailError):
    pass


class KmsKeyDisabledException(_CloudTrailError):
    pass


class KmsException(_CloudTrailError):
    pass


class InvalidCloudWatchLogsLogGroupArnException(_CloudTrailError):
    pass


class InvalidCloudWatchLogsRoleArnException(_CloudTrailError):
    pass


class TrailAlreadyExistsException(_CloudTrailError):
    pass


class MaximumNumberOfTrailsExceededException(_CloudTrailError):
    pass


# ---------------------------------------------------------------------------
# Policy matching (no conditions)
# ---------------------------------------------------------------------------
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    regex = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _names_service(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return service in _as_list(principal.get("Service")) or "*" in _as_list(principal.get("AWS"))


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, (str, bytes)):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, dict):
        return []
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]


def _statement_covers(statement: dict[str, Any], service: str, action: str, resource: str | None) -> bool:
    if "NotPrincipal" in statement or "NotAction" in statement or "NotResource" in statement:
        return False
    if not _names_service(statement.get("Principal"), service):
        return False
    if not any(_wildcard(pattern, action, ignore_case=True) for pattern in _as_list(statement.get("Action"))):
        return False
    return resource is None or any(_wildcard(pattern, resource) for pattern in _as_list(statement.get("Resource")))


def policy_allows(document: Any, service: str, action: str, resource: str | None = None) -> bool:
    """An Allow statement grants ``service`` the action on the resource, and
    no unconditional Deny takes it away (conditions are not evaluated)."""
    statements = _statements(document)
    allowed = any(s.get("Effect") == "Allow" and _statement_covers(s, service, action, resource) for s in statements)
    denied = any(s.get("Effect") == "Deny" and not s.get("Condition") and _statement_covers(s, service, action, resource) for s in statements)
    return allowed and not denied


# ---------------------------------------------------------------------------
# Settings: validated and normalized properties
# ---------------------------------------------------------------------------
def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"


def _name_from(value: str) -> str:
    """TrailName may be a trail ARN."""
    return value.split(":trail/", 1)[1] if value.startswith("arn:") and ":trail/" in value else value


class _Settings:
    def __init__(self, name: str, properties: dict[str, Any], account_id: str, region_name: str):
        self.account_id = account_id
        self.region_name = region_name
        self.partition = get_partition(region_name)
        self.name = name
        if "IsLogging" not in properties:
            raise ValidationError(message="Properties validation failed for resource of type AWS::CloudTrail::Trail: required key [IsLogging] not found")
        if not properties.get("S3BucketName"):
            raise ValidationError(message="Properties validation failed for resource of type AWS::CloudTrail::Trail: required key [S3BucketName] not found")
        self.is_logging = _flag(properties.get("IsLogging"), False)
        self.bucket = properties["S3BucketName"]
        self.prefix = properties.get("S3KeyPrefix") or None
        topic = properties.get("SnsTopicName") or None
        self.sns_topic_name = topic.rsplit(":", 1)[-1] if topic and topic.startswith("arn:") else topic
        self.is_multi_region = _flag(properties.get("IsMultiRegionTrail"), False)
        self.include_global = _flag(properties.get("IncludeGlobalServiceEvents"), True)
        self.log_validation = _flag(properties.get("EnableLogFileValidation"), False)
        self.is_org_trail = _flag(properties.get("IsOrganizationTrail"), False)
        self.log_group_arn = properties.get("CloudWatchLogsLogGroupArn") or None
        self.role_arn = properties.get("CloudWatchLogsRoleArn") or None
        self.kms_key_id = properties.get("KMSKeyId") or None
        self.event_selectors = [_event_selector(s) for s in properties.get("EventSelectors") or []]
        self.advanced_event_selectors = properties.get("AdvancedEventSelectors") or []
        self.insight_selectors = properties.get("InsightSelectors") or []
        self.tags = [{"Key": t["Key"], "Value": t["Value"]} for t in properties.get("Tags") or []]

    def validate(self) -> None:
        if re.search(r"[._-]{2}", self.name):
            raise InvalidTrailNameException("Trail name must not have adjacent periods, underscores or dashes.")
        if self.is_multi_region and not self.include_global:
            raise InvalidParameterCombinationException("Multi-Region trail must include global service events.")
        if self.event_selectors and self.advanced_event_selectors:
            raise InvalidParameterCombinationException("You can use either AdvancedEventSelectors or EventSelectors, but not both.")
        if bool(self.log_group_arn) != bool(self.role_arn):
            raise InvalidParameterCombinationException("CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn must be specified together.")
        self._check_bucket()
        if self.kms_key_id:
            self.kms_key_id = self._check_key()
        if self.log_group_arn:
            self._check_cloudwatch_logs()

    def _check_bucket(self) -> None:
        backend = s3_models.s3_backends[self.account_id][self.partition]
        try:
            bucket = backend.get_bucket(self.bucket)
        except Exception:  # noqa: BLE001 - moto's Trail raises S3BucketDoesNotExistException for it
            return
        policy = bucket.policy.decode() if isinstance(bucket.policy, bytes) else bucket.policy
        bucket_arn = f"arn:{self.partition}:s3:::{self.bucket}"
        object_arn = f"{bucket_arn}/{self.prefix + '/' if self.prefix else ''}AWSLogs/{self.account_id}/CloudTrail/x.json.gz"
        if not (policy_allows(policy, CLOUDTRAIL, "s3:GetBucketAcl", bucket_arn) and policy_allows(policy, CLOUDTRAIL, "s3:PutObject", object_arn)):
            raise InsufficientS3BucketPolicyException(f"Incorrect S3 bucket policy is detected for bucket: {self.bucket}")

    def _check_key(self) -> str:
        key_id = self.kms_key_id
        region = key_id.split(":")[3] if key_id.startswith("arn:") else self.region_name
        backend = kms_backends[self.account_id][region]
        try:
            key = backend.keys[backend.any_id_to_key_id(key_id)]
        except Exception:  # noqa: BLE001
            raise KmsKeyNotFoundException(f"KMS key {key_id} does not exist or is not in the same Region as the trail.") from None
        if key.key_state == "Disabled":
            raise KmsKeyDisabledException(f"KMS key {key.arn} is disabled.")
        if key.key_state != "Enabled":
            raise KmsException(f"KMS key {key.arn} is in state {key.key_state}.")
        if not policy_allows(key.policy, CLOUDTRAIL, "kms:GenerateDataKey", key.arn):
            raise InsufficientEncryptionPolicyException(f"Insufficient permissions to access S3 bucket {self.bucket} or KMS key {key.arn}.")
        return key.arn

    def _check_cloudwatch_logs(self) -> None:
        match = re.match(r"^arn:[^:]+:logs:([^:]+):([^:]+):log-group:(.+?)(:\*)?$", self.log_group_arn)
        groups = logs_backends[match.group(2)][match.group(1)].groups if match else {}
        if not match or match.group(3) not in groups:
            raise InvalidCloudWatchLogsLogGroupArnException(f"Access denied. Check the log group ARN {self.log_group_arn}: the log group does not exist.")
        try:
            role = iam_backends[self.account_id]["global"].get_role_by_arn(self.role_arn)
        except Exception:  # noqa: BLE001
            raise InvalidCloudWatchLogsRoleArnException(f"Access denied. Role {self.role_arn} does not exist.") from None
        if not policy_allows(role.assume_role_policy_document, CLOUDTRAIL, "sts:AssumeRole"):
            raise InvalidCloudWatchLogsRoleArnException(f"Access denied. Verify in IAM that role {self.role_arn} can be assumed by {CLOUDTRAIL}.")


def _event_selector(selector: dict[str, Any]) -> dict[str, Any]:
    result = dict(selector)
    if "IncludeManagementEvents" in result:
        result["IncludeManagementEvents"] = _flag(result["IncludeManagementEvents"], True)
    return result


# ---------------------------------------------------------------------------
# The CloudFormation model
# ---------------------------------------------------------------------------
class CloudTrailTrail(CloudFormationModel):
    def __init__(self, trail_name: str, account_id: str, region_name: str):
        self.trail_name = trail_name
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudTrail::Trail"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "TrailName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "SnsTopicArn")

    @property
    def physical_resource_id(self) -> str:
        return self.trail_name

    def _backend(self):
        return cloudtrail_backends[self.account_id][self.region_name]

    def trail(self):
        return self._backend().get_trail(self.trail_name)

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return self.trail().arn
        if attribute_name == "SnsTopicArn":
            topic_arn = self.trail().topic_arn
            if topic_arn is None:
                raise ValidationError(message=f"Trail {self.trail_name} has no SNS topic: attribute SnsTopicArn does not exist")
            return topic_arn
        raise ValidationError(message=f"Template error: resource of type AWS::CloudTrail::Trail does not support attribute {attribute_name}")

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> CloudTrailTrail:
        properties = cloudformation_json.get("Properties", {})
        name = _name_from(properties["TrailName"]) if properties.get("TrailName") else resource_name[:128].rstrip("-_.")
        settings = _Settings(name, properties, account_id, region_name)
        backend = cloudtrail_backends[account_id][region_name]
        if name in backend.trails:
            raise TrailAlreadyExistsException(f"Trail {name} already exists for customer: {account_id}")
        if len(backend.trails) >= MAX_TRAILS_PER_REGION:
            raise MaximumNumberOfTrailsExceededException(f"User: {account_id} already has {MAX_TRAILS_PER_REGION} trails in {region_name}.")
        settings.validate()
        backend.create_trail(
            name, settings.bucket, settings.prefix, settings.sns_topic_name, settings.include_global, settings.is_multi_region,
            settings.log_validation, settings.is_org_trail, settings.log_group_arn, settings.role_arn, settings.kms_key_id, settings.tags,
        )
        resource = cls(name, account_id, region_name)
        resource._apply_selectors_and_logging(settings)
        return resource

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: CloudTrailTrail, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> CloudTrailTrail:
        properties = cloudformation_json.get("Properties", {})
        new_name = _name_from(properties["TrailName"]) if properties.get("TrailName") else original_resource.trail_name
        if new_name != original_resource.trail_name:  # TrailName: update requires replacement
            replacement = cls.create_from_cloudformation_json(new_name, {"Properties": {**properties, "TrailName": new_name}}, account_id, region_name)
            original_resource.delete(account_id, region_name)
            return replacement
        settings = _Settings(new_name, properties, account_id, region_name)
        settings.validate()
        trail = original_resource.trail()
        trail.bucket_name = settings.bucket
        trail.check_bucket_exists()
        trail.s3_key_prefix = settings.prefix
        trail.sns_topic_name = settings.sns_topic_name
        trail.check_topic_exists()
        trail.include_global_service_events = settings.include_global
        trail.is_multi_region = settings.is_multi_region
        trail.log_validation = settings.log_validation
        trail.is_org_trail = settings.is_org_trail
        trail.cw_log_group_arn = settings.log_group_arn
        trail.cw_role_arn = settings.role_arn
        trail.kms_key_id = settings.kms_key_id
        tagging = original_resource._backend().tagging_service
        tagging.delete_all_tags_for_resource(trail.arn)
        tagging.tag_resource(trail.arn, settings.tags)
        original_resource._apply_selectors_and_logging(settings)
        return original_resource

    def _apply_selectors_and_logging(self, settings: _Settings) -> None:
        trail = self.trail()
        trail.event_selectors = settings.event_selectors
        trail.advanced_event_selectors = settings.advanced_event_selectors
        trail.insight_selectors = list(settings.insight_selectors)
        if settings.is_logging and not trail.status.is_logging:
            trail.start_logging()
        elif not settings.is_logging and trail.status.is_logging:
            trail.stop_logging()

    def delete(self, account_id: str, region_name: str) -> None:
        backend = self._backend()
        if self.trail_name in backend.trails:
            backend.tagging_service.delete_all_tags_for_resource(backend.trails[self.trail_name].arn)
        backend.delete_trail(self.trail_name)


# ---------------------------------------------------------------------------
# DescribeTrails / GetTrail (replaces moto.cloudtrail.models.Trail.description)
# ---------------------------------------------------------------------------
def _trail_description(self, include_region: bool = False) -> dict[str, Any]:
    """moto always said HasCustomEventSelectors/HasInsightSelectors false."""
    description = _original_description(self, include_region)
    description["HasCustomEventSelectors"] = bool(self.event_selectors or self.advanced_event_selectors)
    description["HasInsightSelectors"] = bool(self.insight_selectors)
    return description


_original_description = _MotoTrail.description


def apply() -> None:
    _MotoTrail.description = _trail_description
