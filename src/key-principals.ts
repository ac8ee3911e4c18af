import * as iam from 'aws-cdk-lib/aws-iam';
import { identityCenterPrincipal, organizationPrincipal, organizationalUnitPrincipal } from './private/key-policy/principals';

/**
 * Options for `KeyPrincipals.identityCenterPermissionSet`.
 */
export interface IdentityCenterPermissionSetOptions {
  /**
   * The account whose permission-set roles are meant. A role of another account gets only what
   * AWS KMS honours across accounts (see `KeyPolicyOptions.administrators`).
   *
   * @default - the account of the key's stack
   */
  readonly account?: string;
}

/**
 * Principals for key policies that are not one role or one account: the principals of an AWS
 * Organization or an organizational unit, and the roles of an IAM Identity Center permission set.
 * Use them in `users`, `serviceUsers` and `administrators` of a `ManagedCmk` (or with its `grant*`
 * methods); the key policy gets the same actions and conditions as for any other principal there.
 *
 * None of them is a bare wildcard: an Organization or OU is `Principal: "*"` only together with
 * `aws:PrincipalOrgID` (and `aws:PrincipalOrgPaths` for an OU); a permission set is the account
 * root together with `aws:PrincipalArn` on that permission set's role names.
 */
export class KeyPrincipals {
  /**
   * Every principal of an AWS Organization: `Principal: "*"` with the condition
   * `StringEquals aws:PrincipalOrgID`. For `users` and `serviceUsers`; an Organization cannot be
   * an administrator.
   *
   * Principals in other accounts of the Organization also need an IAM policy that allows the
   * actions on the key (AWS KMS requires both for cross-account use); principals in the key's own
   * account need none.
   *
   * @param organizationId the Organization id, such as `o-a1b2c3d4e5`
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
   */
  public static organization(organizationId: string): iam.IPrincipal {
    return organizationPrincipal(organizationId);
  }

  /**
   * Every principal of the accounts in an organizational unit and the OUs below it:
   * `Principal: "*"` with `StringEquals aws:PrincipalOrgID` (the Organization of the path) and
   * `ForAnyValue:StringLike aws:PrincipalOrgPaths` `<path>/*`. For `users` and `serviceUsers`.
   *
   * @param organizationalUnitPath the Organizations entity path of the OU, such as
   *   `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111` (nested OUs add `/ou-…` segments)
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
   */
  public static organizationalUnit(organizationalUnitPath: string): iam.IPrincipal {
    return organizationalUnitPrincipal(organizationalUnitPath);
  }

  /**
   * The roles that IAM Identity Center creates in an account for one permission set
   * (`AWSReservedSSO_<permission set>_<unique suffix>`, under the path
   * `/aws-reserved/sso.amazonaws.com/`, with a Region segment for newer instances). The suffix
   * changes whenever the permission set is assigned anew, so the key policy names the account root
   * with `ArnLike aws:PrincipalArn` on both path forms and exactly 16 suffix characters: a role of
   * the permission set `Admins` matches, one of `Admins_ReadOnly` or a look-alike role outside the
   * Identity Center path does not.
   *
   * The key policy delegates to the permission set: its policies must also allow the actions on
   * the key, as for any IAM role admitted through the account.
   *
   * @param permissionSetName the name of the permission set (1 to 32 of letters, digits and `_+=,.@-`)
   * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html
   */
  public static identityCenterPermissionSet(permissionSetName: string, options: IdentityCenterPermissionSetOptions = {}): iam.IPrincipal {
    return identityCenterPrincipal(permissionSetName, options.account);
  }

  private constructor() {}
}
