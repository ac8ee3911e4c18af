import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { governanceRoleProps, refuseIdentityStatement } from './internal/governance-role';
import { KeyAuditTrail } from './key-audit-trail';
import { KeyGovernanceRoleProps } from './key-governance-role';
import { AUDITOR_READS_ALL_KEYS, acknowledge } from './private/acknowledgements';
import { ADMIN_ACTIONS, AUDIT_ACTIONS, CREATE_KEY_ACTION, KEY_MATERIAL_ACTIONS, Sid, USE_OR_CONFER_USE_ACTIONS } from './private/kms-actions';

/**
 * Properties of a `KeyAuditorRole`.
 */
export interface KeyAuditorRoleProps extends KeyGovernanceRoleProps {
  /**
   * The audit trail whose log group the auditor may read.
   *
   * @default - no log group access (add log groups with `logGroups`)
   */
  readonly trail?: KeyAuditTrail;

  /**
   * Further log groups holding audit data that the auditor may read.
   *
   * @default - none
   */
  readonly logGroups?: logs.ILogGroup[];
}

/** The KMS actions that change a key; the auditor is denied them even where an IAM policy would allow. */
const CHANGE_ACTIONS = ADMIN_ACTIONS.filter((a) => !AUDIT_ACTIONS.includes(a));

/**
 * The compliance officer's role: reads what keys exist and how they are configured, and who did
 * what with them, and can do nothing else.
 *
 * Read-only KMS (describe, get and list, except `kms:GetParametersForImport`), CloudTrail event
 * lookup and trail status, and read of the audit log groups. An explicit Deny of every
 * cryptographic and every administrative KMS action keeps it read-only even on keys whose policy
 * delegates everything to IAM. MFA is required by default.
 *
 * KMS read actions reach a key only where its key policy lets IAM policies grant them: a
 * `ManagedCmk` does, for the describe, get and list actions.
 */
export class KeyAuditorRole extends iam.Role {
  /** The customer managed policy that holds the auditor's permissions. */
  public readonly permissions: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: KeyAuditorRoleProps) {
    super(scope, id, governanceRoleProps('key auditor role', props, 'Audits KMS keys and their use, read-only (cdk-kms-governance)'));
    const logGroups = [...(props.trail ? [props.trail.logGroup] : []), ...(props.logGroups ?? [])];

    this.permissions = new iam.ManagedPolicy(this, 'AuditPermissions', {
      description: 'Read-only audit of KMS keys, CloudTrail and audit log groups (cdk-kms-governance)',
      roles: [this],
      statements: [
        // KMS list and describe calls cover every key of the account; ListKeys and ListAliases
        // take no resource ARN at all.
        new iam.PolicyStatement({ sid: Sid.READ_KEYS, actions: [...AUDIT_ACTIONS], resources: ['*'] }),
        // LookupEvents and DescribeTrails take no resource ARN.
        new iam.PolicyStatement({
          sid: Sid.READ_CLOUDTRAIL,
          actions: ['cloudtrail:DescribeTrails', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetTrail', 'cloudtrail:GetTrailStatus', 'cloudtrail:ListTrails', 'cloudtrail:LookupEvents'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({ sid: Sid.DENY_KEY_USE, effect: iam.Effect.DENY, actions: [...USE_OR_CONFER_USE_ACTIONS], resources: ['*'] }),
        new iam.PolicyStatement({ sid: Sid.DENY_KEY_CHANGES, effect: iam.Effect.DENY, actions: [...CHANGE_ACTIONS, CREATE_KEY_ACTION, ...KEY_MATERIAL_ACTIONS], resources: ['*'] }),
      ],
    });
    acknowledge(this.permissions.node.defaultChild!, [AUDITOR_READS_ALL_KEYS]);
    if (logGroups.length > 0) {
      this.permissions.addStatements(
        new iam.PolicyStatement({
          sid: Sid.READ_AUDIT_LOGS,
          actions: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:StartQuery'],
          resources: logGroups.map((g) => g.logGroupArn),
        }),
        // Query results and log-group listing take no log-group ARN.
        new iam.PolicyStatement({ sid: Sid.READ_QUERY_RESULTS, actions: ['logs:DescribeLogGroups', 'logs:GetQueryResults', 'logs:StopQuery'], resources: ['*'] }),
      );
    }
  }

  /**
   * Refused: the auditor's permissions are fixed and read-only. An identity-policy statement
   * added by another construct's `grant*` would widen them (and land in an inline policy).
   */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return refuseIdentityStatement('KeyAuditorRole', this, statement, 'is read-only and takes no further identity-policy statements');
  }
}
