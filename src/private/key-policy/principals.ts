import { IResolvable, IResolveContext, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Conditions } from './conditions';
import { CROSS_ACCOUNT_ACTIONS, GlobalCondition, KmsCondition, expandKmsAction } from '../kms-actions';
import { validateLength, validatePattern } from '../validate';

/**
 * Principals that are not one role or account: every principal of an AWS Organization or of an
 * organizational unit (`Principal: "*"` held by `aws:PrincipalOrgID`, and `aws:PrincipalOrgPaths`
 * for an OU), and the roles IAM Identity Center creates for a permission set (an account root
 * principal held by `aws:PrincipalArn` to the permission set's role names). The writer recognizes
 * them by their policy fragment, so `iam.OrganizationPrincipal` works as `KeyPrincipals.organization`.
 */

/** An Organization id (AWS Organizations API: `o-` and 10 to 32 lower-case letters or digits). */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** An Organizations entity path down to an OU: `o-…/r-…/ou-…[/ou-…]`, optionally ending in `/`. */
const OU_PATH = /^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}(\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})+\/?$/;
/** A permission-set name (IAM Identity Center CreatePermissionSet: 1 to 32 of `[\w+=,.@-]`). */
const PERMISSION_SET_NAME = /^[\w+=,.@-]+$/;
/** The prefix of the role names of permission sets. */
export const IDENTITY_CENTER_ROLE_PREFIX = 'AWSReservedSSO_';
/** The IAM path of permission-set roles; newer instances add a Region segment below it. */
export const IDENTITY_CENTER_ROLE_PATH = 'aws-reserved/sso.amazonaws.com/';
/** The unique suffix of a permission-set role name: 16 characters (`_1234567890abcdef`). */
const IDENTITY_CENTER_SUFFIX = '?'.repeat(16);

/** The Organization principal: `Principal: "*"` with `aws:PrincipalOrgID`. */
export function organizationPrincipal(organizationId: string): iam.IPrincipal {
  validatePattern('organizationId', organizationId, ORGANIZATION_ID, 'must be an AWS Organizations id such as o-a1b2c3d4e5');
  return new iam.OrganizationPrincipal(organizationId);
}

/**
 * The principal of an organizational unit and the OUs below it: `Principal: "*"` with
 * `aws:PrincipalOrgID` (the Organization of the path) and `aws:PrincipalOrgPaths` like `<path>/*`.
 */
export function organizationalUnitPrincipal(path: string): iam.IPrincipal {
  validatePattern('organizationalUnitPath', path, OU_PATH, 'must be an AWS Organizations entity path to an OU such as o-a1b2c3d4e5/r-ab12/ou-ab12-11111111');
  if (Token.isUnresolved(path)) {
    throw new Error(`'organizationalUnitPath' must be a literal path (the Organization id is read from it). Received: ${path}`);
  }
  const trimmed = path.replace(/\/$/, '');
  return new iam.PrincipalWithConditions(new iam.OrganizationPrincipal(trimmed.split('/')[0]), {
    'ForAnyValue:StringLike': { [GlobalCondition.PRINCIPAL_ORG_PATHS]: `${trimmed}/*` },
  });
}

/**
 * The roles of one IAM Identity Center permission set in one account: the account root principal
 * (so the key policy delegates to the permission set's own policies, as for any IAM role) held by
 * `ArnLike aws:PrincipalArn` to `role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<name>_<16 characters>`.
 * The suffix is matched character by character, so the permission set `Admins` does not match the
 * roles of `Admins_ReadOnly`.
 */
export function identityCenterPrincipal(permissionSetName: string, account?: string): iam.IPrincipal {
  validateLength('permissionSetName', permissionSetName, 1, 32);
  validatePattern('permissionSetName', permissionSetName, PERMISSION_SET_NAME, 'must contain only letters, digits and _+=,.@- (an IAM Identity Center permission-set name)');
  if (account !== undefined) validatePattern('account', account, /^\d{12}$/, 'must be a 12-digit AWS account id');
  const root = account === undefined ? new iam.AccountRootPrincipal() : new iam.AccountPrincipal(account);
  const accountText = account ?? Token.asString(new KeyStackValue('account'));
  const partition = Token.asString(new KeyStackValue('partition'));
  const role = `${IDENTITY_CENTER_ROLE_PREFIX}${permissionSetName}_${IDENTITY_CENTER_SUFFIX}`;
  const base = `arn:${partition}:iam::${accountText}:role/${IDENTITY_CENTER_ROLE_PATH}`;
  return new iam.PrincipalWithConditions(root, {
    ArnLike: { [GlobalCondition.PRINCIPAL_ARN]: [`${base}${role}`, `${base}*/${role}`] },
  });
}

/** The account or partition of the stack that renders the value (the key's), as `AccountRootPrincipal` has it. */
class KeyStackValue implements IResolvable {
  public readonly creationStack: string[] = [];
  constructor(private readonly attribute: 'account' | 'partition') {}
  public resolve(context: IResolveContext): string {
    const stack = Stack.of(context.scope);
    return this.attribute === 'account' ? stack.account : stack.partition;
  }
  public toString(): string {
    return Token.asString(this);
  }
}

/** Whether a principal is `"*"` or `{ "AWS": "*" }`, whatever its conditions. */
export function isWildcardPrincipal(principal: iam.IPrincipal): boolean {
  const json = principal.policyFragment.principalJson as Record<string, unknown>;
  return Object.values(json).some((v) => v === '*' || (Array.isArray(v) && v.includes('*')));
}

/** Whether a wildcard principal is held to an Organization by its own conditions (`aws:PrincipalOrgID`). */
export function isOrganizationPrincipal(principal: iam.IPrincipal): boolean {
  return isWildcardPrincipal(principal) && holdsKey(principal.policyFragment.conditions as Conditions, GlobalCondition.PRINCIPAL_ORG_ID, ['StringEquals']);
}

/** Whether a principal is the roles of an Identity Center permission set (an `ArnLike aws:PrincipalArn` on `AWSReservedSSO_`). */
export function isIdentityCenterPrincipal(principal: iam.IPrincipal): boolean {
  return identityCenterPatterns(principal) !== undefined;
}

/** The `aws:PrincipalArn` patterns of an Identity Center principal, or `undefined` for any other principal. */
export function identityCenterPatterns(principal: iam.IPrincipal): string[] | undefined {
  if (isWildcardPrincipal(principal) || !('AWS' in principal.policyFragment.principalJson)) return undefined;
  const conditions = principal.policyFragment.conditions as Conditions;
  const operators = Object.keys(conditions);
  if (operators.length !== 1 || operators[0] !== 'ArnLike') return undefined;
  const entries = Object.entries(conditions.ArnLike);
  if (entries.length !== 1 || entries[0][0] !== GlobalCondition.PRINCIPAL_ARN) return undefined;
  const values = [entries[0][1]].flat() as unknown[];
  const patterns = values.filter((v): v is string => typeof v === 'string' && v.includes(`/${IDENTITY_CENTER_ROLE_PATH}`) && v.includes(IDENTITY_CENTER_ROLE_PREFIX));
  return patterns.length === values.length && patterns.length > 0 ? patterns : undefined;
}

/**
 * Whether conditions hold a wildcard principal to named principals: a `StringEquals` on
 * `aws:PrincipalOrgID`, `aws:PrincipalAccount` or `kms:CallerAccount`, or an `ArnEquals`/`ArnLike`
 * on `aws:PrincipalArn` (the shapes the nag rule `KeyPolicyNoPublicAccess` reads).
 */
export function holdsWildcard(conditions: Conditions): boolean {
  return holdsKey(conditions, GlobalCondition.PRINCIPAL_ORG_ID, ['StringEquals']) ||
    holdsKey(conditions, GlobalCondition.PRINCIPAL_ACCOUNT, ['StringEquals']) ||
    holdsKey(conditions, KmsCondition.CALLER_ACCOUNT, ['StringEquals']) ||
    holdsKey(conditions, GlobalCondition.PRINCIPAL_ARN, ['ArnEquals', 'ArnLike']);
}

function holdsKey(conditions: Conditions, key: string, operators: string[]): boolean {
  return operators.some((op) => Object.keys(conditions[op] ?? {}).some((k) => k.toLowerCase() === key.toLowerCase()));
}

/**
 * The account of a principal when it is known at synth: its `principalAccount`, or the account of
 * a literal ARN or account id in its policy fragment. `undefined` for a wildcard or a reference.
 */
export function principalAccountOf(principal: iam.IPrincipal): string | undefined {
  const account = principal.principalAccount;
  if (account !== undefined && !Token.isUnresolved(account)) return account;
  const aws = (principal.policyFragment.principalJson as Record<string, unknown>).AWS;
  const values = [aws].flat();
  if (values.length !== 1 || typeof values[0] !== 'string' || Token.isUnresolved(values[0])) return undefined;
  const text = values[0] as string;
  if (/^\d{12}$/.test(text)) return text;
  const parts = text.split(':');
  return parts.length >= 6 && /^\d{12}$/.test(parts[4]) ? parts[4] : undefined;
}

/**
 * Whether a principal is of another account than the key's stack: both accounts known at synth
 * and different. In an environment-agnostic stack no principal is known to be of another account.
 */
export function isOtherAccountPrincipal(principal: iam.IPrincipal, keyStack: Stack): boolean {
  if (Token.isUnresolved(keyStack.account)) return false;
  const account = principalAccountOf(principal);
  return account !== undefined && account !== keyStack.account;
}

/** Administration actions split into what KMS honours for a principal of another account, and what it ignores. */
export function crossAccountSplit(actions: readonly string[]): { kept: string[]; dropped: string[] } {
  const expanded = [...new Set(actions.flatMap((a) => expandKmsAction(a)))].sort();
  const dropped = expanded.filter((a) => !CROSS_ACCOUNT_ACTIONS.includes(a));
  if (dropped.length === 0) return { kept: [...actions], dropped };
  return { kept: expanded.filter((a) => CROSS_ACCOUNT_ACTIONS.includes(a)), dropped };
}

/** A readable name for a principal in messages: its construct path, or its resolved principal JSON. */
export function describePrincipal(principal: iam.IPrincipal, stack: Stack): string {
  if (iam.principalIsOwnedResource(principal)) return principal.node.path;
  const resolved = stack.resolve(principal.policyFragment.principalJson);
  const aws = [resolved?.AWS ?? []].flat();
  const single = Object.keys(resolved ?? {}).length === 1 && aws.length === 1 && typeof aws[0] === 'string';
  const text = principal.toString();
  const json = single ? aws[0] : !Token.isUnresolved(text) && !text.startsWith('[object') ? text : JSON.stringify(resolved);
  const conditions = principal.policyFragment.conditions;
  return Object.keys(conditions).length > 0 ? `${json} with conditions ${JSON.stringify(stack.resolve(conditions))}` : json;
}
