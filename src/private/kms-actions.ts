/**
 * The KMS action sets of the library. This is the one place they are listed: every key-policy
 * statement, guardrail policy and nag rule takes its actions from here.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
 */

/**
 * Key administration: manage the key's life cycle, policy, aliases and tags, and never use it.
 *
 * An explicit list with no wildcards (the console's default policy writes `kms:Create*`, which
 * would include `kms:CreateGrant`). `kms:CreateGrant` is deliberately absent: a grant can confer
 * use of the key, so only service users get it, and only for AWS resources.
 */
export const ADMIN_ACTIONS: readonly string[] = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReplicateKey',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
  'kms:UpdatePrimaryRegion',
];

/**
 * Every action that uses key material, or that can confer its use (`kms:CreateGrant`).
 * `KeyAdminRole` denies all of these; nag rules treat any of them as "use".
 */
export const CRYPTOGRAPHIC_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:DeriveSharedSecret',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateMac',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:Sign',
  'kms:Verify',
  'kms:VerifyMac',
];

/** The grant operations; a grant can confer use of the key. */
export const GRANT_ACTIONS: readonly string[] = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'];

/**
 * Use of a key, or a change to who may use it: every cryptographic action, creating grants (a grant
 * can confer use) and retiring them. `KeyAdminRole` and `KeyAuditorRole` deny all of these, and the
 * nag pack treats any of them as use.
 */
export const USE_OR_CONFER_USE_ACTIONS: readonly string[] = [...CRYPTOGRAPHIC_ACTIONS, 'kms:CreateGrant', 'kms:RetireGrant'];

/**
 * Administration actions that confer nothing: describing a key and listing or revoking its grants.
 * They join whichever role they come with (a user may describe the key it uses).
 */
export const NEUTRAL_ACTIONS: readonly string[] = ['kms:DescribeKey', 'kms:ListGrants', 'kms:RevokeGrant'];

/**
 * Administration of imported key material (keys with `Origin: EXTERNAL`): the wrapping key and
 * import token, importing material, and deleting it. They are administration, not use: none of
 * them encrypts or decrypts, and whoever imports material holds it outside AWS anyway. They are
 * administration only: a user who could delete the material could make the key unusable, and one
 * who could import could replace it. The console's default policy for EXTERNAL keys gives them to
 * the key administrators too. `KeyAuditorRole` denies them.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html
 */
export const KEY_MATERIAL_ACTIONS: readonly string[] = ['kms:DeleteImportedKeyMaterial', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial'];

/** The administration actions that only an administrator has: `ADMIN_ACTIONS` without the neutral ones, and the key-material actions. */
export const ADMINISTRATION_ONLY_ACTIONS: readonly string[] = [...ADMIN_ACTIONS.filter((a) => !NEUTRAL_ACTIONS.includes(a)), ...KEY_MATERIAL_ACTIONS];

/** The administration actions of a key with imported key material: `ADMIN_ACTIONS` and `KEY_MATERIAL_ACTIONS`. */
export const EXTERNAL_KEY_ADMIN_ACTIONS: readonly string[] = [...ADMIN_ACTIONS, ...KEY_MATERIAL_ACTIONS].sort();

/** The administration actions of a key by its key-material origin (`AWS_KMS` or `EXTERNAL`). */
export function adminActionsFor(origin: string | undefined): readonly string[] {
  return origin === 'EXTERNAL' ? EXTERNAL_KEY_ADMIN_ACTIONS : ADMIN_ACTIONS;
}

/**
 * The actions AWS KMS lets a principal of another account perform on a key (the API reference's
 * "Cross-account use: Yes"): the cryptographic operations, `DescribeKey`, `GetPublicKey`,
 * `GetKeyRotationStatus` and the grant operations. Every other administration action (key policy,
 * aliases, tags, rotation settings, enabling, disabling, deletion) works only from the key's own
 * account, whatever its key policy says.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
 */
export const CROSS_ACCOUNT_ACTIONS: readonly string[] = [
  ...CRYPTOGRAPHIC_ACTIONS,
  'kms:CreateGrant',
  'kms:DescribeKey',
  'kms:GetKeyRotationStatus',
  'kms:GetPublicKey',
  'kms:ListGrants',
  'kms:RetireGrant',
  'kms:RevokeGrant',
].sort();

/** Creating a grant: grant management that can confer use, so it needs `kms:GrantIsForAWSResource`. */
export const CREATE_GRANT_ACTIONS: readonly string[] = ['kms:CreateGrant'];

/** Changing a key policy: what the lockout safety check protects. */
export const PUT_KEY_POLICY_ACTION = 'kms:PutKeyPolicy';

/** Creating a key: not an action on a key, so no key policy grants it. */
export const CREATE_KEY_ACTION = 'kms:CreateKey';

/** What a lockout bypass needs: `CreateKey` and `PutKeyPolicy` with `kms:BypassPolicyLockoutSafetyCheck`. */
export const LOCKOUT_BYPASS_ACTIONS: readonly string[] = [CREATE_KEY_ACTION, PUT_KEY_POLICY_ACTION];

/** Decrypting with every key: what Security Hub KMS.1 and KMS.2 forbid on `Resource: "*"`. */
export const DECRYPT_ANY_KEY_ACTIONS: readonly string[] = ['kms:Decrypt', 'kms:ReEncryptFrom'];

/** Every KMS action: the AWS default key policy gives it to the account root. */
export const ALL_KMS_ACTIONS = 'kms:*';

/** Metric and event names of imported key material. */
export const KeyMaterialMonitoring = {
  /** The CloudWatch namespace of KMS metrics. */
  NAMESPACE: 'AWS/KMS',
  /** Seconds until the imported key material expires; published only for EXTERNAL keys whose material expires. */
  SECONDS_UNTIL_EXPIRATION: 'SecondsUntilKeyMaterialExpiration',
  /** The metric's dimension: the key ID. */
  DIMENSION: 'KeyId',
  /** The EventBridge event source of KMS. */
  EVENT_SOURCE: 'aws.kms',
  /** The EventBridge detail type KMS sends when it deletes expired imported key material. */
  EXPIRATION_DETAIL_TYPE: 'KMS Imported Key Material Expiration',
} as const;

/** Decrypt, as CDK's `grantDecrypt` defines it. */
export const DECRYPT_ACTIONS: readonly string[] = ['kms:Decrypt'];

/** Encrypt, as CDK's `grantEncrypt` defines it (data keys and re-encryption included). */
export const ENCRYPT_ACTIONS: readonly string[] = ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

/** Signing, as CDK's `grantSign` defines it. */
export const SIGN_ACTIONS: readonly string[] = ['kms:Sign'];
/** Verification, as CDK's `grantVerify` defines it. */
export const VERIFY_ACTIONS: readonly string[] = ['kms:Verify'];
/** MAC generation, as CDK's `grantGenerateMac` defines it. */
export const GENERATE_MAC_ACTIONS: readonly string[] = ['kms:GenerateMac'];
/** MAC verification, as CDK's `grantVerifyMac` defines it. */
export const VERIFY_MAC_ACTIONS: readonly string[] = ['kms:VerifyMac'];

/** Usage of a symmetric encryption key. */
export const SYMMETRIC_USAGE_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
];

/** Usage of an asymmetric (RSA or SM2) encryption key. Data keys cannot come from one. */
export const ASYMMETRIC_ENCRYPT_USAGE_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GetPublicKey',
  'kms:ReEncrypt*',
];

/** Usage of a signing key. */
export const SIGN_VERIFY_USAGE_ACTIONS: readonly string[] = ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign', 'kms:Verify'];

/** Usage of an HMAC key. */
export const HMAC_USAGE_ACTIONS: readonly string[] = ['kms:DescribeKey', 'kms:GenerateMac', 'kms:VerifyMac'];

/** Usage of a key-agreement key. */
export const KEY_AGREEMENT_USAGE_ACTIONS: readonly string[] = ['kms:DeriveSharedSecret', 'kms:DescribeKey', 'kms:GetPublicKey'];

/** The KMS condition keys the library writes. */
export const KmsCondition = {
  /** The service endpoint a request came through. */
  VIA_SERVICE: 'kms:ViaService',
  /** The account of the caller. */
  CALLER_ACCOUNT: 'kms:CallerAccount',
  /** Whether a grant is created by an AWS service for an AWS resource. */
  GRANT_IS_FOR_AWS_RESOURCE: 'kms:GrantIsForAWSResource',
  /** Whether a CreateKey or PutKeyPolicy bypasses the lockout safety check. */
  BYPASS_POLICY_LOCKOUT_SAFETY_CHECK: 'kms:BypassPolicyLockoutSafetyCheck',
} as const;

/** The global condition keys the library writes. */
export const GlobalCondition = {
  SOURCE_ACCOUNT: 'aws:SourceAccount',
  SOURCE_ARN: 'aws:SourceArn',
  SOURCE_ORG_ID: 'aws:SourceOrgID',
  PRINCIPAL_ARN: 'aws:PrincipalArn',
  PRINCIPAL_ACCOUNT: 'aws:PrincipalAccount',
  PRINCIPAL_ORG_ID: 'aws:PrincipalOrgID',
  PRINCIPAL_ORG_PATHS: 'aws:PrincipalOrgPaths',
  PRINCIPAL_IS_AWS_SERVICE: 'aws:PrincipalIsAWSService',
} as const;

/** The prefix of the encryption-context condition keys. */
export const ENCRYPTION_CONTEXT_PREFIX = 'kms:EncryptionContext:';

/** The condition key of one encryption-context pair: `kms:EncryptionContext:<key>`. */
export function encryptionContextKey(contextKey: string): string {
  return `${ENCRYPTION_CONTEXT_PREFIX}${contextKey}`;
}

/**
 * What an AWS service needs of a key for the resources the library creates. Each set is the least
 * the service documents; the statements that carry them add the conditions that scope them.
 */
export const ServiceActions = {
  /** CloudWatch Logs encrypting a log group (`logs.<region>.amazonaws.com`). */
  LOGS: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
  /** A producer of an encrypted SQS queue or SNS topic: data keys, and Decrypt to reuse them. */
  QUEUE_PRODUCER: ['kms:Decrypt', 'kms:GenerateDataKey'],
  /** A service that publishes into an encrypted topic (CloudWatch alarms, EventBridge). */
  TOPIC_PUBLISHER: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  /** CloudTrail encrypting log files of a trail. */
  CLOUDTRAIL_ENCRYPT: ['kms:GenerateDataKey*'],
  /** CloudTrail checking the key of a trail. */
  DESCRIBE: ['kms:DescribeKey'],
  /** S3 server access log delivery into an SSE-KMS bucket. */
  S3_LOG_DELIVERY: ['kms:GenerateDataKey'],
  /** S3 reading an SSE-KMS object for a reader. */
  S3_READ: ['kms:Decrypt'],
  /** S3 writing an SSE-KMS object for a writer (Decrypt for multipart uploads and Bucket Keys). */
  S3_WRITE: ['kms:Decrypt', 'kms:GenerateDataKey'],
  /** Parameter Store writing and reading a SecureString (standard tier Encrypt, advanced GenerateDataKey). */
  SSM_PARAMETER: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
  /** Parameter Store reading a SecureString for a reader. */
  SSM_READ: ['kms:Decrypt'],
  /** Decrypting a ciphertext given to the library. */
  DECRYPT: ['kms:Decrypt'],
} as const satisfies Record<string, readonly string[]>;

/**
 * What the key-health canary calls, by key usage: an envelope round trip for symmetric keys, a
 * direct one for asymmetric encryption keys, Sign/Verify, GenerateMac/VerifyMac, and
 * DeriveSharedSecret for key-agreement keys. These share one statement with the conditions that
 * every one of them supports (the canary's encryption context for symmetric keys, the
 * key-agreement algorithm for key-agreement keys).
 */
export function canaryProbeActions(keyUsage: string, symmetric: boolean): string[] {
  switch (keyUsage) {
    case 'SIGN_VERIFY':
      return ['kms:Sign', 'kms:Verify'];
    case 'GENERATE_VERIFY_MAC':
      return ['kms:GenerateMac', 'kms:VerifyMac'];
    case 'KEY_AGREEMENT':
      return ['kms:DeriveSharedSecret'];
    default:
      return symmetric ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt', 'kms:Encrypt'];
  }
}

/**
 * The canary's further probes: each needs an action whose condition keys differ from the main
 * probe's, so each gets a statement of its own.
 */
export const CanaryProbe = {
  /** The data-key-pair probe; its private key is then decrypted with the main probe's `kms:Decrypt`. */
  DATA_KEY_PAIR_ACTIONS: ['kms:GenerateDataKeyPair'],
  /** Limits GenerateDataKeyPair to the probed pair spec (only GenerateDataKeyPair* carry it). */
  DATA_KEY_PAIR_SPEC_CONDITION: 'kms:DataKeyPairSpec',
  /** Limits DeriveSharedSecret to an algorithm (only DeriveSharedSecret carries it). */
  KEY_AGREEMENT_ALGORITHM_CONDITION: 'kms:KeyAgreementAlgorithm',
  /**
   * Reading a key's metadata and public key. Neither carries an encryption context or algorithm;
   * both reveal only what is public.
   */
  DESCRIBE_ACTIONS: ['kms:DescribeKey'],
  DESCRIBE_WITH_PUBLIC_KEY_ACTIONS: ['kms:DescribeKey', 'kms:GetPublicKey'],
} as const;

/**
 * The usage actions of a key, by key usage and key spec (`KeyPolicyOptions.users`).
 */
export function usageActionsFor(keyUsage: string, keySpec: string): readonly string[] {
  switch (keyUsage) {
    case 'SIGN_VERIFY':
      return SIGN_VERIFY_USAGE_ACTIONS;
    case 'GENERATE_VERIFY_MAC':
      return HMAC_USAGE_ACTIONS;
    case 'KEY_AGREEMENT':
      return KEY_AGREEMENT_USAGE_ACTIONS;
    default:
      return keySpec === 'SYMMETRIC_DEFAULT' ? SYMMETRIC_USAGE_ACTIONS : ASYMMETRIC_ENCRYPT_USAGE_ACTIONS;
  }
}

/**
 * The Sids of the statements the library writes: stable, unique and readable. A key-policy Sid
 * that is taken gets a hash suffix (`KeyUsage1A2B3C4D`).
 */
export const Sid = {
  // The key policy: the account root and the props lists.
  ROOT_ADMINISTRATION: 'KeyRootAdministration',
  ROOT_FULL_ACCESS: 'KeyRootFullAccess',
  ADMINISTRATION: 'KeyAdministration',
  ADMINISTRATION_PARTIAL: 'KeyAdministrationPartial',
  ADMINISTRATION_CROSS_ACCOUNT: 'KeyAdministrationCrossAccount',
  ADMINISTRATION_IDENTITY_CENTER: 'KeyAdministrationIdentityCenter',
  USAGE: 'KeyUsage',
  USAGE_ORGANIZATION: 'KeyUsageOrganization',
  USAGE_IDENTITY_CENTER: 'KeyUsageIdentityCenter',
  GRANTS_FOR_AWS_RESOURCES: 'KeyGrantsForAwsResources',
  ACTIONS: 'KeyActions',
  // The key policy: what the library's constructs grant.
  CLOUDWATCH_LOGS: 'CloudWatchLogs',
  CLOUDWATCH_ALARMS: 'CloudWatchAlarms',
  DEAD_LETTER_QUEUE: 'DeadLetterQueue',
  EVENTBRIDGE_DEAD_LETTERS: 'EventBridgeDeadLetters',
  EVENTBRIDGE_TOPIC: 'EventBridgeTopic',
  CLOUDTRAIL_ENCRYPT: 'CloudTrailEncrypt',
  CLOUDTRAIL_DESCRIBE: 'CloudTrailDescribe',
  CANARY: 'KeyHealthCanary',
  CANARY_DESCRIBE: 'KeyHealthCanaryDescribe',
  CANARY_DATA_KEY_PAIR: 'KeyHealthCanaryDataKeyPair',
  EBS_VIA_EC2: 'EbsViaEc2',
  EBS_GRANTS_VIA_EC2: 'EbsGrantsViaEc2',
  AUTO_SCALING_EBS: 'AutoScalingEbs',
  AUTO_SCALING_EBS_GRANTS: 'AutoScalingEbsGrants',
  S3_SERVER_ACCESS_LOG_DELIVERY: 'S3ServerAccessLogDelivery',
  S3_READ: 'S3Read',
  S3_WRITE: 'S3Write',
  S3_READ_WRITE: 'S3ReadWrite',
  SECURE_STRING_PARAMETER: 'SecureStringParameter',
  SECURE_STRING_READ: 'SecureStringRead',
  SECURE_STRING_SOURCE_CIPHERTEXT: 'SecureStringSourceCiphertext',
  SECURE_STRING_SOURCE_SECRET: 'SecureStringSourceSecret',
  // The key policy: the Control Tower CT.KMS.PR.3 statement, and administrators never using the key.
  DENY_GRANTS_NOT_FOR_AWS_RESOURCES: 'DenyGrantsNotForAwsResources',
  DENY_ADMINISTRATORS_USE: 'KeyAdministratorsCannotUse',
  DENY_DELEGATED_ADMINISTRATORS_USE: 'KeyAdministratorsCannotUseDelegated',
  DENY_TAGGED_ADMINISTRATORS_USE: 'KeyAdministratorsCannotUseTagged',
  DENY_IDENTITY_CENTER_ADMINISTRATORS_USE: 'KeyAdministratorsCannotUseIdentityCenter',
  // Identity and resource policies.
  DENY_KEY_USE: 'DenyKeyUse',
  DENY_KEY_CHANGES: 'DenyKeyChanges',
  DENY_LOCKOUT_BYPASS: 'DenyLockoutBypass',
  READ_KEYS: 'ReadKeys',
  READ_CLOUDTRAIL: 'ReadCloudTrail',
  READ_AUDIT_LOGS: 'ReadAuditLogs',
  READ_QUERY_RESULTS: 'ReadQueryResults',
  DENY_OTHER_ENCRYPTION: 'DenyOtherEncryption',
  DENY_OTHER_KEY: 'DenyOtherKey',
  S3_SERVER_ACCESS_LOGS: 'S3ServerAccessLogs',
  CLOUDTRAIL_ACL_CHECK: 'CloudTrailAclCheck',
  CLOUDTRAIL_WRITE: 'CloudTrailWrite',
} as const;

/**
 * The Sid of a grant made with exactly one of the `grant*` action sets; any other set is
 * `KeyActions`. `usage` is the usage set of the key (its `grantUsage`).
 */
export function grantSid(actions: readonly string[], usage: readonly string[]): string {
  const key = setKey(actions);
  const named: Array<[readonly string[], string]> = [
    [usage, Sid.USAGE],
    [DECRYPT_ACTIONS, 'KeyDecrypt'],
    [ENCRYPT_ACTIONS, 'KeyEncrypt'],
    [[...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS], 'KeyEncryptDecrypt'],
    [SIGN_ACTIONS, 'KeySign'],
    [VERIFY_ACTIONS, 'KeyVerify'],
    [[...SIGN_ACTIONS, ...VERIFY_ACTIONS], 'KeySignVerify'],
    [GENERATE_MAC_ACTIONS, 'KeyGenerateMac'],
    [VERIFY_MAC_ACTIONS, 'KeyVerifyMac'],
  ];
  return named.find(([set]) => setKey(set) === key)?.[1] ?? Sid.ACTIONS;
}

/** The Sid of an administration grant: whole or partial. */
export function adminSid(actions: readonly string[]): string {
  const given = new Set(actions.flatMap((a) => expandKmsAction(a)));
  return ADMIN_ACTIONS.every((a) => given.has(a)) ? Sid.ADMINISTRATION : Sid.ADMINISTRATION_PARTIAL;
}

function setKey(actions: readonly string[]): string {
  return [...new Set(actions)].sort().join(',');
}

/**
 * The read-only view a compliance auditor needs: no cryptographic action, no administration.
 * `kms:GetParametersForImport` is excluded: it returns a wrapping key for key material import.
 */
export const AUDIT_ACTIONS: readonly string[] = [
  'kms:DescribeCustomKeyStores',
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:GetPublicKey',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListKeys',
  'kms:ListResourceTags',
  'kms:ListRetirableGrants',
];

/**
 * Every KMS action that applies to a key resource, for expanding wildcards such as
 * `kms:GenerateDataKey*` when classifying a statement.
 */
export const KEY_RESOURCE_ACTIONS: readonly string[] = [
  ...new Set([
    ...ADMIN_ACTIONS,
    ...CRYPTOGRAPHIC_ACTIONS,
    ...GRANT_ACTIONS,
    'kms:DeleteImportedKeyMaterial',
    'kms:GetParametersForImport',
    'kms:GetPublicKey',
    'kms:ImportKeyMaterial',
    'kms:RetireGrant',
    'kms:SynchronizeMultiRegionKey',
  ]),
].sort();

/**
 * Expand an IAM action pattern (case-insensitive, `*` and `?` wildcards) against the known key
 * actions. `*` and `kms:*` expand to every key action. Patterns for other services expand to nothing.
 */
export function expandKmsAction(pattern: string): string[] {
  return [...(PRECOMPUTED.get(pattern) ?? expand(pattern))];
}

function expand(pattern: string): string[] {
  if (pattern === '*') {
    return [...KEY_RESOURCE_ACTIONS];
  }
  if (!/[*?]/.test(pattern)) {
    return pattern.toLowerCase().startsWith('kms:') ? [canonicalAction(pattern)] : [];
  }
  const re = new RegExp('^' + pattern.split('').map(globChar).join('') + '$', 'i');
  return KEY_RESOURCE_ACTIONS.filter((a) => re.test(a));
}

/** Whether an action pattern could match any action in `actions`. */
export function actionPatternMatchesAny(pattern: string, actions: readonly string[]): boolean {
  const expanded = new Set(expandKmsAction(pattern).map((a) => a.toLowerCase()));
  return actions.some((a) => expanded.has(a.toLowerCase()));
}

function canonicalAction(action: string): string {
  const known = KEY_RESOURCE_ACTIONS.find((a) => a.toLowerCase() === action.toLowerCase());
  return known ?? action;
}

function globChar(c: string): string {
  if (c === '*') return '.*';
  if (c === '?') return '.';
  return c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/**
 * The expansions of the library's own action sets, computed once when the module loads: the
 * library asks for these patterns for every key (bench/: about a tenth of a key's synth). A fixed
 * table of constants, not a cache; other patterns are expanded on each call.
 */
const PRECOMPUTED: ReadonlyMap<string, readonly string[]> = new Map(
  [
    '*',
    'kms:*',
    ...ADMIN_ACTIONS,
    ...KEY_MATERIAL_ACTIONS,
    ...CRYPTOGRAPHIC_ACTIONS,
    ...GRANT_ACTIONS,
    ...ENCRYPT_ACTIONS,
    ...SYMMETRIC_USAGE_ACTIONS,
    ...ASYMMETRIC_ENCRYPT_USAGE_ACTIONS,
    ...SIGN_VERIFY_USAGE_ACTIONS,
    ...HMAC_USAGE_ACTIONS,
    ...KEY_AGREEMENT_USAGE_ACTIONS,
    ...Object.values(ServiceActions).flat(),
  ].map((p) => [p, expand(p)]),
);
