"""Stack and resource events, stack status, and the failure types shared by
the CloudFormation patches (patch_cloudformation, cfn_custom_resources,
cfn_lifecycle)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.models import Event, Stack
from moto.core.exceptions import JsonRESTError, ServiceException


class CustomResourceFailure(Exception):
    """A custom resource answered FAILED, or never answered.

    ``response`` is the provider's FAILED answer (None if there was none);
    ``sent`` says whether a request reached the provider at all."""

    def __init__(self, message: str, response: dict[str, Any] | None = None, sent: bool = True):
        super().__init__(message)
        self.response = response
        self.sent = sent
        self.resource: Any = None  # the CustomModel of a failed Create (it gets a Delete on rollback)


class StackOperationFailure(Exception):
    """A stack operation failed; the message is the stack's StatusReason."""


class ResourceFailure(Exception):
    """Resource ``logical_id`` could not be created or updated (already recorded as an event)."""

    def __init__(self, logical_id: str, reason: str):
        super().__init__(reason)
        self.logical_id = logical_id
        self.reason = reason


CANCELLED = "Resource creation cancelled"


def describe_error(error: BaseException) -> str:
    """A one-line reason for a stack event, from any exception."""
    if isinstance(error, (ResourceFailure, CustomResourceFailure, StackOperationFailure)):
        return str(error)
    if isinstance(error, ServiceException):
        return f"{error.code}: {error.message}"
    if isinstance(error, JsonRESTError):
        return f"{error.error_type}: {error.message}"
    return f"{type(error).__name__}: {error}"


def add_resource_event(stack: Stack, logical_id: str, resource_type: str, status: str, reason: str | None = None, physical_id: str | None = None) -> None:
    event = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=physical_id or "",
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    _append_event(stack, event)


def _append_event(stack: Stack, event: Event) -> None:
    """Events get timestamps at least 1 ms apart: the CLI sorts events by
    timestamp (millisecond precision), and a whole stack is often created
    within one millisecond here."""
    if stack.events:
        earliest = stack.events[-1].timestamp + timedelta(milliseconds=1)
        if event.timestamp < earliest:
            event.timestamp = earliest
    stack.events.append(event)


def set_stack_status(stack: Stack, status: str, reason: str | None = None, keep_reason: bool = False) -> None:
    """Stack status + the stack-level event; ``reason`` becomes StackStatusReason."""
    stack.status = status
    if not keep_reason:
        stack.stack_status_reason = reason
    stack._add_stack_event(status, resource_status_reason=reason)
    last = stack.events.pop()
    _append_event(stack, last)


def stack_of(resources_map: parsing.ResourceMap) -> Stack | None:
    return getattr(resources_map, "_local_aws_stack", None)


def physical_id_of(resource: Any) -> str | None:
    value = getattr(resource, "physical_resource_id", None)
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------------------
# The resource map outside create/update, and outputs
# ---------------------------------------------------------------------------
def freeze(stack: Stack) -> None:
    """moto's ResourceMap creates a missing resource whenever it is looked up
    (also from DescribeStackResources or an output); a frozen map never does
    (see patch_cloudformation.parse_and_create_resource)."""
    stack.resource_map._local_aws_frozen = True


def thaw(stack: Stack) -> None:
    stack.resource_map._local_aws_frozen = False


def evaluate_outputs(stack: Stack) -> None:
    """Build the outputs once all resources exist (moto evaluated them lazily,
    and cached values read while custom resources had not answered yet)."""
    stack.output_map = stack._create_output_map()
    for key in list(stack.output_map.outputs):
        stack.output_map[key]
    stack.output_map.exports  # noqa: B018 - resolves export names/values now
