/**
 * CloudWatch Logs metric-filter patterns over CloudTrail records for KMS. One place, shared by
 * `KeyAuditTrail` and the `KmsGovernanceChecks` nag pack.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */

/**
 * CIS AWS Foundations Benchmark 4.7 / Security Hub CloudWatch.7: a customer-managed key disabled or
 * scheduled for deletion. Security Hub compares the pattern as a string, so it is kept byte for
 * byte as the benchmark writes it.
 */
export const CIS_4_7_KMS_PATTERN =
  '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }';

/** Any attempt to use a key that is pending deletion (AWS KMS developer guide). */
export const PENDING_DELETION_USE_PATTERN = '{ $.eventSource = kms* && $.errorMessage = "* is pending deletion."}';

/** A key policy replaced. */
export const KEY_POLICY_CHANGE_PATTERN = '{ ($.eventSource = kms.amazonaws.com) && ($.eventName = PutKeyPolicy) }';

/** A grant created directly by a principal, not by an AWS service for an AWS resource. */
export const GRANT_OUTSIDE_AWS_RESOURCES_PATTERN =
  '{ ($.eventSource = kms.amazonaws.com) && ($.eventName = CreateGrant) && ($.userIdentity.invokedBy NOT EXISTS) }';

/** Deletion cancelled, a key re-enabled, or rotation turned off. */
export const KEY_REENABLED_OR_ROTATION_OFF_PATTERN =
  '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = CancelKeyDeletion) || ($.eventName = EnableKey) || ($.eventName = DisableKeyRotation)) }';

/**
 * The dangerous events on one key, for `KeyAuditTrail.watch(key)`: disabled, re-enabled, scheduled
 * for deletion or its deletion cancelled, its policy replaced, its rotation turned off.
 */
export function keyEventsPattern(keyArn: string): string {
  return (
    '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = EnableKey) || ' +
    '($.eventName = ScheduleKeyDeletion) || ($.eventName = CancelKeyDeletion) || ($.eventName = PutKeyPolicy) || ' +
    `($.eventName = DisableKeyRotation)) && ($.resources[0].ARN = "${keyArn}") }`
  );
}
