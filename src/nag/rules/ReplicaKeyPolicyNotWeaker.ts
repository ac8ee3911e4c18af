import { CfnResource, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { canonicalString } from '../private/cfn';
import { ConditionClause, clausesOf } from '../private/conditions';
import { PolicyStatementJson, PrincipalKind, isAllow, isDeny, keyPolicyVariants, kmsActionsOf, principalsOf } from '../private/policy';
import { RuleContext, defineRule } from '../private/rule';

/** A replica's key policy gives nothing its primary's withholds (see `documentation`). */
export default defineRule('ReplicaKeyPolicyNotWeaker', {
  level: NagMessageLevel.ERROR,
  info: 'The key policy of the multi-Region replica key is weaker than its primary\'s: it drops a Deny, a condition, or gives the account root or everyone more.',
  explanation:
    'AWS KMS does not copy key policies to replicas: each replica has its own, and its ciphertext is interchangeable with the ' +
    'primary\'s. Whatever the replica allows more, in any Region, opens the data the primary protects. Give the replica the ' +
    'primary\'s statements, with the Region changed.',
  resources: '`AWS::KMS::ReplicaKey` whose primary key (`PrimaryKeyArn`) is an `AWS::KMS::Key` of the app',
  mirrors: 'AWS KMS developer guide, multi-Region keys ("each multi-Region key has its own key policy")',
  checks: [
    'The primary is found through the replica\'s `PrimaryKeyArn`, when it refers to the primary key in the app (`key.attrArn`, ',
    'also across Regions with `crossRegionReferences`); a replica whose primary ARN is a literal is not applicable. The policies ',
    'are compared with each stack\'s Region written as `<region>` (in service principals, `kms:ViaService`, ARNs), and ',
    'principals as written. The replica is weaker when:\n\n',
    '- a `Deny` statement of the primary has no equal (`Sid` aside) in the replica;\n',
    '- a principal the primary lets do a key action only under conditions may do it in the replica under a statement that lacks ',
    'the clauses of every such primary statement (a clause may narrow the values, never drop them); or\n',
    '- the account root, or `"*"`, may do a key action in the replica that it may not do in the primary at all (for example the ',
    'replica gives the root `kms:*` where the primary gives it the administration actions only).\n\n',
    'Other principals the replica adds (a role of its Region) are not judged here; the other key-policy rules judge the replica\'s ',
    'policy on its own.',
  ].join(''),
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::KMS::ReplicaKey') return NagRuleCompliance.NOT_APPLICABLE;
  const primary = primaryOf(node);
  if (!primary) return NagRuleCompliance.NOT_APPLICABLE;
  const replicaProps = context.properties(node);
  const primaryProps = context.properties(primary);
  if (replicaProps === undefined || primaryProps === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const primaryPolicies = keyPolicyVariants(primaryProps, primary).map((s) => view(s, primary, context));
  const replicaPolicies = keyPolicyVariants(replicaProps, node).map((s) => view(s, node, context));
  const weaker = replicaPolicies.some((r) => primaryPolicies.some((p) => isWeaker(r, p)));
  return weaker ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
});

/** The primary key a replica refers to in the app: the target of the reference in `PrimaryKeyArn`. */
function primaryOf(replica: CfnResource): CfnResource | undefined {
  const arn = (replica as unknown as { primaryKeyArn?: unknown }).primaryKeyArn;
  if (arn === undefined || !Token.isUnresolved(arn)) return undefined;
  const tokens = typeof arn === 'string' ? Tokenization.reverseString(arn).tokens : [Tokenization.reverse(arn)];
  for (const token of tokens) {
    const target = (token as { target?: IConstruct } | undefined)?.target;
    if (target && CfnResource.isCfnResource(target) && target.cfnResourceType === 'AWS::KMS::Key') return target;
  }
  return undefined;
}

/** One statement, region-normalized: its effect, principals, actions and clauses as comparable text. */
interface StatementView {
  readonly allow: boolean;
  readonly deny: string;
  readonly principals: Array<{ id: string; broad: boolean }>;
  readonly actions: ReadonlySet<string>;
  readonly clauses: ConditionClause[];
}

function view(statements: PolicyStatementJson[], key: CfnResource, _context: RuleContext): StatementView[] {
  const region = Stack.of(key).region;
  const what = `the key policy of ${key.node.path}`;
  const norm = (text: string) => {
    let out = text.split('${AWS::Region}').join('<region>');
    if (!Token.isUnresolved(region)) out = out.split(region).join('<region>');
    return out;
  };
  return statements.map((s) => {
    const { Sid: _sid, ...rest } = s as PolicyStatementJson & { Sid?: unknown };
    return {
      allow: isAllow(s),
      deny: isDeny(s) ? norm(canonicalString(rest)) : '',
      principals: principalsOf(s, key).map((p) => ({
        id: norm(p.id),
        broad: p.kind === PrincipalKind.ACCOUNT_ROOT || p.kind === PrincipalKind.PUBLIC || p.kind === PrincipalKind.ACCOUNT_SCOPED ||
          p.kind === PrincipalKind.ORGANIZATION_SCOPED,
      })),
      actions: kmsActionsOf(s, what),
      clauses: clausesOf(s, what).map((c) => ({ ...c, values: c.values.map((v) => (v === undefined ? v : norm(v))) })),
    };
  });
}

function isWeaker(replica: StatementView[], primary: StatementView[]): boolean {
  // A Deny of the primary that the replica lacks.
  const replicaDenies = new Set(replica.filter((s) => s.deny).map((s) => s.deny));
  if (primary.some((s) => s.deny && !replicaDenies.has(s.deny))) return true;
  for (const r of replica.filter((s) => s.allow)) {
    for (const principal of r.principals) {
      for (const action of r.actions) {
        const granting = primary.filter((p) => p.allow && p.actions.has(action) && p.principals.some((pp) => pp.id === principal.id));
        if (granting.length === 0) {
          if (principal.broad) return true;
          continue;
        }
        if (granting.some((p) => p.clauses.length === 0)) continue;
        if (!granting.some((p) => p.clauses.every((pc) => r.clauses.some((rc) => narrows(rc, pc))))) return true;
      }
    }
  }
  return false;
}

/** Whether a replica clause is at least as strict as a primary clause: same operator and key, values a subset. */
function narrows(replica: ConditionClause, primary: ConditionClause): boolean {
  return replica.operator === primary.operator && replica.key === primary.key && replica.values.every((v) => primary.values.includes(v));
}
