"""EBS default KMS key: GetEbsDefaultKmsKeyId and ResetEbsDefaultKmsKeyId.

moto 5.2.1 implements ModifyEbsDefaultKmsKeyId (EBSBackend.modify_ebs_default_kms_key_id,
moto/ec2/models/elastic_block_store.py) and Enable/Disable/GetEbsEncryptionByDefault,
but answers NotImplementedError for these two. Added here:

  GetEbsDefaultKmsKeyId   -> {"KmsKeyId": <the key set by Modify...>} or, when
                             it was never set (or was reset), "alias/aws/ebs"
                             (the AWS managed key for EBS).
  ResetEbsDefaultKmsKeyId -> back to the AWS managed key; answers "alias/aws/ebs".

Response shape (EC2 API reference): both return a single KmsKeyId string.
moto's own default_kms_key_id (used for encrypted volumes without a key) is
left alone; whether the customer set a default is tracked separately,
because moto fills default_kms_key_id lazily with the aws/ebs key ARN.
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.ec2.models.elastic_block_store import EBSBackend
from moto.ec2.responses import EC2Response

AWS_MANAGED_EBS_KEY = "alias/aws/ebs"

_original_modify = EBSBackend.modify_ebs_default_kms_key_id


def modify_ebs_default_kms_key_id(self: EBSBackend, kms_key_id: str) -> str:
    arn = _original_modify(self, kms_key_id)
    self.customer_default_kms_key_id = arn if kms_key_id else None
    return arn


def get_ebs_default_kms_key_id(self: EBSBackend) -> str:
    return getattr(self, "customer_default_kms_key_id", None) or AWS_MANAGED_EBS_KEY


def reset_ebs_default_kms_key_id(self: EBSBackend) -> str:
    self.customer_default_kms_key_id = None
    self.default_kms_key_id = ""  # encrypted volumes fall back to aws/ebs again
    return AWS_MANAGED_EBS_KEY


def get_ebs_default_kms_key_id_response(self: EC2Response) -> ActionResult:
    self.error_on_dryrun()
    return ActionResult({"KmsKeyId": self.ec2_backend.get_ebs_default_kms_key_id()})


def reset_ebs_default_kms_key_id_response(self: EC2Response) -> ActionResult:
    self.error_on_dryrun()
    return ActionResult({"KmsKeyId": self.ec2_backend.reset_ebs_default_kms_key_id()})


def apply() -> None:
    EBSBackend.modify_ebs_default_kms_key_id = modify_ebs_default_kms_key_id
    EBSBackend.get_ebs_default_kms_key_id = get_ebs_default_kms_key_id
    EBSBackend.reset_ebs_default_kms_key_id = reset_ebs_default_kms_key_id
    EC2Response.get_ebs_default_kms_key_id = get_ebs_default_kms_key_id_response
    EC2Response.reset_ebs_default_kms_key_id = reset_ebs_default_kms_key_id_response
