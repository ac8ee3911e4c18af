import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KeyAuditorRole, KeyAuditTrail, ManagedCmk, RootAccess } from '../../src';
import { PolicySimulator, TEST_ENV } from '../support';

describe('KeyAuditorRole and KeyAuditTrail policy behaviour', () => {
  const app = new App();
  const stack = new Stack(app, 'Audit', { env: TEST_ENV });
  const audit = new KeyAuditTrail(stack, 'Trail', { trailName: 'kms-audit' });
  new ManagedCmk(stack, 'Data', { alias: 'data' });
  new ManagedCmk(stack, 'Open', { alias: 'open', rootAccess: RootAccess.FULL });
  new KeyAuditorRole(stack, 'Auditor', { assumedBy: new iam.AccountPrincipal(TEST_ENV.account), trail: audit });
  const sim = PolicySimulator.fromStacks(stack);
  const auditor = sim.roleArn('Auditor');

  test.each(['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'])('the auditor can %s', async (action) => {
    expect(await sim.decide({ principal: auditor, action, resource: sim.keyArn('Data') })).toBe('Allowed');
  });

  test('the auditor can look up CloudTrail events and read the audit log group', async () => {
    expect(await sim.decide({ principal: auditor, action: 'cloudtrail:LookupEvents', resource: '*' })).toBe('Allowed');
    expect(await sim.decide({ principal: auditor, action: 'logs:FilterLogEvents', resource: sim.arnOf('Trail/Events', 'AWS::Logs::LogGroup') })).toBe('Allowed');
  });

  test.each(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:CreateGrant', 'kms:DisableKey'])(
    'the auditor cannot %s, not even on a key that delegates everything to IAM',
    async (action) => {
      expect(await sim.decide({ principal: auditor, action, resource: sim.keyArn('Data') })).not.toBe('Allowed');
      expect(await sim.decide({ principal: auditor, action, resource: sim.keyArn('Open') })).toBe('ExplicitlyDenied');
    },
  );

  describe('CloudTrail may use the trail key only for this trail', () => {
    const trailArn = `arn:aws:cloudtrail:us-east-1:${TEST_ENV.account}:trail/kms-audit`;
    const otherTrail = `arn:aws:cloudtrail:us-east-1:${TEST_ENV.account}:trail/someone-else`;
    const generate = (sourceArn: string, contextArn: string | undefined) =>
      sim.decide({
        principal: 'cloudtrail.amazonaws.com',
        action: 'kms:GenerateDataKey',
        resource: sim.keyArn('Trail/Key'),
        context: { 'aws:SourceArn': sourceArn, ...(contextArn ? { 'kms:EncryptionContext:aws:cloudtrail:arn': contextArn } : {}) },
      });

    test('with this trail as source and encryption context: allowed', async () => {
      expect(await generate(trailArn, trailArn)).toBe('Allowed');
    });

    test('another trail, or no encryption context: denied', async () => {
      expect(await generate(otherTrail, otherTrail)).toBe('ImplicitlyDenied');
      expect(await generate(otherTrail, trailArn)).toBe('ImplicitlyDenied');
      expect(await generate(trailArn, undefined)).toBe('ImplicitlyDenied');
    });

    test('CloudTrail may never decrypt the logs', async () => {
      expect(await sim.decide({ principal: 'cloudtrail.amazonaws.com', action: 'kms:Decrypt', resource: sim.keyArn('Trail/Key'), context: { 'aws:SourceArn': trailArn } })).toBe('ImplicitlyDenied');
    });
  });
});
