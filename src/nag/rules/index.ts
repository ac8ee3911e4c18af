/**
 * The rules of `KmsGovernanceChecks`, one per file, each named after its file. They follow cdk-nag's
 * rule shape (`(node: CfnResource) => NagRuleResult`) and can be used in other packs; an optional
 * second argument carries the settings (`KmsGovernanceChecksProps`). Each rule carries its own
 * documentation, from which the pack reports and RULES.md is generated.
 */
import { default as AuditLogGroupSecured } from './AuditLogGroupSecured';
import { default as CloudTrailKmsAlarm } from './CloudTrailKmsAlarm';
import { default as CloudTrailSecured } from './CloudTrailSecured';
import { default as IamNoDecryptOnAllKeys } from './IamNoDecryptOnAllKeys';
import { default as KeyHasAlias } from './KeyHasAlias';
import { default as KeyPendingWindow } from './KeyPendingWindow';
import { default as KeyPolicyLockout } from './KeyPolicyLockout';
import { default as KeyPolicyNoFullAccessForNonRoot } from './KeyPolicyNoFullAccessForNonRoot';
import { default as KeyPolicyNoLockoutBypass } from './KeyPolicyNoLockoutBypass';
import { default as KeyPolicyNoPublicAccess } from './KeyPolicyNoPublicAccess';
import { default as KeyPolicySeparationOfDuties } from './KeyPolicySeparationOfDuties';
import { default as KeyRotation } from './KeyRotation';
import { default as S3BucketCustomerManagedKey } from './S3BucketCustomerManagedKey';
import { KmsGovernanceRule } from '../private/rule';

export {
  AuditLogGroupSecured,
  CloudTrailKmsAlarm,
  CloudTrailSecured,
  IamNoDecryptOnAllKeys,
  KeyHasAlias,
  KeyPendingWindow,
  KeyPolicyLockout,
  KeyPolicyNoFullAccessForNonRoot,
  KeyPolicyNoLockoutBypass,
  KeyPolicyNoPublicAccess,
  KeyPolicySeparationOfDuties,
  KeyRotation,
  S3BucketCustomerManagedKey,
};

/** One section of RULES.md: a title and its rules, in the order the pack applies them. */
export interface RuleGroup {
  readonly title: string;
  readonly rules: readonly KmsGovernanceRule[];
}

/** Every rule of the pack, grouped and ordered as the pack applies them and RULES.md lists them. */
export const RULE_GROUPS: readonly RuleGroup[] = [
  { title: 'Keys', rules: [KeyRotation, KeyPendingWindow, KeyPolicyNoLockoutBypass, KeyHasAlias] },
  {
    title: 'Key policies',
    rules: [KeyPolicyNoPublicAccess, KeyPolicyNoFullAccessForNonRoot, KeyPolicySeparationOfDuties, KeyPolicyLockout],
  },
  { title: 'Identity policies', rules: [IamNoDecryptOnAllKeys] },
  { title: 'Data at rest', rules: [S3BucketCustomerManagedKey] },
  { title: 'Audit', rules: [CloudTrailSecured, CloudTrailKmsAlarm, AuditLogGroupSecured] },
];

/** Every rule of the pack, in order. */
export const ALL_RULES: readonly KmsGovernanceRule[] = RULE_GROUPS.flatMap((g) => g.rules);
