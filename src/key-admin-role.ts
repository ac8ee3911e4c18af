import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { governanceRoleProps, refuseIdentityStatement } from './internal/governance-role';
import { KeyGovernanceRoleProps } from './key-governance-role';
import { IManagedKey } from './managed-key';
import { KmsCondition, LOCKOUT_BYPASS_ACTIONS, Sid, USE_OR_CONFER_USE_ACTIONS } from './private/kms-actions';

/**
 * Properties of a `KeyAdminRole`.
 */
export interface KeyAdminRoleProps extends KeyGovernanceRoleProps {
  /**
   * Keys this role administers. Each key gets the role in its key policy (`grantAdmin`).
   * More keys can be added with `administer(key)`.
   *
   * @default - none
   */
  readonly keys?: IManagedKey[];
}

/**
 * An IAM role for people who manage KMS keys but must never use them.
 *
 * The role has no permission of its own to use a key: administration comes from the key
 * policies of the keys it administers (`keys`, `administer(key)` or `ManagedCmk.administrators`),
 * and a customer managed guardrail policy denies, on every key:
 * - every cryptographic action, and creating grants (a grant can confer use);
 * - `kms:PutKeyPolicy` and `kms:CreateKey` that bypass the policy lockout safety check.
 *
 * No inline policy, no AWS managed policy.
 */
export class KeyAdminRole extends iam.Role {
  /** The guardrail policy that denies use of keys. */
  public readonly guardrails: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: KeyAdminRoleProps) {
    super(scope, id, governanceRoleProps('key administrator role', props, 'Administers KMS keys and cannot use them (cdk-kms-governance)'));

    this.guardrails = new iam.ManagedPolicy(this, 'Guardrails', {
      description: 'Denies use of KMS keys to key administrators (separation of duties, cdk-kms-governance)',
      statements: [
        // Deny statements need Resource "*" to cover every key, including keys created later.
        new iam.PolicyStatement({
          sid: Sid.DENY_KEY_USE,
          effect: iam.Effect.DENY,
          actions: [...USE_OR_CONFER_USE_ACTIONS],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: Sid.DENY_LOCKOUT_BYPASS,
          effect: iam.Effect.DENY,
          actions: [...LOCKOUT_BYPASS_ACTIONS],
          resources: ['*'],
          conditions: { Bool: { [KmsCondition.BYPASS_POLICY_LOCKOUT_SAFETY_CHECK]: 'true' } },
        }),
      ],
    });
    this.addManagedPolicy(this.guardrails);

    (props.keys ?? []).forEach((key) => this.administer(key));
  }

  /** Make this role an administrator of `key` (in the key policy). */
  public administer(key: IManagedKey): iam.Grant {
    return key.grantAdmin(this);
  }

  /**
   * Refused: a key administrator's permissions come from key policies and its guardrail policy.
   * An inline policy would break both the separation of duties and cdk-nag's IAMNoInlinePolicy.
   */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return refuseIdentityStatement('KeyAdminRole', this, statement, 'takes no identity-policy statements: grant key administration through the key policy (key.grantAdmin(role)) instead');
  }
}
