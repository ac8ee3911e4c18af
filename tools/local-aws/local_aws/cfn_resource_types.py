"""Strict CloudFormation resource types, and the few types we add to moto.

moto 5.2.1 skips resource types it does not implement with a log warning
(parsing.resource_class_from_type returns None), so a stack "deploys" without
them and a test passes that would fail on AWS. Here a template that contains
such a type is refused (CreateChangeSet/CreateStack/UpdateStack answer
ValidationError naming the types), except for ALLOWED_UNIMPLEMENTED_TYPES.

Types added to moto's CloudFormation here (small, backed by moto's own
service backends, so the API sees what the stack created):
  AWS::S3::BucketPolicy   -> s3 put_bucket_policy / delete_bucket_policy
  AWS::SQS::QueuePolicy   -> sqs set_queue_attributes(Policy)
  AWS::SNS::TopicPolicy   -> sns set_topic_attribute(Policy)
  AWS::Logs::MetricFilter -> logs put_metric_filter / delete_metric_filter
  AWS::CloudWatch::Alarm  -> cloudwatch put_metric_alarm / delete_alarms
  AWS::CloudTrail::Trail  -> cloudtrail create_trail / start_logging / ...
                             (cfn_cloudtrail.py, with CreateTrail's checks)
  AWS::CloudFormation::StackSet -> the StackSets of cfn_stacksets.py
                             (cfn_stackset_resource.py)
(AWS::KMS::ReplicaKey is added in patch_kms_multiregion.py.)
"""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Stack
from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
from moto.core.common_models import CloudFormationModel
from moto.logs.models import logs_backends
from moto.s3 import models as s3_models
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.utilities.utils import get_partition

from . import cfn_cloudtrail  # defines AWS::CloudTrail::Trail (a CloudFormationModel subclass)

# Types moto does not implement whose absence cannot change a test outcome.
# Keep this list short; every entry needs a reason.
ALLOWED_UNIMPLEMENTED_TYPES = {
    # CDK analytics metadata (module versions); no behaviour, never referenced.
    "AWS::CDK::Metadata",
}

CUSTOM_RESOURCE_TYPE = "AWS::CloudFormation::CustomResource"


class UnsupportedResourceType(ValidationError):
    def __init__(self, resource_type: str):
        super().__init__(message=f"local AWS emulator: resource type {resource_type} is not implemented (moto 5.2.1)")


def is_custom_resource(resource_type: str) -> bool:
    return resource_type.startswith("Custom::") or resource_type == CUSTOM_RESOURCE_TYPE


def is_supported(resource_type: str) -> bool:
    return (
        is_custom_resource(resource_type)
        or resource_type in ALLOWED_UNIMPLEMENTED_TYPES
        or resource_type in parsing.get_model_map()
    )


def unsupported_resources(template: str | dict[str, Any] | None) -> dict[str, list[str]]:
    """{resource type: [logical ids]} of the types moto cannot create."""
    if not template:
        return {}
    template_dict = Stack.parse_template(template) if isinstance(template, str) else template
    found: dict[str, list[str]] = {}
    for logical_id, resource in (template_dict.get("Resources") or {}).items():
        resource_type = resource.get("Type", "")
        if not is_supported(resource_type):
            found.setdefault(resource_type, []).append(logical_id)
    return found


def reject_unsupported_resource_types(template: str | dict[str, Any] | None) -> None:
    found = unsupported_resources(template)
    if not found:
        return
    listing = "; ".join(f"{rtype} ({', '.join(ids)})" for rtype, ids in sorted(found.items()))
    raise ValidationError(
        message=(
            f"Template contains resource types the local AWS emulator does not implement: {listing}. "
            "moto 5.2.1 would silently skip them, so the stack is refused. Implement the type in "
            "tools/local-aws/local_aws/cfn_resource_types.py, or keep it out of stacks deployed locally."
        )
    )


def resource_class_from_type(resource_type: str) -> type[CloudFormationModel] | None:
    """Replaces parsing.resource_class_from_type (which returned None, i.e.
    "skip", for every unknown type, and did not know the standard custom
    resource type AWS::CloudFormation::CustomResource)."""
    if is_custom_resource(resource_type):
        return CustomModel
    if resource_type in ALLOWED_UNIMPLEMENTED_TYPES:
        return None
    model = parsing.get_model_map().get(resource_type)
    if model is None:
        raise UnsupportedResourceType(resource_type)
    return model


# ---------------------------------------------------------------------------
# Added resource types
# ---------------------------------------------------------------------------
def _policy_text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


class _AddedModel:
    """Shared plumbing for the added types (a mixin: moto lists only *direct*
    subclasses of CloudFormationModel). Physical id = the generated name."""

    def __init__(self, physical_id: str, account_id: str, region_name: str, properties: dict[str, Any]):
        self._physical_id = physical_id
        self.account_id = account_id
        self.region_name = region_name
        self.properties = properties

    @property
    def physical_resource_id(self) -> str:
        return self._physical_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any):
        resource = cls(resource_name, account_id, region_name, cloudformation_json.get("Properties", {}))
        resource.apply()
        return resource

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str):
        original_resource.remove()
        resource = cls(original_resource.physical_resource_id, account_id, region_name, cloudformation_json.get("Properties", {}))
        resource.apply()
        return resource

    def delete(self, account_id: str, region_name: str) -> None:
        self.remove()

    def apply(self) -> None:
        raise NotImplementedError

    def remove(self) -> None:
        raise NotImplementedError


class BucketPolicy(_AddedModel, CloudFormationModel):
    """AWS::S3::BucketPolicy -> the bucket's policy (GetBucketPolicy shows it)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    def _backend(self):
        return s3_models.s3_backends[self.account_id][get_partition(self.region_name)]

    def apply(self) -> None:
        self._backend().put_bucket_policy(self.properties["Bucket"], _policy_text(self.properties["PolicyDocument"]).encode())

    def remove(self) -> None:
        try:
            self._backend().delete_bucket_policy(self.properties["Bucket"])
        except Exception:  # noqa: BLE001 - the bucket is already gone
            pass


class QueuePolicy(_AddedModel, CloudFormationModel):
    """AWS::SQS::QueuePolicy -> each queue's Policy attribute."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SQS::QueuePolicy"

    def _queue_names(self) -> list[str]:
        return [url.rstrip("/").rsplit("/", 1)[-1] for url in self.properties.get("Queues", [])]

    def apply(self) -> None:
        backend = sqs_backends[self.account_id][self.region_name]
        for name in self._queue_names():
            backend.set_queue_attributes(name, {"Policy": _policy_text(self.properties["PolicyDocument"])})

    def remove(self) -> None:
        backend = sqs_backends[self.account_id][self.region_name]
        for name in self._queue_names():
            try:
                backend.set_queue_attributes(name, {"Policy": ""})
            except Exception:  # noqa: BLE001 - the queue is already gone
                pass


class TopicPolicy(_AddedModel, CloudFormationModel):
    """AWS::SNS::TopicPolicy -> each topic's Policy attribute."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::TopicPolicy"

    def apply(self) -> None:
        backend = sns_backends[self.account_id][self.region_name]
        for arn in self.properties.get("Topics", []):
            backend.set_topic_attribute(arn, "policy", _policy_text(self.properties["PolicyDocument"]))  # the model attribute, not the API name

    def remove(self) -> None:
        backend = sns_backends[self.account_id][self.region_name]
        for arn in self.properties.get("Topics", []):
            try:
                topic = backend.get_topic(arn)
                topic._policy_json = topic._create_default_topic_policy(self.region_name, self.account_id, topic.name)
            except Exception:  # noqa: BLE001 - the topic is already gone
                pass


class MetricFilter(_AddedModel, CloudFormationModel):
    """AWS::Logs::MetricFilter -> logs put_metric_filter."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Logs::MetricFilter"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "FilterName"

    def apply(self) -> None:
        transformations = []
        for t in self.properties.get("MetricTransformations", []):
            item = {"metricName": t["MetricName"], "metricNamespace": t["MetricNamespace"], "metricValue": t["MetricValue"]}
            if "DefaultValue" in t:
                item["defaultValue"] = float(t["DefaultValue"])
            if "Unit" in t:
                item["unit"] = t["Unit"]
            if "Dimensions" in t:
                item["dimensions"] = {d["Key"]: d["Value"] for d in t["Dimensions"]}
            transformations.append(item)
        logs_backends[self.account_id][self.region_name].put_metric_filter(
            self._physical_id, self.properties.get("FilterPattern", ""), self.properties["LogGroupName"], transformations
        )

    def remove(self) -> None:
        logs_backends[self.account_id][self.region_name].delete_metric_filter(self._physical_id, self.properties["LogGroupName"])


class Alarm(_AddedModel, CloudFormationModel):
    """AWS::CloudWatch::Alarm -> cloudwatch put_metric_alarm (no evaluation:
    moto never changes alarm state by itself)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return cloudwatch_backends[self.account_id][self.region_name].alarms[self._physical_id].alarm_arn
        raise ValidationError(message=f"Template error: resource of type AWS::CloudWatch::Alarm does not support attribute {attribute_name}")

    def apply(self) -> None:
        p = self.properties
        cloudwatch_backends[self.account_id][self.region_name].put_metric_alarm(
            name=self._physical_id,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            metric_data_queries=[_metric_data_query(m) for m in p["Metrics"]] if p.get("Metrics") else None,
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=int(p["EvaluationPeriods"]),
            datapoints_to_alarm=int(p["DatapointsToAlarm"]) if "DatapointsToAlarm" in p else None,
            period=int(p["Period"]) if "Period" in p else None,
            threshold=float(p["Threshold"]) if "Threshold" in p else None,
            statistic=p.get("Statistic"),
            extended_statistic=p.get("ExtendedStatistic"),
            description=p.get("AlarmDescription"),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in p.get("Dimensions", [])],
            alarm_actions=p.get("AlarmActions", []),
            ok_actions=p.get("OKActions", []),
            insufficient_data_actions=p.get("InsufficientDataActions", []),
            unit=p.get("Unit"),
            actions_enabled=str(p.get("ActionsEnabled", True)).lower() == "true",
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=p.get("ThresholdMetricId"),
            tags=p.get("Tags", []),
        )

    def remove(self) -> None:
        cloudwatch_backends[self.account_id][self.region_name].delete_alarms([self._physical_id])


def _metric_data_query(query: dict[str, Any]) -> MetricDataQuery:
    metric_stat = None
    stat = query.get("MetricStat")
    if stat:
        metric = stat.get("Metric", {})
        metric_stat = MetricStat(
            metric=Metric(
                metric_name=metric.get("MetricName"),
                namespace=metric.get("Namespace"),
                dimensions=[Dimension(name=d.get("Name"), value=d.get("Value")) for d in metric.get("Dimensions", [])],
            ),
            period=stat.get("Period"),
            stat=stat.get("Stat"),
            unit=stat.get("Unit"),
        )
    return MetricDataQuery(
        query_id=query.get("Id"),
        label=query.get("Label"),
        period=query.get("Period"),
        return_data=query.get("ReturnData"),
        expression=query.get("Expression"),
        metric_stat=metric_stat,
    )


# ---------------------------------------------------------------------------
# Bucket policy evaluation
# ---------------------------------------------------------------------------
def _bucket_get_permission(self: s3_models.FakeBucket, action: str, resource: str) -> Any:
    """Replaces FakeBucket.get_permission.

    moto evaluates a bucket policy against object requests without any
    request context, so a statement with a Condition can never match and is
    treated as DENIED -- e.g. the CDK bootstrap bucket's "Deny unless
    aws:SecureTransport" statement would deny every asset upload. Statements
    with conditions are skipped here; the rest is evaluated as moto does.
    """
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(self.policy.decode())
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    document["Statement"] = [s for s in statements if not s.get("Condition")]
    if not document["Statement"]:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)


def apply() -> None:
    from . import cfn_stackset_resource  # noqa: F401 - defines AWS::CloudFormation::StackSet (a CloudFormationModel subclass)

    parsing.resource_class_from_type = resource_class_from_type
    cfn_cloudtrail.apply()
    s3_models.FakeBucket.get_permission = _bucket_get_permission
    # The model list/map are lru_cached from CloudFormationModel.__subclasses__();
    # the classes above exist now, so rebuild them.
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
