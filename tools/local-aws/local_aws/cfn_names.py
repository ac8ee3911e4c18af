"""Generated physical names fit the resource's name limit (moto 5.2.1, moto/cloudformation/parsing.py).

Replaces parsing.generate_resource_name. For a resource without an explicit
name, CloudFormation generates ``<stack name>-<logical id>-<random>`` and,
where that is longer than the type allows, shortens it. AWS documents no
rule; an observed name, ``MyStackDev-MyNestedApplicationStack-
MyLambdaFunctionName-1U44TLUZ7OR55`` shortened to ``MyStackDev-
MyNestedApplicatio-MyLambdaFunctionName-1U44TLUZ7OR55`` (64 characters),
shows the stack name part giving way first. Here it gives way down to half
of the room the random part leaves, then the logical ID does. moto never
shortened, so in a StackSets instance (stack ``StackSet-<name>-<uuid>``, 46+ characters)
every generated Lambda function or IAM role name broke the service's limit.
Limits per type (the service's name limit): Lambda function, IAM role, IAM
user, EventBridge rule 64; SQS queue, Step Functions state machine 80; IAM
group, managed policy, instance profile 128; DynamoDB table 255; SNS topic
256; CloudWatch Logs log group 512. Other types keep moto's names.
"""

from __future__ import annotations

from moto.cloudformation import parsing

NAME_LIMITS = {
    "AWS::Lambda::Function": 64,
    "AWS::IAM::Role": 64,
    "AWS::IAM::User": 64,
    "AWS::Events::Rule": 64,
    "AWS::SQS::Queue": 80,
    "AWS::StepFunctions::StateMachine": 80,
    "AWS::IAM::Group": 128,
    "AWS::IAM::ManagedPolicy": 128,
    "AWS::IAM::InstanceProfile": 128,
    "AWS::DynamoDB::Table": 255,
    "AWS::SNS::Topic": 256,
    "AWS::Logs::LogGroup": 512,
}

_original_generate_resource_name = parsing.generate_resource_name


def shorten(stack_name: str, logical_id: str, suffix: str, limit: int) -> str:
    """``stack-logical-suffix`` within ``limit``: the stack name gives way first,
    down to half the room, then the logical ID."""
    room = limit - len(suffix) - 2
    if len(stack_name) + len(logical_id) <= room:
        return f"{stack_name}-{logical_id}-{suffix}"
    keep_stack = max(room - len(logical_id), min(len(stack_name), room // 2))
    keep_logical = room - keep_stack
    return f"{stack_name[:keep_stack]}-{logical_id[:keep_logical]}-{suffix}"


def generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> str:
    name = _original_generate_resource_name(resource_type, stack_name, logical_id)
    limit = NAME_LIMITS.get(resource_type)
    if limit is None or len(name) <= limit:
        return name
    suffix = name.rsplit("-", 1)[-1]
    return shorten(stack_name, logical_id, suffix, limit)


def apply() -> None:
    parsing.generate_resource_name = generate_resource_name
