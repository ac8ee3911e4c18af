import {
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsDefaultKmsKeyIdCommand,
  GetEbsEncryptionByDefaultCommand,
  ModifyEbsDefaultKmsKeyIdCommand,
  ResetEbsDefaultKmsKeyIdCommand,
} from '@aws-sdk/client-ec2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CustomResourceOutcome, respond } from './private/cfn-response';
import { EbsAttribute, disableOnDelete, ebsPhysicalResourceId, fromProperties } from './private/ebs-contract';
import { describeError } from './private/handler-util';

/**
 * The custom-resource handler of `EbsDefaultEncryption`: account-and-Region default EBS
 * encryption with a customer managed key.
 *
 * - Create and Update: turn encryption by default on, make the key the default EBS key, and
 *   read both settings back.
 * - Delete: reset the default key to the AWS managed key (`alias/aws/ebs`); turn encryption by
 *   default off only when the resource asked for it. Both calls are idempotent.
 *
 * Every outcome is reported to CloudFormation; an error becomes FAILED with the AWS error name and
 * message. Only the request type and the outcome are logged.
 */

const ec2 = new EC2Client({});

export async function handler(event: CloudFormationCustomResourceEvent): Promise<void> {
  // Update and Delete keep the id CloudFormation knows: a new id on Update would make it delete
  // the "old" resource afterwards, which would reset the key just set.
  const physicalResourceId = event.RequestType === 'Create' ? ebsPhysicalResourceId(await region()) : event.PhysicalResourceId;
  let outcome: CustomResourceOutcome;
  try {
    if (event.RequestType === 'Delete') {
      await removeDefault(disableOnDelete(event.ResourceProperties));
      outcome = { status: 'SUCCESS', physicalResourceId };
    } else {
      const { kmsKeyArn } = fromProperties(event.ResourceProperties);
      outcome = { status: 'SUCCESS', physicalResourceId, data: await applyDefault(kmsKeyArn) };
    }
  } catch (e) {
    outcome = { status: 'FAILED', physicalResourceId, reason: `${event.RequestType} of the EBS default encryption failed: ${describeError(e)}` };
  }
  console.log(JSON.stringify({ event: 'ebs-default-encryption', requestType: event.RequestType, status: outcome.status }));
  await respond(event, outcome);
}

/** Encryption by default on, the key as the default, and both read back. */
async function applyDefault(kmsKeyArn: string): Promise<Record<string, string>> {
  await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
  const modified = await ec2.send(new ModifyEbsDefaultKmsKeyIdCommand({ KmsKeyId: kmsKeyArn }));
  // EC2 validates the key asynchronously: read back what it stored rather than trust the call.
  const [{ EbsEncryptionByDefault }, { KmsKeyId }] = await Promise.all([
    ec2.send(new GetEbsEncryptionByDefaultCommand({})),
    ec2.send(new GetEbsDefaultKmsKeyIdCommand({})),
  ]);
  if (EbsEncryptionByDefault !== true) {
    throw new Error(`GetEbsEncryptionByDefault reports ${EbsEncryptionByDefault} after EnableEbsEncryptionByDefault`);
  }
  const expected = modified.KmsKeyId ?? kmsKeyArn;
  if (KmsKeyId !== expected) {
    throw new Error(`GetEbsDefaultKmsKeyId reports ${KmsKeyId} after ModifyEbsDefaultKmsKeyId set ${expected}`);
  }
  return { [EbsAttribute.KMS_KEY_ID]: KmsKeyId, [EbsAttribute.ENCRYPTION_BY_DEFAULT]: 'true' };
}

/** Back to the AWS managed key; encryption by default stays on unless asked otherwise. */
async function removeDefault(disable: boolean): Promise<void> {
  await ec2.send(new ResetEbsDefaultKmsKeyIdCommand({}));
  if (disable) {
    await ec2.send(new DisableEbsEncryptionByDefaultCommand({}));
  }
}

/** The Region of the setting. Never throws: CloudFormation must always get an answer. */
async function region(): Promise<string> {
  try {
    return process.env.AWS_REGION ?? (await ec2.config.region());
  } catch {
    return 'unknown-region';
  }
}
