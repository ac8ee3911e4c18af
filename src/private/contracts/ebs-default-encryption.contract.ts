/**
 * The contract between `EbsDefaultEncryption` and its bundled custom-resource handler: the
 * resource type, the properties the construct sets, their parsing, the physical id and the data
 * the handler returns. Imported by both, so the two cannot drift apart.
 */

/** The CloudFormation type of the custom resource. */
export const EBS_RESOURCE_TYPE = 'Custom::KmsGovernanceEbsDefaultEncryption';

/**
 * The construct id of the per-stack handler (a `HardenedFunction` at the stack level). Changing it
 * would replace the function, and with it the custom resource's service token.
 */
export const EBS_HANDLER_ID = 'KmsGovernanceEbsDefaultEncryptionHandler';

/** What `GetEbsDefaultKmsKeyId` answers when no customer managed key is set: the AWS managed key. */
export const AWS_MANAGED_EBS_KEY = 'alias/aws/ebs';

/** The names of the custom-resource properties. */
export const EbsProperty = {
  /** The ARN of the key to make the default EBS key. */
  KMS_KEY_ARN: 'KmsKeyArn',
  /** `'true'` to turn encryption by default off on Delete; anything else leaves it on. */
  DISABLE_ON_DELETE: 'DisableOnDelete',
} as const;

/** The names of the attributes (`Data`) the handler returns on Create and Update. */
export const EbsAttribute = {
  /** The default EBS key after the change, as `GetEbsDefaultKmsKeyId` reports it. */
  KMS_KEY_ID: 'KmsKeyId',
  /** `'true'` when encryption by default is on, as `GetEbsEncryptionByDefault` reports it. */
  ENCRYPTION_BY_DEFAULT: 'EncryptionByDefault',
} as const;

/** The settings of one `EbsDefaultEncryption`, as the construct knows them. */
export interface EbsSettings {
  readonly kmsKeyArn: string;
  readonly disableOnDelete: boolean;
}

/**
 * The custom-resource properties for the settings. CloudFormation hands every scalar property to
 * the handler as a string, so the boolean travels as `'true'` or `'false'`.
 */
export function toProperties(settings: EbsSettings): Record<string, string> {
  return {
    [EbsProperty.KMS_KEY_ARN]: settings.kmsKeyArn,
    [EbsProperty.DISABLE_ON_DELETE]: settings.disableOnDelete ? 'true' : 'false',
  };
}

/**
 * The settings from the properties CloudFormation delivers. Throws, naming the property, when the
 * key ARN is missing or the flag is not a boolean.
 */
export function fromProperties(properties: Record<string, unknown> | undefined): EbsSettings {
  const kmsKeyArn = properties?.[EbsProperty.KMS_KEY_ARN];
  if (typeof kmsKeyArn !== 'string' || kmsKeyArn.length === 0) {
    throw new Error(`the property ${EbsProperty.KMS_KEY_ARN} must be a key ARN. Received: ${JSON.stringify(kmsKeyArn ?? null)}`);
  }
  return { kmsKeyArn, disableOnDelete: parseFlag(properties?.[EbsProperty.DISABLE_ON_DELETE]) };
}

/**
 * Whether Delete turns encryption by default off. Lenient on purpose: a Delete must not fail over
 * a malformed property (that would block the stack's deletion), and anything but an explicit
 * `true` keeps the protection on.
 */
export function disableOnDelete(properties: Record<string, unknown> | undefined): boolean {
  try {
    return parseFlag(properties?.[EbsProperty.DISABLE_ON_DELETE]);
  } catch {
    return false;
  }
}

/**
 * The physical id of the custom resource: one setting per account and Region, so one id per
 * Region. It never changes on Update; a new id would make CloudFormation delete the "old" resource
 * and so reset the default key it has just set.
 */
export function ebsPhysicalResourceId(region: string): string {
  return `ebs-default-encryption:${region}`;
}

function parseFlag(value: unknown): boolean {
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(`the property ${EbsProperty.DISABLE_ON_DELETE} must be "true" or "false". Received: ${JSON.stringify(value)}`);
}
