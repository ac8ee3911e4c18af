import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { validateLength, validatePattern, validateSecondsRange } from './validate';

/** What `KeyAdminRole` and `KeyAuditorRole` share: a role people assume, with MFA by default. */
export interface HumanRoleInput {
  readonly assumedBy?: iam.IPrincipal;
  readonly requireMfa?: boolean;
  readonly maxSessionDuration?: Duration;
  readonly roleName?: string;
  readonly description?: string;
  readonly permissionsBoundary?: iam.IManagedPolicy;
}

/**
 * Validate the shared props and build the `iam.Role` props: the trust policy requires MFA unless
 * told otherwise, and sessions last an hour by default.
 */
export function humanRoleProps(construct: string, props: HumanRoleInput, defaultDescription: string): iam.RoleProps {
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
