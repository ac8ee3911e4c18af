import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { Json, indexResources, renderedProperties } from './cfn';

/** The settings of the rules that have any (`KmsGovernanceChecksProps`, in days). */
export interface RuleSettings {
  /** The shortest acceptable `PendingWindowInDays`. */
  readonly minimumPendingWindowDays: number;
  /** The longest acceptable `RotationPeriodInDays`. */
  readonly maximumRotationPeriodDays: number;
  /** Whether the account root may have `kms:*` in a key policy. */
  readonly allowRootFullAccess: boolean;
}

/** The defaults of `KmsGovernanceChecksProps`. */
export const DEFAULT_RULE_SETTINGS: RuleSettings = {
  minimumPendingWindowDays: 30,
  maximumRotationPeriodDays: 365,
  allowRootFullAccess: true,
};

/**
 * What a rule gets besides the resource: the settings, and memoized access to the app's resources
 * and their rendered properties for the length of one validation run.
 */
export interface RuleContext extends RuleSettings {
  /** The rendered, resolved `Properties` of a resource (`undefined` if it is not synthesized). */
  properties(node: CfnResource): Json | undefined;
  /** Every resource of a CloudFormation type in the app that `node` belongs to. */
  resourcesOfType(node: IConstruct, cfnType: string): CfnResource[];
}

/** A fresh context: create one per validation run, as the tree may change between runs. */
export function newRuleContext(settings: Partial<RuleSettings> = {}): RuleContext {
  const props = new Map<CfnResource, Json | undefined>();
  const indexes = new Map<IConstruct, Map<string, CfnResource[]>>();
  return {
    ...DEFAULT_RULE_SETTINGS,
    ...settings,
    properties(node) {
      if (!props.has(node)) props.set(node, renderedProperties(node));
      return props.get(node);
    },
    resourcesOfType(node, cfnType) {
      const root = node.node.root;
      let index = indexes.get(root);
      if (!index) {
        index = indexResources(root);
        indexes.set(root, index);
      }
      return index.get(cfnType) ?? [];
    },
  };
}

/**
 * A rule of the pack: cdk-nag's rule shape (`(node) => NagRuleResult`, named after its file) with
 * an optional context for the settings and the memoized lookups.
 */
export type KmsGovernanceRule = (node: CfnResource, context?: RuleContext) => NagRuleResult;

/**
 * Define a rule. The name is given explicitly, not taken from `__filename` as cdk-nag does, so
 * that it survives bundling; a test holds every rule's name equal to its file name.
 */
export function defineRule(name: string, check: (node: CfnResource, context: RuleContext) => NagRuleResult): KmsGovernanceRule {
  const rule: KmsGovernanceRule = (node, context) => check(node, context ?? newRuleContext());
  Object.defineProperty(rule, 'name', { value: name });
  return rule;
}
