"""Unimplemented actions fail fast, and IAM denials are readable by JSON
clients (moto 5.2.1, moto/core/responses.py, moto/core/authorization.py).

BaseResponse.call_action raises NotImplementedError for an action moto does
not implement; the server turns that into HTTP 500, which every AWS SDK
retries with back-off (the CDK CLI's CloudTrail LookupEvents after a failed
deployment took ~25 s that way). Here it becomes an HTTP 400 error with code
"NotImplemented" and a message naming the action, which SDKs do not retry.

When IAM is enforced (moto's POST /moto-api/reset-auth; never by default),
moto answers a denied or unsigned request with an XML ErrorResponse served as
text/html, whatever the protocol. An AWS SDK for a JSON-protocol service
(KMS, ...) cannot parse that: the JavaScript SDK throws "SyntaxError:
Unexpected token '<'". AWS answers such requests in JSON
({"__type": "AccessDeniedException", ...}); here they are answered the same
way, with the code in x-amzn-ErrorType (and x-amzn-query-error for
query-compatible JSON clients such as CloudWatch's).
"""

from __future__ import annotations

import json
import logging
from xml.sax.saxutils import escape

from moto.core.exceptions import JsonRESTError, _RESTError
from moto.core.responses import BaseResponse

from . import constants as c

logger = logging.getLogger("local_aws")
_original_call_action = BaseResponse.call_action
_original_authorize = BaseResponse._authenticate_and_authorize_normal_action

# moto's authorization error codes (IAM/query style) -> the codes AWS JSON-protocol services use.
JSON_AUTH_ERROR_CODES = {
    "AccessDenied": "AccessDeniedException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
}


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


def authorize_normal_action(self: BaseResponse, resource: str = "*") -> None:
    try:
        _original_authorize(self, resource)
    except _RESTError as error:
        if isinstance(error, JsonRESTError) or not _is_json_protocol(self):
            raise
        code = JSON_AUTH_ERROR_CODES.get(error.error_type, error.error_type)
        json_error = JsonRESTError(code, error.message)
        json_error.code = error.code
        # call_action sends the error with self.response_headers.
        self.response_headers.update({"content-type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code})
        headers = self.headers or {}
        if headers.get("x-amzn-query-mode") or headers.get("X-Amzn-Query-Mode"):
            self.response_headers["x-amzn-query-error"] = f"{error.error_type};Sender"
        raise json_error from None


def apply() -> None:
    BaseResponse.call_action = call_action
    BaseResponse._authenticate_and_authorize_normal_action = authorize_normal_action
