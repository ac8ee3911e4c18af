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

/** What `KeyAdminRole` denies: every cryptographic action, and creating grants. */
export const USE_OR_CONFER_USE_ACTIONS: readonly string[] = [...CRYPTOGRAPHIC_ACTIONS, 'kms:CreateGrant', 'kms:RetireGrant'];

/** Decrypt, as CDK's `grantDecrypt` defines it. */
export const DECRYPT_ACTIONS: readonly string[] = ['kms:Decrypt'];

/** Encrypt, as CDK's `grantEncrypt` defines it (data keys and re-encryption included). */
export const ENCRYPT_ACTIONS: readonly string[] = ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

export const SIGN_ACTIONS: readonly string[] = ['kms:Sign'];
export const VERIFY_ACTIONS: readonly string[] = ['kms:Verify'];
export const GENERATE_MAC_ACTIONS: readonly string[] = ['kms:GenerateMac'];
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
    ...CRYPTOGRAPHIC_ACTIONS,
    ...GRANT_ACTIONS,
    ...ENCRYPT_ACTIONS,
    ...SYMMETRIC_USAGE_ACTIONS,
    ...ASYMMETRIC_ENCRYPT_USAGE_ACTIONS,
    ...SIGN_VERIFY_USAGE_ACTIONS,
    ...HMAC_USAGE_ACTIONS,
    ...KEY_AGREEMENT_USAGE_ACTIONS,
  ].map((p) => [p, expand(p)]),
);
