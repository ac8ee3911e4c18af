import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { KeyGovernanceRoleProps } from '../key-governance-role';
import { validateLength, validatePattern, validateSecondsRange } from '../private/validate';

/**
 * The `iam.Role` props of `KeyAdminRole` and `KeyAuditorRole`, validated: the trust policy requires
 * MFA unless told otherwise, and sessions last an hour by default.
 */
export function governanceRoleProps(construct: string, props: KeyGovernanceRoleProps, defaultDescription: string): iam.RoleProps {
  if (props?.assumedBy === undefined) {
    throw new Error(`'assumedBy' is required: the principal that may assume the ${construct}. Received: undefined`);
  }
  const requireMfa = props.requireMfa ?? true;
  if (requireMfa && 'Service' in props.assumedBy.policyFragment.principalJson) {
    throw new Error(
      "'requireMfa' must be false when 'assumedBy' is a service principal: a service cannot present MFA. " +
        `Received: requireMfa true with ${JSON.stringify(props.assumedBy.policyFragment.principalJson)}`,
    );
  }
  validateSecondsRange('maxSessionDuration', props.maxSessionDuration, 3600, 43200);
  validateLength('roleName', props.roleName, 1, 64);
  validatePattern('roleName', props.roleName, /^[\w+=,.@-]+$/, 'may contain only letters, digits and + = , . @ _ -');
  validateLength('description', props.description, 0, 1000);
  return {
    assumedBy: requireMfa ? new iam.PrincipalWithConditions(props.assumedBy, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }) : props.assumedBy,
    maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
    roleName: props.roleName,
    description: props.description ?? defaultDescription,
    permissionsBoundary: props.permissionsBoundary,
  };
}

/**
 * Refuse an identity-policy statement on a governance role: its permissions are fixed, and an
 * inline policy would break both them and cdk-nag's IAMNoInlinePolicy.
 */
export function refuseIdentityStatement(construct: string, role: IConstruct, statement: iam.PolicyStatement, why: string): never {
  throw new Error(`${construct} '${role.node.path}' ${why}. Received: ${JSON.stringify(Stack.of(role).resolve(statement.toStatementJson()))}`);
}
