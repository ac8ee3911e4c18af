import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { UnresolvableValueError, arnParts, asArray, flatten, isObject } from './cfn';
import { PolicyStatementJson } from './policy';

/**
 * Reading the `Condition` block of a policy statement, for the rules that judge conditions: fixed
 * values that bind a statement to an account, a service or a resource, and conditions that every
 * request satisfies.
 */

/** One condition clause: an operator, a condition key and its values. */
export interface ConditionClause {
  /** The operator as written (`StringEquals`, `ForAnyValue:StringLike`, `ArnLikeIfExists`…). */
  readonly operator: string;
  /** The operator without set prefix and `IfExists` (`StringEquals`, `ArnLike`, `Bool`, `Null`…). */
  readonly base: string;
  /** Whether the operator ends in `IfExists` (a missing key then satisfies it). */
  readonly ifExists: boolean;
  /** `ForAnyValue` or `ForAllValues`, if the operator has one. */
  readonly set?: string;
  /** The condition key, lower-cased (condition keys are case-insensitive). */
  readonly key: string;
  /** The values, as text (`flatten`); `undefined` for a value that cannot be read as text. */
  readonly values: ReadonlyArray<string | undefined>;
}

/**
 * The clauses of a statement's `Condition`. Throws `UnresolvableValueError` for a condition block
 * that is not a literal object of objects.
 */
export function clausesOf(statement: PolicyStatementJson, what: string): ConditionClause[] {
  const condition = statement.Condition;
  if (condition === undefined) return [];
  if (!isObject(condition)) throw new UnresolvableValueError(`The condition of a statement in ${what}`, condition);
  const out: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block)) throw new UnresolvableValueError(`The ${operator} condition of a statement in ${what}`, block);
    const match = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(operator)!;
    for (const [key, values] of Object.entries(block)) {
      out.push({
        operator,
        base: match[2],
        ifExists: match[3] !== undefined,
        set: match[1],
        key: key.toLowerCase(),
        values: asArray(values).map((v) => flatten(v)),
      });
    }
  }
  return out;
}

/** Whether a statement has a `Condition` with at least one clause. */
export function hasCondition(statement: PolicyStatementJson): boolean {
  return isObject(statement.Condition) && Object.values(statement.Condition).some((block) => !isObject(block) || Object.keys(block).length > 0);
}

const MATCHING_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike']);

/**
 * The values of the clauses on `key` that restrict it to fixed values: a matching operator
 * (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`, …) without `IfExists` (a request without
 * the key would pass) and without a set operator, every value readable as text. Each clause's
 * values are one list; every value must pass `accept`. `undefined` when no clause qualifies.
 */
export function fixedValues(clauses: readonly ConditionClause[], key: string, accept: (value: string) => boolean): string[][] | undefined {
  const lists = clauses
    .filter((c) => c.key === key.toLowerCase() && MATCHING_OPERATORS.has(c.base) && !c.ifExists && c.set === undefined)
    .filter((c) => c.values.length > 0 && c.values.every((v) => v !== undefined && accept(v)))
    .map((c) => c.values as string[]);
  return lists.length > 0 ? lists : undefined;
}

/** Whether the text is a wildcard and nothing else (`*`, `**`, `?*`…). */
export function isAllWildcard(text: string): boolean {
  return /^[*?]*$/.test(text);
}

/** Whether a text is a reference written by `flatten` (`${Param}`, `${Role.Arn}`) and nothing else. */
export function isReference(text: string): boolean {
  return /^\$\{[^}]+\}$/.test(text);
}

/**
 * Whether a text names one account: a literal 12-digit id, `${AWS::AccountId}`, or a reference (a
 * parameter or an attribute: a specific, if unknown, account).
 */
export function isFixedAccount(text: string): boolean {
  return /^\d{12}$/.test(text) || isReference(text);
}

/**
 * Whether a text is an ARN (or a pattern of one) bound to one account: its account part is a fixed
 * account (`isFixedAccount`), wildcards elsewhere allowed; or a reference to a whole ARN.
 */
export function isAccountBoundArn(text: string): boolean {
  if (isReference(text)) return true;
  const parts = arnParts(text);
  return parts !== undefined && isFixedAccount(parts[4]);
}

/** Whether a text is a service endpoint such as `s3.us-east-1.amazonaws.com`: a named service, whatever the Region. */
export function isNamedServiceEndpoint(text: string): boolean {
  const [service] = text.split('.');
  return service !== undefined && service.length > 0 && !/[*?]/.test(service) && /\.amazonaws\.com(\.cn)?$/.test(text);
}

/**
 * The account of the stack of `scope`: its literal account id, or `undefined` for an
 * environment-agnostic stack (where `${AWS::AccountId}` is the only sure way to name it).
 */
export function stackAccount(scope: IConstruct): string | undefined {
  const account = Stack.of(scope).account;
  return Token.isUnresolved(account) ? undefined : account;
}

/**
 * Whether an account text is another account than the one of `scope`'s stack: a literal id that
 * differs from the stack's literal account. In an environment-agnostic stack no literal id is known
 * to be another account (the project-wide convention: a literal id there counts as the stack's).
 */
export function isOtherAccount(account: string, scope: IConstruct): boolean {
  const own = stackAccount(scope);
  return own !== undefined && /^\d{12}$/.test(account) && account !== own;
}

/** Condition keys that every request to AWS KMS carries. */
const ALWAYS_PRESENT_KEYS = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principaltype',
  'aws:userid',
  'aws:currenttime',
  'aws:epochtime',
  'aws:requestedregion',
  'aws:securetransport',
  'kms:calleraccount',
]);

const ACCOUNT_KEYS = new Set(['kms:calleraccount', 'aws:principalaccount']);

/**
 * Whether a condition clause holds for every request that a principal of the key's own account
 * makes:
 * - `StringLike`/`ArnLike` with the value `*` on a key every KMS request carries (or with
 *   `IfExists`, on any key): everything matches `*`;
 * - `Null` with `false` on a key every KMS request carries: the key is there;
 * - `StringNotEquals`/`StringNotLike`/`ArnNotEquals`/`ArnNotLike` on the caller's account
 *   (`kms:CallerAccount`, `aws:PrincipalAccount`) whose values are other accounts only: the
 *   own account is never among them (decidable only when the stack's account is a literal).
 */
export function alwaysHoldsForOwnAccount(clause: ConditionClause, scope: IConstruct): boolean {
  if (clause.set === 'ForAllValues') return false;
  const present = ALWAYS_PRESENT_KEYS.has(clause.key);
  const texts = clause.values;
  if ((clause.base === 'StringLike' || clause.base === 'ArnLike') && (present || clause.ifExists)) {
    return texts.some((t) => t !== undefined && /^\*+$/.test(t));
  }
  if (clause.base === 'Null' && present) return texts.length > 0 && texts.every((t) => t === 'false');
  if (['StringNotEquals', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike'].includes(clause.base) && ACCOUNT_KEYS.has(clause.key)) {
    return texts.length > 0 && texts.every((t) => t !== undefined && isOtherAccount(t, scope));
  }
  return false;
}

/** Whether a statement's condition holds for every request of the key's own account (no condition included). */
export function conditionAlwaysHolds(statement: PolicyStatementJson, scope: IConstruct, what: string): boolean {
  return clausesOf(statement, what).every((c) => alwaysHoldsForOwnAccount(c, scope));
}
