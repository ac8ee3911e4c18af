/**
 * The rules of `KmsGovernanceChecks`, one per file, each named after its file. They follow cdk-nag's
 * rule shape (`(node: CfnResource) => NagRuleResult`) and can be used in other packs; an optional
 * second argument carries the settings (`KmsGovernanceChecksProps`). Each rule carries its own
 * documentation, from which the pack reports and RULES.md is generated.
 */
import { default as AuditLogGroupSecured } from './AuditLogGroupSecured';
import { default as CloudTrailKmsAlarm } from './CloudTrailKmsAlarm';
import { default as CloudTrailSecured } from './CloudTrailSecured';
import { default as CreateGrantForAwsResourcesOnly } from './CreateGrantForAwsResourcesOnly';
import { default as DynamoDbTableCustomerManagedKey } from './DynamoDbTableCustomerManagedKey';
import { default as EbsCustomerManagedKey } from './EbsCustomerManagedKey';
import { default as EnvironmentNoPlaintextSecret } from './EnvironmentNoPlaintextSecret';
import { default as IamNoDecryptOnAllKeys } from './IamNoDecryptOnAllKeys';
import { default as KeyHasAlias } from './KeyHasAlias';
import { default as KeyPendingWindow } from './KeyPendingWindow';
import { default as KeyPolicyLockout } from './KeyPolicyLockout';
import { default as KeyPolicyNoCrossAccountUse } from './KeyPolicyNoCrossAccountUse';
import { default as KeyPolicyNoFullAccessForNonRoot } from './KeyPolicyNoFullAccessForNonRoot';
import { default as KeyPolicyNoIdentityCenterWildcard } from './KeyPolicyNoIdentityCenterWildcard';
import { default as KeyPolicyNoLockoutBypass } from './KeyPolicyNoLockoutBypass';
import { default as KeyPolicyNoPublicAccess } from './KeyPolicyNoPublicAccess';
import { default as KeyPolicySeparationOfDuties } from './KeyPolicySeparationOfDuties';
import { default as KeyPolicyServiceSourceConditions } from './KeyPolicyServiceSourceConditions';
import { default as KeyRotation } from './KeyRotation';
import { default as KeyRotationOnlyForSymmetricKeys } from './KeyRotationOnlyForSymmetricKeys';
import { default as KeyRsa2048NotForEncryption } from './KeyRsa2048NotForEncryption';
import { default as LogGroupCustomerManagedKey } from './LogGroupCustomerManagedKey';
import { default as RdsCustomerManagedKey } from './RdsCustomerManagedKey';
import { default as ReplicaKeyPolicyNotWeaker } from './ReplicaKeyPolicyNotWeaker';
import { default as S3BucketCustomerManagedKey } from './S3BucketCustomerManagedKey';
import { default as SecretCustomerManagedKey } from './SecretCustomerManagedKey';
import { default as SecureStringValueNotInTemplate } from './SecureStringValueNotInTemplate';
import { default as SnsTopicCustomerManagedKey } from './SnsTopicCustomerManagedKey';
import { default as SqsQueueCustomerManagedKey } from './SqsQueueCustomerManagedKey';
import { KmsGovernanceRule } from '../private/rule';

export {
  AuditLogGroupSecured,
  CloudTrailKmsAlarm,
  CloudTrailSecured,
  CreateGrantForAwsResourcesOnly,
  DynamoDbTableCustomerManagedKey,
  EbsCustomerManagedKey,
  EnvironmentNoPlaintextSecret,
  IamNoDecryptOnAllKeys,
  KeyHasAlias,
  KeyPendingWindow,
  KeyPolicyLockout,
  KeyPolicyNoCrossAccountUse,
  KeyPolicyNoFullAccessForNonRoot,
  KeyPolicyNoIdentityCenterWildcard,
  KeyPolicyNoLockoutBypass,
  KeyPolicyNoPublicAccess,
  KeyPolicySeparationOfDuties,
  KeyPolicyServiceSourceConditions,
  KeyRotation,
  KeyRotationOnlyForSymmetricKeys,
  KeyRsa2048NotForEncryption,
  LogGroupCustomerManagedKey,
  RdsCustomerManagedKey,
  ReplicaKeyPolicyNotWeaker,
  S3BucketCustomerManagedKey,
  SecretCustomerManagedKey,
  SecureStringValueNotInTemplate,
  SnsTopicCustomerManagedKey,
  SqsQueueCustomerManagedKey,
};

/** One section of RULES.md: a title and its rules, in the order the pack applies them. */
export interface RuleGroup {
  readonly title: string;
  readonly rules: readonly KmsGovernanceRule[];
}

/** Every rule of the pack, grouped and ordered as the pack applies them and RULES.md lists them. */
export const RULE_GROUPS: readonly RuleGroup[] = [
  { title: 'Keys', rules: [KeyRotation, KeyRotationOnlyForSymmetricKeys, KeyRsa2048NotForEncryption, KeyPendingWindow, KeyPolicyNoLockoutBypass, KeyHasAlias] },
  {
    title: 'Key policies',
    rules: [
      KeyPolicyNoPublicAccess,
      KeyPolicyNoCrossAccountUse,
      KeyPolicyNoFullAccessForNonRoot,
      KeyPolicySeparationOfDuties,
      KeyPolicyLockout,
      CreateGrantForAwsResourcesOnly,
      KeyPolicyServiceSourceConditions,
      KeyPolicyNoIdentityCenterWildcard,
      ReplicaKeyPolicyNotWeaker,
    ],
  },
  { title: 'Identity policies', rules: [IamNoDecryptOnAllKeys] },
  {
    title: 'Data at rest',
    rules: [
      S3BucketCustomerManagedKey,
      SnsTopicCustomerManagedKey,
      SqsQueueCustomerManagedKey,
      SecretCustomerManagedKey,
      DynamoDbTableCustomerManagedKey,
      RdsCustomerManagedKey,
      LogGroupCustomerManagedKey,
      EbsCustomerManagedKey,
    ],
  },
  { title: 'Secrets in templates', rules: [SecureStringValueNotInTemplate, EnvironmentNoPlaintextSecret] },
  { title: 'Audit', rules: [CloudTrailSecured, CloudTrailKmsAlarm, AuditLogGroupSecured] },
];

/** Every rule of the pack, in order. */
export const ALL_RULES: readonly KmsGovernanceRule[] = RULE_GROUPS.flatMap((g) => g.rules);
