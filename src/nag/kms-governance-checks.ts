import { CfnResource, Duration, IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { DEFAULT_RULE_SETTINGS, KmsGovernanceRule, RuleContext, RuleSettings, newRuleContext } from './private/rule';
import {
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
} from './rules';
import { validateDaysRange } from '../private/validate';

/**
 * Properties of `KmsGovernanceChecks`.
 */
export interface KmsGovernanceChecksProps extends NagPackProps {
  /**
   * The shortest pending window a key may have before AWS KMS deletes it once scheduled for
   * deletion (`KmsGovernance-KeyPendingWindow`), between 7 and 30 days.
   *
   * @default Duration.days(30)
   */
  readonly minimumPendingWindow?: Duration;

  /**
   * The longest rotation period a symmetric key may have (`KmsGovernance-KeyRotation`), between 90
   * and 2560 days.
   *
   * @default Duration.days(365)
   */
  readonly maximumRotationPeriod?: Duration;

  /**
   * Whether the account root principal may have `kms:*` in a key policy, as in the AWS default key
   * policy. When false, such a statement is a `KmsGovernance-KeyPolicyNoFullAccessForNonRoot`
   * finding: give the root the administration actions only, so that IAM policies can delegate
   * management of the key but never its use.
   *
   * @default true
   */
  readonly allowRootFullAccess?: boolean;
}

/** One rule of the pack, with what it reports. */
interface RuleEntry {
  readonly rule: KmsGovernanceRule;
  readonly info: string;
  readonly explanation: string;
  readonly level: NagMessageLevel;
}

const PACK_NAME = 'KmsGovernance';

const RULES: readonly RuleEntry[] = [
  {
    rule: KeyRotation,
    info: 'The symmetric KMS key does not rotate automatically, or its rotation period is longer than the maximum.',
    explanation:
      'Automatic rotation limits how much data one version of the key material protects, and how long a leaked version stays useful. ' +
      'Security Hub KMS.4, CIS 3.6 (v3.0) / 3.8 (v1.4), Checkov CKV_AWS_7. Set EnableKeyRotation: true and RotationPeriodInDays within the maximum (365 days by default).',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: KeyPendingWindow,
    info: 'The KMS key would be deleted sooner after being scheduled for deletion than the minimum pending window.',
    explanation:
      'Deleting a key makes everything encrypted under it unrecoverable. The pending window is the time to notice a mistaken or malicious ' +
      'ScheduleKeyDeletion and cancel it (Security Hub KMS.3). Set PendingWindowInDays to at least the minimum (30 days by default).',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: KeyPolicyNoPublicAccess,
    info: 'The KMS key policy allows Principal "*" (or uses NotPrincipal in an Allow statement).',
    explanation:
      'A wildcard principal allows every AWS principal of every account, limited only by conditions that are easy to get wrong. ' +
      'Checkov CKV_AWS_33 fails it whatever the conditions; Security Hub KMS.5 flags publicly accessible keys. Name the account root or specific principals, ' +
      'with kms:ViaService or kms:CallerAccount conditions where a service needs access.',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: KeyPolicyNoFullAccessForNonRoot,
    info: 'The KMS key policy gives kms:* (every key action) to a principal other than the account root, or to the root when allowRootFullAccess is false.',
    explanation:
      'kms:* lets one principal use the key, change its policy, disable it and schedule its deletion. Key policies should grant the ' +
      'administration actions to administrators and the usage actions to users, never everything to one principal.',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: KeyPolicySeparationOfDuties,
    info: 'The KMS key policy lets a principal other than the account root both administer and use the key.',
    explanation:
      'Separation of duties: whoever manages a key (policy, rotation, deletion, aliases) must not also be able to decrypt with it or to ' +
      'create grants, so that no single principal can both read the data and cover the tracks. Use different principals for the two roles.',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: KeyPolicyLockout,
    info: 'Nobody could change the KMS key policy: no Allow statement covers kms:PutKeyPolicy for a principal, or a Deny statement denies it to everyone.',
    explanation:
      'A key whose policy nobody may change cannot be fixed, rotated out of service or recovered without AWS Support. Keep kms:PutKeyPolicy ' +
      'for the account root or an administrator role, and never deny it unconditionally.',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: KeyPolicyNoLockoutBypass,
    info: 'The KMS key sets BypassPolicyLockoutSafetyCheck to true.',
    explanation:
      'The safety check refuses a key policy that would lock the caller out of the key. Bypassing it lets a deployment make the key unmanageable.',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: KeyHasAlias,
    info: 'The KMS key has no alias in the app.',
    explanation:
      'An alias names a key by its purpose in consoles, logs and policies, and lets applications move to a new key without a code change. Advisory.',
    level: NagMessageLevel.WARN,
  },
  {
    rule: IamNoDecryptOnAllKeys,
    info: 'The IAM policy allows kms:Decrypt or kms:ReEncryptFrom on all KMS keys.',
    explanation:
      'An identity policy that can decrypt with every key of the account (Resource "*" or a key/* wildcard) defeats the key policies that ' +
      'scope use to one workload. Security Hub KMS.1 (customer managed policies) and KMS.2 (inline policies). Name the keys, or grant use in the key policy.',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: S3BucketCustomerManagedKey,
    info: 'The S3 bucket is not encrypted by default with a customer managed KMS key with S3 Bucket Keys, or its bucket policy does not deny uploads that ask for another encryption.',
    explanation:
      'SSE-KMS with a customer managed key puts reads of the data under the key policy and in CloudTrail; Bucket Keys cut KMS requests. ' +
      'A request header overrides the default encryption, so the bucket policy must deny s3:PutObject with another x-amz-server-side-encryption. ' +
      'SSE-S3 (AES256), no encryption configuration, or an AWS managed key (alias/aws/s3) are findings. Security Hub S3.17, Checkov CKV_AWS_19/CKV_AWS_145.',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: CloudTrailSecured,
    info: 'The CloudTrail trail is not multi-Region, logging, validated, KMS-encrypted and sent to CloudWatch Logs, or it drops management events.',
    explanation:
      'Key use and key changes are only auditable if a trail records every management event (read and write, no excluded source such as ' +
      'kms.amazonaws.com) in every Region, with integrity validation, encryption and CloudWatch Logs delivery for alarms. ' +
      'Security Hub CloudTrail.1/.2/.4/.5, CIS 3.1/3.2/3.5 (v3.0), Checkov CKV_AWS_35/36/67.',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: CloudTrailKmsAlarm,
    info: 'The trail\'s CloudWatch Logs group has no CIS 4.7 metric filter and alarm for KMS keys disabled or scheduled for deletion.',
    explanation:
      'Disabling or scheduling the deletion of a key can make data unrecoverable; it must raise an alarm. The metric filter pattern must be exactly ' +
      '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) } with metric value 1, and its alarm Sum over ' +
      '300 seconds, threshold >= 1, one evaluation period, with an alarm action. Security Hub CloudWatch.7, CIS 4.7.',
    level: NagMessageLevel.ERROR,
  },
  {
    rule: AuditLogGroupSecured,
    info: 'The CloudWatch Logs group of a CloudTrail trail is not KMS-encrypted, or keeps events for less than 365 days.',
    explanation:
      'The audit log of key use must be confidential and kept long enough for an investigation. Set KmsKeyId, and RetentionInDays of at least 365 ' +
      '(or no retention: never expire). Security Hub CloudWatch.16, Checkov CKV_AWS_158.',
    level: NagMessageLevel.ERROR,
  },
];

/**
 * A cdk-nag v3 rule pack for KMS governance: key rotation and deletion window, key policies (no
 * public access, no full access, separation of duties, no lockout), aliases, identity policies that
 * decrypt with every key, S3 default encryption with a customer managed key, and the CloudTrail
 * trail, alarm and log group that audit key use. It checks plain CDK resources (L1 and L2) as well
 * as the library's constructs; imported resources have nothing to check.
 *
 * Rule ids are `KmsGovernance-<RuleName>`; every rule is an error except `KeyHasAlias`, a warning.
 *
 * Run it in a test with `validateScope`, or at synthesis as a validation plugin. aws-cdk-lib
 * 2.257 does not give validation plugins the construct tree, so pass the app to the constructor:
 *
 * @example
 * declare const app: App;
 * Validations.of(app).addPlugins(new KmsGovernanceChecks(app, { allowRootFullAccess: false }));
 */
export class KmsGovernanceChecks extends NagPack {
  /** The name of the pack, as the validation report shows it. */
  public readonly name = PACK_NAME;

  /** The ids of the pack's rules (`KmsGovernance-<RuleName>`). */
  public readonly ruleIds?: string[] = RULES.map((r) => `${PACK_NAME}-${r.rule.name}`);

  private readonly checkedScope?: IConstruct;
  private readonly settings: RuleSettings;
  private ruleContext: RuleContext;

  /**
   * @param scope the construct tree to check when CDK runs the pack as a validation plugin (pass the app)
   * @param props the pack's options
   */
  constructor(scope?: IConstruct, props: KmsGovernanceChecksProps = {}) {
    super(scope, props);
    this.packName = PACK_NAME;
    this.checkedScope = scope;
    this.settings = {
      minimumPendingWindowDays: requiredDays('minimumPendingWindow', props.minimumPendingWindow, DEFAULT_RULE_SETTINGS.minimumPendingWindowDays, 7, 30),
      maximumRotationPeriodDays: requiredDays('maximumRotationPeriod', props.maximumRotationPeriod, DEFAULT_RULE_SETTINGS.maximumRotationPeriodDays, 90, 2560),
      allowRootFullAccess: props.allowRootFullAccess ?? DEFAULT_RULE_SETTINGS.allowRootFullAccess,
    };
    this.ruleContext = newRuleContext(this.settings);
  }

  /**
   * Called by CDK at synthesis. Checks the construct tree the context carries (newer aws-cdk-lib
   * versions provide it) or else the scope given to the constructor.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const tree = (context as { appConstruct?: IConstruct }).appConstruct ?? this.checkedScope;
    if (tree === undefined) {
      throw new Error(
        'KmsGovernanceChecks needs the construct tree, and this version of aws-cdk-lib does not pass it to validation plugins. ' +
          'Construct the pack with the app: Validations.of(app).addPlugins(new KmsGovernanceChecks(app)).',
      );
    }
    return this.validateScope(tree);
  }

  /**
   * Check a construct tree directly, as tests do.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.ruleContext = newRuleContext(this.settings);
    return super.validateScope(scope);
  }

  /**
   * Apply every rule of the pack to one CloudFormation resource.
   */
  protected checkResource(node: CfnResource): void {
    for (const entry of RULES) {
      this.applyRule({
        ruleSuffixOverride: entry.rule.name,
        info: entry.info,
        explanation: entry.explanation,
        level: entry.level,
        rule: (n: CfnResource) => entry.rule(n, this.ruleContext),
        node,
      });
    }
  }
}

function requiredDays(prop: string, value: Duration | undefined, defaultDays: number, min: number, max: number): number {
  if (value === undefined) return defaultDays;
  if (value.isUnresolved()) {
    throw new Error(`'${prop}' must be a concrete duration: the pack compares it at synthesis. Received: ${value.toHumanString()}`);
  }
  return validateDaysRange(prop, value, min, max)!;
}
