import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { EnvelopeEncryptedBucket, KeyAdminRole, KeyAuditorRole, KeyAuditTrail, KeyHealthCanary, ManagedCmk, ManagedCmkReplica } from '../../src';
import { KmsGovernanceChecks } from '../../src/nag/kms-governance-checks';
import { TEST_ENV } from '../support';

/**
 * The library's own constructs, in their default configuration, against its own pack. The goal is
 * zero findings.
 */


function findings(scope: IConstruct): string[] {
  return new KmsGovernanceChecks()
    .validateScope(scope)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))
    .sort();
}

const CASES: Array<[string, (scope: Construct) => void]> = [
  ['ManagedCmk', (s) => new ManagedCmk(s, 'Subject', { alias: 'app/data' })],
  ['KeyAdminRole', (s) => new KeyAdminRole(s, 'Subject', { assumedBy: new iam.AccountRootPrincipal(), keys: [new ManagedCmk(s, 'Key', { alias: 'admin' })] })],
  ['KeyAuditorRole', (s) => new KeyAuditorRole(s, 'Subject', { assumedBy: new iam.AccountRootPrincipal() })],
  ['EnvelopeEncryptedBucket', (s) => new EnvelopeEncryptedBucket(s, 'Subject')],
  ['KeyHealthCanary', (s) => new KeyHealthCanary(s, 'Subject', { key: new ManagedCmk(s, 'Key', { alias: 'probed' }) })],
  ['KeyAuditTrail', (s) => new KeyAuditTrail(s, 'Subject')],
  ['KeyAuditTrail on an existing log group', (s) => new KeyAuditTrail(s, 'Subject', { existingLogGroup: logs.LogGroup.fromLogGroupName(s, 'Existing', 'org-trail') })],
];

describe('the library constructs pass KmsGovernanceChecks by default', () => {
  test.each(CASES)('%s', (_name, build) => {
    const stack = new Stack(new App(), 'S', { env: TEST_ENV });
    build(stack);
    expect(findings(stack)).toEqual([]);
  });

  test('ManagedCmkReplica', () => {
    const app = new App();
    const primaryStack = new Stack(app, 'Primary', { env: TEST_ENV });
    const replicaStack = new Stack(app, 'Replica', { env: { ...TEST_ENV, region: 'eu-west-1' } });
    const primary = new ManagedCmk(primaryStack, 'Cmk', { alias: 'app/data', multiRegion: true });
    const user = new iam.Role(replicaStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new ManagedCmkReplica(replicaStack, 'Subject', {
      primaryKey: primary,
      primaryKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      alias: 'app/data',
      users: [user],
    });
    expect(findings(app)).toEqual([]);
  });
});
