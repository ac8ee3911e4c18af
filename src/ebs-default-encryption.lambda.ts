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
import { EbsAttribute, disableOnDelete, ebsPhysicalResourceId, fromProperties } from './private/contracts/ebs-default-encryption.contract';
import { CustomResourceOutcome } from './private/handlers/cfn-response';
import { HANDLER_CLIENT_CONFIG } from './private/handlers/client-config';
import { RequestContext, customResourceHandler } from './private/handlers/custom-resource';
import { describeError } from './private/handlers/errors';

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

const ec2 = new EC2Client(HANDLER_CLIENT_CONFIG);

export const handler = customResourceHandler({
  resource: 'ebs-default-encryption',
  // One setting per account and Region, so one physical id per Region. Update and Delete keep the
  // id CloudFormation knows: a new id on Update would make it delete the "old" resource afterwards,
  // which would reset the key just set.
  failedCreateId: async () => ebsPhysicalResourceId(await region()),
  onCreate: async (event, ctx) => applied(ebsPhysicalResourceId(await region()), event, ctx),
  onUpdate: async (event, ctx) => applied(event.PhysicalResourceId, event, ctx),
  onDelete: async (event, ctx) => {
    await removeDefault(disableOnDelete(event.ResourceProperties), ctx);
    return { status: 'SUCCESS', physicalResourceId: event.PhysicalResourceId };
  },
  failureReason: (event, e) => `${event.RequestType} of the EBS default encryption failed: ${describeError(e)}`,
});

async function applied(physicalResourceId: string, event: CloudFormationCustomResourceEvent, ctx: RequestContext): Promise<CustomResourceOutcome> {
  const { kmsKeyArn } = fromProperties(event.ResourceProperties);
  return { status: 'SUCCESS', physicalResourceId, data: await applyDefault(kmsKeyArn, ctx) };
}

/** Encryption by default on, the key as the default, and both read back. */
async function applyDefault(kmsKeyArn: string, { signal }: RequestContext): Promise<Record<string, string>> {
  const options = { abortSignal: signal };
  await ec2.send(new EnableEbsEncryptionByDefaultCommand({}), options);
  const modified = await ec2.send(new ModifyEbsDefaultKmsKeyIdCommand({ KmsKeyId: kmsKeyArn }), options);
  // EC2 validates the key asynchronously: read back what it stored rather than trust the call.
  const [{ EbsEncryptionByDefault }, { KmsKeyId }] = await Promise.all([
    ec2.send(new GetEbsEncryptionByDefaultCommand({}), options),
    ec2.send(new GetEbsDefaultKmsKeyIdCommand({}), options),
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
async function removeDefault(disable: boolean, { signal }: RequestContext): Promise<void> {
  await ec2.send(new ResetEbsDefaultKmsKeyIdCommand({}), { abortSignal: signal });
  if (disable) {
    await ec2.send(new DisableEbsEncryptionByDefaultCommand({}), { abortSignal: signal });
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
