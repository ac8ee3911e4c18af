/**
 * The rules of `KmsGovernanceChecks`, one per file, each named after its file. They follow cdk-nag's
 * rule shape (`(node: CfnResource) => NagRuleResult`) and can be used in other packs; an optional
 * second argument carries the settings (`KmsGovernanceChecksProps`).
 */
export { default as AuditLogGroupSecured } from './AuditLogGroupSecured';
export { default as CloudTrailKmsAlarm } from './CloudTrailKmsAlarm';
export { default as CloudTrailSecured } from './CloudTrailSecured';
export { default as IamNoDecryptOnAllKeys } from './IamNoDecryptOnAllKeys';
export { default as KeyHasAlias } from './KeyHasAlias';
export { default as KeyPendingWindow } from './KeyPendingWindow';
export { default as KeyPolicyLockout } from './KeyPolicyLockout';
export { default as KeyPolicyNoFullAccessForNonRoot } from './KeyPolicyNoFullAccessForNonRoot';
export { default as KeyPolicyNoLockoutBypass } from './KeyPolicyNoLockoutBypass';
export { default as KeyPolicyNoPublicAccess } from './KeyPolicyNoPublicAccess';
export { default as KeyPolicySeparationOfDuties } from './KeyPolicySeparationOfDuties';
export { default as KeyRotation } from './KeyRotation';
export { default as S3BucketCustomerManagedKey } from './S3BucketCustomerManagedKey';
