import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Json, UnresolvableValueError, arnParts, asArray, flatten, globToRegExp, isObject, variants } from './cfn';
import { ADMINISTRATION_ONLY_ACTIONS, ALL_KMS_ACTIONS, KEY_RESOURCE_ACTIONS, USE_OR_CONFER_USE_ACTIONS, expandKmsAction } from '../../private/kms-actions';

/**
 * Reading IAM policy documents (key policies, identity policies, bucket policies) as resolved
 * CloudFormation JSON, for the nag rules.
 */

/** One statement of a policy document. */
export interface PolicyStatementJson {
  readonly Sid?: unknown;
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

/**
 * Every variant (through `Fn::If`) of a policy document, as its list of statements. Throws
 * `UnresolvableValueError` for a document that is not a literal object with statements (a `Ref`
 * to a parameter, an `Fn::Select`…) or that holds a statement that is not an object.
 */
export function policyVariants(document: unknown, what: string): PolicyStatementJson[][] {
  return variants(document, what).map((variant) => {
    if (variant === undefined) return [];
    const doc = typeof variant === 'string' ? parseJson(variant) : variant;
    if (!isObject(doc) || !('Statement' in doc)) throw new UnresolvableValueError(what, doc);
    const statements = asArray(doc.Statement);
    for (const s of statements) {
      if (!isObject(s)) throw new UnresolvableValueError(`A statement of ${what}`, s);
    }
    return statements as PolicyStatementJson[];
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const isAllow = (s: PolicyStatementJson): boolean => s.Effect === 'Allow';
export const isDeny = (s: PolicyStatementJson): boolean => s.Effect === 'Deny';

/** The literal action patterns of a list; throws for one that is not a literal string. */
function actionPatterns(value: unknown, what: string): string[] {
  return asArray(value).map((a) => {
    if (typeof a !== 'string' || Token.isUnresolved(a)) throw new UnresolvableValueError(`An action in ${what}`, a);
    return a;
  });
}

/**
 * The KMS key actions a statement covers (its `Action` patterns expanded, or everything its
 * `NotAction` leaves out), from the known key actions in `kms-actions.ts`.
 */
export function kmsActionsOf(statement: PolicyStatementJson, what: string): Set<string> {
  if (statement.NotAction !== undefined) {
    const excluded = new Set(actionPatterns(statement.NotAction, what).flatMap((p) => expandKmsAction(p)));
    return new Set(KEY_RESOURCE_ACTIONS.filter((a) => !excluded.has(a)));
  }
  return new Set(actionPatterns(statement.Action, what).flatMap((p) => expandKmsAction(p)));
}

/**
 * Whether a statement covers an action of any service, such as `s3:PutObject` (case-insensitive
 * globs, `NotAction` honoured).
 */
export function coversAction(statement: PolicyStatementJson, action: string, what: string): boolean {
  const matches = (p: string) => globToRegExp(p, true).test(action);
  if (statement.NotAction !== undefined) return !actionPatterns(statement.NotAction, what).some(matches);
  return actionPatterns(statement.Action, what).some(matches);
}

/** The administration actions that only an administrator has (the neutral ones confer nothing). */
export const ADMINISTRATION_ONLY: ReadonlySet<string> = new Set(ADMINISTRATION_ONLY_ACTIONS);
/** Use of the key, or conferring it: the set `KeyAdminRole` denies. */
export const USE: ReadonlySet<string> = new Set(USE_OR_CONFER_USE_ACTIONS);

/** Whether a set of KMS actions is every key action (`kms:*`, `*`, or a `NotAction` that excludes nothing of KMS). */
export function isFullAccess(actions: ReadonlySet<string>): boolean {
  return KEY_RESOURCE_ACTIONS.every((a) => actions.has(a));
}

/** What kind of principal one principal entry of a statement is. */
export enum PrincipalKind {
  /** Everyone: `"*"`, `{ "AWS": "*" }`, or the complement of a `NotPrincipal`. */
  PUBLIC = 'public',
  /** The root of the key's own account (`arn:…:iam::<this account>:root`, or the bare account id). */
  ACCOUNT_ROOT = 'account-root',
  /** Any other principal: a role, user, service, another account, a federated identity… */
  OTHER = 'other',
}

/** One principal of a statement. */
export interface PrincipalEntry {
  readonly kind: PrincipalKind;
  /** A stable text for the principal, for grouping statements by principal. */
  readonly id: string;
}

/**
 * The principals of a statement. An `Allow` with `NotPrincipal` allows everyone else, so it is
 * public. A principal that is not literal (a `Ref` to a parameter, a `GetAtt` of a role) is a
 * specific principal: `OTHER`.
 */
export function principalsOf(statement: PolicyStatementJson, scope: IConstruct): PrincipalEntry[] {
  if (statement.NotPrincipal !== undefined) {
    return isAllow(statement) ? [{ kind: PrincipalKind.PUBLIC, id: 'NotPrincipal' }] : [];
  }
  const principal = statement.Principal;
  if (principal === undefined) return [];
  if (principal === '*') return [{ kind: PrincipalKind.PUBLIC, id: 'AWS:*' }];
  if (!isObject(principal)) return [{ kind: PrincipalKind.OTHER, id: JSON.stringify(principal) }];
  const out: PrincipalEntry[] = [];
  for (const [type, values] of Object.entries(principal)) {
    for (const value of asArray(values)) {
      const id = `${type}:${typeof value === 'string' ? value : JSON.stringify(value)}`;
      if (type === 'AWS' && value === '*') out.push({ kind: PrincipalKind.PUBLIC, id: 'AWS:*' });
      else if (type === 'AWS' && isAccountRoot(value, scope)) out.push({ kind: PrincipalKind.ACCOUNT_ROOT, id: 'AWS:<account root>' });
      else out.push({ kind: PrincipalKind.OTHER, id });
    }
  }
  return out;
}

/**
 * Whether an AWS principal is the root of the account of `scope`'s stack: `arn:<partition>:iam::<account>:root`
 * or a bare account id, where the account is `AWS::AccountId` or the stack's (literal) account. A
 * literal account id in an environment-agnostic stack counts as the stack's account.
 */
export function isAccountRoot(value: unknown, scope: IConstruct): boolean {
  const text = flatten(value);
  if (text === undefined) return false;
  const arn = arnParts(text);
  let account: string;
  if (arn !== undefined) {
    const [, , service, region, acct, resource] = arn;
    if (arn.length !== 6 || service !== 'iam' || region !== '' || resource !== 'root') return false;
    account = acct;
  } else {
    account = text;
  }
  if (account === '${AWS::AccountId}') return true;
  if (!/^\d{12}$/.test(account)) return false;
  const stackAccount = Stack.of(scope).account;
  return Token.isUnresolved(stackAccount) || stackAccount === account;
}

/** Whether a statement applies to everyone, without any condition. */
export function appliesToEveryoneUnconditionally(statement: PolicyStatementJson, scope: IConstruct): boolean {
  const principals = principalsOf(statement, scope);
  const hasCondition = isObject(statement.Condition) && Object.keys(statement.Condition).length > 0;
  return statement.NotPrincipal === undefined && principals.some((p) => p.kind === PrincipalKind.PUBLIC) && !hasCondition;
}

/**
 * The default key policy AWS KMS applies to a key created without one: `kms:*` for the account root.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export const DEFAULT_KEY_POLICY: Json = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
      Action: ALL_KMS_ACTIONS,
      Resource: '*',
    },
  ],
};

/** The key policy of a key or replica key, with the AWS default when it has none. */
export function keyPolicyVariants(properties: Json, scope: IConstruct): PolicyStatementJson[][] {
  const what = `The key policy of ${scope.node.path}`;
  return variants(properties.KeyPolicy, what).flatMap((doc) => policyVariants(doc ?? DEFAULT_KEY_POLICY, what));
}

/** The key types whose policies the key-policy rules read. */
export const KEY_TYPES: ReadonlySet<string> = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);
