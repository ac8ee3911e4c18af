import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { KeyGovernanceRoleProps } from './key-admin-role';
import { KeyAuditTrail } from './key-audit-trail';
import { humanRoleProps } from './private/human-role';
import { ADMIN_ACTIONS, AUDIT_ACTIONS, USE_OR_CONFER_USE_ACTIONS } from './private/kms-actions';

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
    super(scope, id, humanRoleProps('key auditor role', props, 'Audits KMS keys and their use, read-only (cdk-kms-governance)'));
    const logGroups = [...(props.trail ? [props.trail.logGroup] : []), ...(props.logGroups ?? [])];

    this.permissions = new iam.ManagedPolicy(this, 'AuditPermissions', {
      description: 'Read-only audit of KMS keys, CloudTrail and audit log groups (cdk-kms-governance)',
      roles: [this],
      statements: [
        // KMS list and describe calls cover every key of the account; ListKeys and ListAliases
        // take no resource ARN at all.
        new iam.PolicyStatement({ sid: 'ReadKeys', actions: [...AUDIT_ACTIONS], resources: ['*'] }),
        // LookupEvents and DescribeTrails take no resource ARN.
        new iam.PolicyStatement({
          sid: 'ReadCloudTrail',
          actions: ['cloudtrail:DescribeTrails', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetTrail', 'cloudtrail:GetTrailStatus', 'cloudtrail:ListTrails', 'cloudtrail:LookupEvents'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({ sid: 'DenyKeyUse', effect: iam.Effect.DENY, actions: [...USE_OR_CONFER_USE_ACTIONS], resources: ['*'] }),
        new iam.PolicyStatement({ sid: 'DenyKeyChanges', effect: iam.Effect.DENY, actions: [...CHANGE_ACTIONS, 'kms:CreateKey', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial'], resources: ['*'] }),
      ],
    });
    if (logGroups.length > 0) {
      this.permissions.addStatements(
        new iam.PolicyStatement({
          sid: 'ReadAuditLogs',
          actions: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:StartQuery'],
          resources: logGroups.map((g) => g.logGroupArn),
        }),
        // Query results and log-group listing take no log-group ARN.
        new iam.PolicyStatement({ sid: 'ReadQueryResults', actions: ['logs:DescribeLogGroups', 'logs:GetQueryResults', 'logs:StopQuery'], resources: ['*'] }),
      );
    }
  }

  /**
   * Refused: the auditor's permissions are fixed and read-only. An identity-policy statement
   * added by another construct's `grant*` would widen them (and land in an inline policy).
   */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    throw new Error(
      `KeyAuditorRole '${this.node.path}' is read-only and takes no further identity-policy statements. ` +
        `Received: ${JSON.stringify(Stack.of(this).resolve(statement.toStatementJson()))}`,
    );
  }
}
