import { CfnResource, Duration, IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { DEFAULT_RULE_SETTINGS, RuleContext, RuleSettings, newRuleContext } from './private/rule';
import { SynthesizedTemplates } from './private/templates';
import { ALL_RULES } from './rules';
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

const PACK_NAME = 'KmsGovernance';

/** Each rule with what cdk-nag reports for it: the explanation ends with the controls it mirrors. */
const APPLIED_RULES = ALL_RULES.map((rule) => ({
  rule,
  info: rule.documentation.info,
  explanation: `${rule.documentation.explanation} (${plainText(rule.documentation.mirrors)}.)`,
  level: rule.documentation.level,
}));

/**
 * A cdk-nag v3 rule pack for KMS governance: keys (rotation, key specs, deletion window, aliases),
 * key policies (no public or cross-account use, no full access, separation of duties, no lockout,
 * grants for AWS resources only, confused-deputy conditions, no Identity Center wildcards, replicas
 * no weaker than their primary), identity policies that decrypt with every key, customer managed
 * keys on S3, SNS, SQS, Secrets Manager, DynamoDB, RDS, CloudWatch Logs and EBS, secrets written into
 * templates, and the CloudTrail trail, alarm and log group that audit key use. It checks plain CDK
 * resources (L1 and L2) as well as the library's constructs; imported resources have nothing to
 * check. RULES.md describes every rule.
 *
 * Rule ids are `KmsGovernance-<RuleName>`. Findings of error rules fail synthesis; advisory rules
 * (`KeyHasAlias`) report warnings that never do.
 *
 * Run it in a test with `validateScope`, or at synthesis as a validation plugin: CDK gives plugins
 * the construct tree, and the pack needs no argument.
 *
 * @example
 * declare const app: App;
 * Validations.of(app).addPlugins(new KmsGovernanceChecks(undefined, { allowRootFullAccess: false }));
 */
export class KmsGovernanceChecks extends NagPack {
  /** The name of the pack, as the validation report shows it. */
  public readonly name = PACK_NAME;

  /** The ids of the pack's rules (`KmsGovernance-<RuleName>`). */
  public readonly ruleIds?: string[] = ALL_RULES.map((r) => `${PACK_NAME}-${r.name}`);

  private readonly checkedScope?: IConstruct;
  private readonly settings: RuleSettings;
  private ruleContext: RuleContext;

  /**
   * @param scope the construct tree to check when CDK runs the pack as a validation plugin, if not the
   * whole app. Default: the tree of the validation context (the app).
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
   * Called by CDK at synthesis. Checks the scope given to the constructor or else the construct tree
   * the context carries (`appConstruct`, from aws-cdk-lib 2.258), and reads each
   * resource from the templates CDK has already written (`stackTemplates` / `templatePaths`) rather
   * than rendering it again.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const tree = this.checkedScope ?? (context as { appConstruct?: IConstruct }).appConstruct;
    if (tree === undefined) {
      throw new Error(
        'KmsGovernanceChecks needs the construct tree, and the validation context has none (aws-cdk-lib before 2.258 does not pass it). ' +
          'Use aws-cdk-lib 2.258 or later, or construct the pack with the app: Validations.of(app).addPlugins(new KmsGovernanceChecks(app)).',
      );
    }
    return this.check(tree, SynthesizedTemplates.fromContext(context));
  }

  /**
   * Check a construct tree directly, as tests do. Each resource is rendered from the tree.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return this.check(scope, undefined);
  }

  /**
   * One run of the pack. The report's `success` counts errors only: cdk-nag reports failure for
   * any finding, advisory warnings included, and CDK fails the build on `success: false`.
   */
  private check(scope: IConstruct, templates: SynthesizedTemplates | undefined): PolicyValidationPluginReport {
    this.ruleContext = newRuleContext(this.settings, templates);
    const report = super.validateScope(scope);
    return { ...report, success: report.violations.every((v) => v.severity !== 'error') };
  }

  /**
   * Apply every rule of the pack to one CloudFormation resource.
   */
  protected checkResource(node: CfnResource): void {
    for (const { rule, info, explanation, level } of APPLIED_RULES) {
      this.applyRule({ ruleSuffixOverride: rule.name, info, explanation, level, rule: (n: CfnResource) => rule(n, this.ruleContext), node });
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

/** Markdown emphasis and code marks removed, for the one-line explanation cdk-nag prints. */
function plainText(markdown: string): string {
  return markdown.replace(/\*\*|`/g, '');
}
