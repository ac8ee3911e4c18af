"""A bucket created by CloudFormation keeps its Bucket Key setting (moto 5.2.1, moto/s3/cloud_formation.py).

moto converts `BucketEncryption` from a template with `cfn_to_api_encryption`, which drops
`BucketKeyEnabled`; objects then report `BucketKeyEnabled: false` on HeadObject although the
bucket asks for Bucket Keys. Here the converted rule carries it, as PutBucketEncryption would.
"""

from __future__ import annotations

from typing import Any

import moto.s3.models as s3_models
from moto.s3.cloud_formation import cfn_to_api_encryption as _original


def cfn_to_api_encryption(properties: dict[str, Any]) -> dict[str, Any]:
    converted = _original(properties)
    rule = (properties.get("ServerSideEncryptionConfiguration") or [{}])[0]
    if "BucketKeyEnabled" in rule:
        converted["Rule"]["BucketKeyEnabled"] = str(rule["BucketKeyEnabled"]).lower() == "true"
    return converted


def apply() -> None:
    s3_models.cfn_to_api_encryption = cfn_to_api_encryption
