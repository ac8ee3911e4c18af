import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { Json, canonicalString, indexResources, renderedProperties, variants } from './cfn';
import { KEY_TYPES, PolicyStatementJson, keyPolicyVariants } from './policy';
import { SynthesizedTemplates } from './templates';

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
  /**
   * Whether a resolved value in `from`'s template refers to `target`: its `Ref`, or `Fn::GetAtt`
   * of one of `attributes`, as `from`'s stack renders them (a cross-stack reference included).
   * The renderings are resolved once per stack and target, not once per comparison: rules that
   * relate every key to every alias would otherwise resolve quadratically often.
   */
  refersTo(from: CfnResource, value: unknown, target: CfnResource, attributes?: readonly string[]): boolean;
  /**
   * The resources of `cfnType` in the app whose `property` refers to `target` (its `Ref`, or
   * `Fn::GetAtt` of one of `attributes`; every `Fn::If` variant counts). Indexed once per run, so
   * that relating every key to every alias stays linear.
   */
  referrers(target: CfnResource, cfnType: string, property: string, attributes?: readonly string[]): CfnResource[];
}

/**
 * A fresh context: create one per validation run, as the tree may change between runs. With
 * `templates` (plugin mode), resources are read from the templates CDK already wrote; without, or
 * for a resource they do not hold, from the tree.
 */
export function newRuleContext(settings: Partial<RuleSettings> = {}, templates?: SynthesizedTemplates): RuleContext {
  const props = new Map<CfnResource, Json | undefined>();
  const indexes = new Map<IConstruct, Map<string, CfnResource[]>>();
  // How a target's Ref/GetAtt render in a stack, by stack, target and attribute list.
  const renderings = new Map<Stack, Map<CfnResource, Map<string, Set<string>>>>();
  const renderingsOf = (stack: Stack, target: CfnResource, attributes: readonly string[]): Set<string> => {
    const byTarget = renderings.get(stack) ?? new Map<CfnResource, Map<string, Set<string>>>();
    renderings.set(stack, byTarget);
    const byAttributes = byTarget.get(target) ?? new Map<string, Set<string>>();
    byTarget.set(target, byAttributes);
    const key = attributes.join(',');
    let known = byAttributes.get(key);
    if (!known) {
      known = new Set<string>();
      const logicalId = Stack.of(target) === stack ? templates?.logicalIdOf(target) : undefined;
      // Within its own stack a resource is referred to by its logical id: no resolution needed.
      const candidates: unknown[] = logicalId !== undefined
        ? [{ Ref: logicalId }, ...attributes.map((a) => ({ 'Fn::GetAtt': [logicalId, a] }))]
        : [target.ref, ...attributes.map((a) => target.getAtt(a))];
      for (const candidate of candidates) {
        try {
          known.add(canonicalString(logicalId !== undefined ? candidate : stack.resolve(candidate)));
        } catch {
          // a reference this stack cannot render (another environment): it cannot match
        }
      }
      byAttributes.set(key, known);
    }
    return known;
  };
  // The values of one property of every resource of a type, by stack and canonical value.
  const references = new Map<string, Map<Stack, Map<string, CfnResource[]>>>();
  const referenceIndex = (anyNode: IConstruct, cfnType: string, property: string): Map<Stack, Map<string, CfnResource[]>> => {
    const key = `${cfnType}\u0000${property}`;
    let index = references.get(key);
    if (!index) {
      index = new Map();
      for (const resource of context.resourcesOfType(anyNode, cfnType)) {
        const value = context.properties(resource)?.[property];
        if (value === undefined) continue;
        let values: unknown[];
        try {
          values = variants(value, `${property} of ${resource.node.path}`);
        } catch {
          continue; // a value no rule could relate; the rules that read it report it themselves
        }
        const byValue = index.get(Stack.of(resource)) ?? new Map<string, CfnResource[]>();
        index.set(Stack.of(resource), byValue);
        for (const v of values) {
          const text = canonicalString(v);
          byValue.set(text, [...(byValue.get(text) ?? []), resource]);
        }
      }
      references.set(key, index);
    }
    return index;
  };
  const context: RuleContext = {
    ...DEFAULT_RULE_SETTINGS,
    ...settings,
    properties(node) {
      if (!props.has(node)) props.set(node, templates?.propertiesOf(node) ?? renderedProperties(node));
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
    refersTo(from, value, target, attributes = []) {
      if (value === undefined || value === null) return false;
      return renderingsOf(Stack.of(from), target, attributes).has(canonicalString(value));
    },
    referrers(target, cfnType, property, attributes = []) {
      const found = new Set<CfnResource>();
      for (const [stack, byValue] of referenceIndex(target, cfnType, property)) {
        for (const rendering of renderingsOf(stack, target, attributes)) {
          byValue.get(rendering)?.forEach((r) => found.add(r));
        }
      }
      return [...found];
    },
  };
  return context;
}

/**
 * What a rule reports and how RULES.md documents it: the rule file is the one place for this text.
 * `info` and `explanation` are what cdk-nag prints (the explanation in verbose mode); RULES.md is
 * generated from every field (`tools/rules-md.ts`).
 */
export interface RuleDocumentation {
  /** What is wrong, in one sentence (cdk-nag's `info`). */
  readonly info: string;
  /** Why it matters and how to fix it, in plain text (cdk-nag's `explanation`). */
  readonly explanation: string;
  /** Error (fails synthesis) or warning (advisory: never fails synthesis). */
  readonly level: NagMessageLevel;
  /** The CloudFormation resource types the rule reads (Markdown). */
  readonly resources: string;
  /** The Security Hub, CIS, Checkov or Control Tower items the rule mirrors (Markdown). */
  readonly mirrors: string;
  /** The `KmsGovernanceChecksProps` the rule reads. */
  readonly props?: readonly string[];
  /** Exactly what the rule checks (Markdown). */
  readonly checks: string;
  /** How to fix a finding (Markdown), when it takes more than the explanation says. */
  readonly fix?: string;
}

/**
 * A rule of the pack: cdk-nag's rule shape (`(node) => NagRuleResult`, named after its file) with
 * an optional context for the settings and the memoized lookups, and its documentation.
 */
export type KmsGovernanceRule = ((node: CfnResource, context?: RuleContext) => NagRuleResult) & {
  /** What the rule reports, and the text of its RULES.md section. */
  readonly documentation: RuleDocumentation;
};

/**
 * Define a rule. The name is given explicitly, not taken from `__filename` as cdk-nag does, so
 * that it survives bundling; a test holds every rule's name equal to its file name.
 */
export function defineRule(
  name: string,
  documentation: RuleDocumentation,
  check: (node: CfnResource, context: RuleContext) => NagRuleResult,
): KmsGovernanceRule {
  const rule = (node: CfnResource, context?: RuleContext) => check(node, context ?? newRuleContext());
  Object.defineProperty(rule, 'name', { value: name });
  return Object.assign(rule, { documentation });
}

/**
 * Define a rule over the key policy of a key or replica key: `check` sees each variant of the
 * statements (every `Fn::If` branch; the AWS default policy for a key without one) and returns
 * whether that variant complies. Anything that is not a key is not applicable.
 */
export function defineKeyPolicyRule(
  name: string,
  documentation: RuleDocumentation,
  check: (statements: PolicyStatementJson[], node: CfnResource, context: RuleContext, what: string) => boolean,
): KmsGovernanceRule {
  return defineRule(name, documentation, (node, context) => {
    if (!KEY_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
    const props = context.properties(node);
    if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const what = `the key policy of ${node.node.path}`;
    const compliant = keyPolicyVariants(props, node).every((statements) => check(statements, node, context, what));
    return compliant ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  });
}
