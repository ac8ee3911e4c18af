"""Unimplemented actions fail fast (moto 5.2.1, moto/core/responses.py).

BaseResponse.call_action raises NotImplementedError for an action moto does
not implement; the server turns that into HTTP 500, which every AWS SDK
retries with back-off (the CDK CLI's CloudTrail LookupEvents after a failed
deployment took ~25 s that way). Here it becomes an HTTP 400 error with code
"NotImplemented" and a message naming the action, which SDKs do not retry.
"""

from __future__ import annotations

import json
import logging
from xml.sax.saxutils import escape

from moto.core.responses import BaseResponse

from . import constants as c

logger = logging.getLogger("local_aws")
_original_call_action = BaseResponse.call_action


def _is_json_protocol(response: BaseResponse) -> bool:
    headers = response.headers or {}
    content_type = str(headers.get("Content-Type") or headers.get("content-type") or "")
    return bool(headers.get("X-Amz-Target") or headers.get("x-amz-target")) or "json" in content_type


def not_implemented(response: BaseResponse, error: NotImplementedError) -> tuple[int, dict, str]:
    message = f"local AWS emulator: {error} (moto {c.REQUIRED_MOTO_VERSION})"
    logger.warning(message)
    headers = {"status": 400, "x-amzn-errortype": "NotImplemented"}
    if _is_json_protocol(response):
        headers["content-type"] = "application/json"
        return 400, headers, json.dumps({"__type": "NotImplemented", "message": message})
    headers["content-type"] = "text/xml"
    code_and_message = f"<Code>NotImplemented</Code><Message>{escape(message)}</Message>"
    if getattr(response, "service_name", "") == "ec2":
        body = f"<Response><Errors><Error>{code_and_message}</Error></Errors><RequestID>local-aws</RequestID></Response>"
    else:
        body = f"<ErrorResponse><Error><Type>Sender</Type>{code_and_message}</Error><RequestId>local-aws</RequestId></ErrorResponse>"
    return 400, headers, body


def call_action(self: BaseResponse):
    try:
        return _original_call_action(self)
    except NotImplementedError as error:
        return not_implemented(self, error)


def apply() -> None:
    BaseResponse.call_action = call_action
