import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Json, UnresolvableValueError, arnParts, asArray, canonicalString, flatten, globToRegExp, isObject, variants } from './cfn';
import { ConditionClause, clausesOf, fixedValues, isAccountBoundArn, isAllWildcard, isFixedAccount, isNamedServiceEndpoint, isReference } from './conditions';
import {
  ADMINISTRATION_ONLY_ACTIONS,
  ALL_KMS_ACTIONS,
  GlobalCondition,
  KEY_RESOURCE_ACTIONS,
  KmsCondition,
  USE_OR_CONFER_USE_ACTIONS,
  encryptionContextKey,
  expandKmsAction,
} from '../../private/kms-actions';

/** The prefix of every encryption-context condition key, lower-cased as `clausesOf` writes keys. */
const ENCRYPTION_CONTEXT_PREFIX = encryptionContextKey('').toLowerCase();

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
export function kmsActionsOf(statement: PolicyStatementJson, what: string): ReadonlySet<string> {
  // Every key-policy rule reads the actions of the same statements: remember them per statement.
  let actions = ACTIONS.get(statement);
  if (actions === undefined) {
    if (statement.NotAction !== undefined) {
      const excluded = new Set(actionPatterns(statement.NotAction, what).flatMap((p) => expandKmsAction(p)));
      actions = new Set(KEY_RESOURCE_ACTIONS.filter((a) => !excluded.has(a)));
    } else {
      actions = new Set(actionPatterns(statement.Action, what).flatMap((p) => expandKmsAction(p)));
    }
    ACTIONS.set(statement, actions);
  }
  return actions;
}

/** `kmsActionsOf` by statement object (statements are not changed once read). */
const ACTIONS = new WeakMap<PolicyStatementJson, ReadonlySet<string>>();
/** `principalsOf` by statement object and stack (the account root depends on the stack's account). */
const PRINCIPALS = new WeakMap<PolicyStatementJson, Map<Stack, PrincipalEntry[]>>();
/** `keyPolicyVariants` by properties object. */
const KEY_POLICIES = new WeakMap<Json, PolicyStatementJson[][]>();

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
  /**
   * `"*"` or `{ "AWS": "*" }` held to named accounts by fixed-value conditions: the AWS managed
   * keys' pattern (`kms:CallerAccount` with `kms:ViaService` or an encryption context), or
   * `aws:PrincipalArn` with ARNs of named accounts. See `accountScopeOf`.
   */
  ACCOUNT_SCOPED = 'account-scoped',
  /**
   * `"*"` or `{ "AWS": "*" }` held to an AWS Organization by a fixed `aws:PrincipalOrgID` (an
   * `o-…` id or a reference): every principal of the Organization's accounts. See `organizationScopeOf`.
   */
  ORGANIZATION_SCOPED = 'organization-scoped',
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
  /** The principal type: `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` (everyone). */
  readonly type: string;
  /** The principal as written (`"*"` for everyone). */
  readonly value: unknown;
  /** For `ACCOUNT_SCOPED`: the accounts the conditions name (as `flatten` writes them). */
  readonly accounts?: readonly string[];
  /** For `ORGANIZATION_SCOPED`: the Organizations the conditions name (as `flatten` writes them). */
  readonly organizations?: readonly string[];
}

/**
 * The principals of a statement. An `Allow` with `NotPrincipal` allows everyone else, so it is
 * public. A principal that is not literal (a `Ref` to a parameter, a `GetAtt` of a role) is a
 * specific principal: `OTHER`.
 */
export function principalsOf(statement: PolicyStatementJson, scope: IConstruct): PrincipalEntry[] {
  const stack = Stack.of(scope);
  let byStack = PRINCIPALS.get(statement);
  if (!byStack) {
    byStack = new Map();
    PRINCIPALS.set(statement, byStack);
  }
  let entries = byStack.get(stack);
  if (!entries) {
    entries = readPrincipals(statement, scope);
    byStack.set(stack, entries);
  }
  return entries;
}

function readPrincipals(statement: PolicyStatementJson, scope: IConstruct): PrincipalEntry[] {
  if (statement.NotPrincipal !== undefined) {
    return isAllow(statement) ? [{ kind: PrincipalKind.PUBLIC, id: 'NotPrincipal', type: '*', value: statement.NotPrincipal }] : [];
  }
  const principal = statement.Principal;
  if (principal === undefined) return [];
  const everyone = (): PrincipalEntry => {
    const accounts = accountScopeOf(statement);
    if (accounts !== undefined) {
      return { kind: PrincipalKind.ACCOUNT_SCOPED, id: `AWS:*|${canonicalString(statement.Condition)}`, type: '*', value: '*', accounts };
    }
    const organizations = organizationScopeOf(statement);
    if (organizations !== undefined) {
      return { kind: PrincipalKind.ORGANIZATION_SCOPED, id: `AWS:*|${canonicalString(statement.Condition)}`, type: '*', value: '*', organizations };
    }
    return { kind: PrincipalKind.PUBLIC, id: 'AWS:*', type: '*', value: '*' };
  };
  if (principal === '*') return [everyone()];
  if (!isObject(principal)) return [{ kind: PrincipalKind.OTHER, id: JSON.stringify(principal), type: '?', value: principal }];
  const out: PrincipalEntry[] = [];
  for (const [type, values] of Object.entries(principal)) {
    for (const value of asArray(values)) {
      const id = `${type}:${typeof value === 'string' ? value : JSON.stringify(value)}`;
      if (type === 'AWS' && value === '*') out.push(everyone());
      else if (type === 'AWS' && isAccountRoot(value, scope)) out.push({ kind: PrincipalKind.ACCOUNT_ROOT, id: 'AWS:<account root>', type, value });
      else out.push({ kind: PrincipalKind.OTHER, id, type, value });
    }
  }
  return out;
}

/**
 * The accounts to which fixed-value conditions hold a statement for everyone (`Principal: "*"`),
 * or `undefined` if they do not:
 * - `kms:CallerAccount` or `aws:PrincipalAccount` equal to named accounts, **and** either
 *   `kms:ViaService` equal to named service endpoints, or a `kms:EncryptionContext:…` key with a
 *   fixed value (an ARN of a named account for the `…:arn` keys). That is the policy of the AWS
 *   managed keys (`aws/ebs`: CallerAccount + ViaService) and CloudTrail's documented statements
 *   (CallerAccount + `kms:EncryptionContext:aws:cloudtrail:arn`; CallerAccount + ViaService).
 *   `kms:CallerAccount` alone is not enough: it gives the key to every principal of the account
 *   without any IAM permission.
 * - `aws:PrincipalArn` equal to, or like, ARNs whose account part is a named account.
 *
 * Operators with `IfExists` or a set prefix, and values that are wildcards, do not count. A
 * condition that cannot be read counts as no restriction.
 */
export function accountScopeOf(statement: PolicyStatementJson): string[] | undefined {
  let clauses: ConditionClause[];
  try {
    clauses = clausesOf(statement, 'the statement');
  } catch {
    return undefined;
  }
  const byArn = fixedValues(clauses, 'aws:PrincipalArn', isAccountBoundArn);
  if (byArn) return byArn.flat().map((arn) => arnParts(arn)?.[4] ?? arn);
  const accounts = fixedValues(clauses, KmsCondition.CALLER_ACCOUNT, isFixedAccount) ?? fixedValues(clauses, 'aws:PrincipalAccount', isFixedAccount);
  if (!accounts) return undefined;
  const viaService = fixedValues(clauses, KmsCondition.VIA_SERVICE, isNamedServiceEndpoint);
  const context = clauses.some((c) => c.key.startsWith(ENCRYPTION_CONTEXT_PREFIX) && fixedValues([c], c.key, (v) => fixedContextValue(c.key, v)));
  return viaService || context ? accounts.flat() : undefined;
}

/**
 * The Organizations to which a fixed-value `aws:PrincipalOrgID` condition holds a statement for
 * everyone, or `undefined` if none does: `StringEquals` (or another matching operator, without
 * `IfExists` or a set prefix) with values that are Organization ids (`o-…`, no wildcard) or
 * references. AWS Config's `kms-key-policy-no-public-access` (behind Security Hub KMS.5) counts a
 * key policy with fixed values as not public; `aws:PrincipalOrgPaths` alone does not count here
 * (its values are patterns).
 */
export function organizationScopeOf(statement: PolicyStatementJson): string[] | undefined {
  let clauses: ConditionClause[];
  try {
    clauses = clausesOf(statement, 'the statement');
  } catch {
    return undefined;
  }
  return fixedValues(clauses, GlobalCondition.PRINCIPAL_ORG_ID, (v) => /^o-[a-z0-9]{10,32}$/.test(v) || isReference(v))?.flat();
}

/** A fixed encryption-context value: not a wildcard; an ARN of a named account for the `…:arn` keys. */
function fixedContextValue(key: string, value: string): boolean {
  if (isAllWildcard(value)) return false;
  return key.endsWith(':arn') ? isAccountBoundArn(value) : true;
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
  let known = KEY_POLICIES.get(properties);
  if (!known) {
    const what = `The key policy of ${scope.node.path}`;
    known = variants(properties.KeyPolicy, what).flatMap((doc) => policyVariants(doc ?? DEFAULT_KEY_POLICY, what));
    KEY_POLICIES.set(properties, known);
  }
  return known;
}

/** The key types whose policies the key-policy rules read. */
export const KEY_TYPES: ReadonlySet<string> = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);

/** Identity-policy resources with a `PolicyDocument`. */
const IDENTITY_POLICY_TYPES = new Set(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy', 'AWS::IAM::UserPolicy', 'AWS::IAM::GroupPolicy']);
/** Identities with inline `Policies`. */
const IDENTITY_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

/** One identity-policy document of a resource, with a text that names it in findings. */
export interface PolicyDocumentRef {
  readonly document: unknown;
  readonly what: string;
}

/**
 * The identity-policy documents of a resource: the `PolicyDocument` of a policy resource, or the
 * inline `Policies` of a role, user or group (every `Fn::If` variant of the list). `undefined` for
 * any other resource.
 */
export function identityPolicyDocuments(
  node: IConstruct & { readonly cfnResourceType: string },
  props: Json | undefined,
): PolicyDocumentRef[] | undefined {
  const isPolicy = IDENTITY_POLICY_TYPES.has(node.cfnResourceType);
  if (!isPolicy && !IDENTITY_TYPES.has(node.cfnResourceType)) return undefined;
  if (props === undefined) return undefined;
  if (isPolicy) return [{ document: props.PolicyDocument, what: `the policy document of ${node.node.path}` }];
  const out: PolicyDocumentRef[] = [];
  for (const policies of variants(props.Policies, `Policies of ${node.node.path}`)) {
    for (const policy of asArray(policies)) {
      const name = isObject(policy) && typeof policy.PolicyName === 'string' ? policy.PolicyName : '?';
      const document = isObject(policy) ? policy.PolicyDocument : policy;
      out.push({ document, what: `the inline policy ${name} of ${node.node.path}` });
    }
  }
  return out;
}
