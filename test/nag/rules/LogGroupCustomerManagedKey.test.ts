import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { firing, ifProdText, newConditionalRuleStack, newRuleStack } from '../../support';

/** LogGroupCustomerManagedKey: log groups that no trail writes to. */

const RULE = 'LogGroupCustomerManagedKey';

test('compliant: a customer managed key; a trail\'s log group is AuditLogGroupSecured\'s, not this rule\'s', () => {
  const { stack } = newRuleStack();
  new logs.LogGroup(stack, 'Encrypted', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
  const trailLogs = new logs.LogGroup(stack, 'TrailLogs');
  new cloudtrail.CfnTrail(stack, 'Trail', { isLogging: true, s3BucketName: 'b', cloudWatchLogsLogGroupArn: trailLogs.logGroupArn, cloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/t' });
  expect(firing(stack, RULE)).toEqual([]);
  expect(firing(stack, 'AuditLogGroupSecured')).toEqual(['S/TrailLogs/Resource']);
});

test('non-compliant: no key, and an AWS managed alias', () => {
  const { stack } = newRuleStack();
  new logs.LogGroup(stack, 'Plain');
  new logs.CfnLogGroup(stack, 'Managed', { kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/aws/logs' });
  expect(firing(stack, RULE)).toEqual(['S/Managed', 'S/Plain/Resource']);
});

test('token: a key from a parameter is a specific key', () => {
  const { stack, param } = newConditionalRuleStack();
  new logs.CfnLogGroup(stack, 'FromParam', { kmsKeyId: param.valueAsString });
  new logs.CfnLogGroup(stack, 'NameParam', { logGroupName: param.valueAsString });
  expect(firing(stack, RULE)).toEqual(['S/NameParam']);
});

test('Fn::If: a branch without a key is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  new logs.CfnLogGroup(stack, 'Either', { kmsKeyId: ifProdText(condition, key, { Ref: 'AWS::NoValue' }) });
  new logs.CfnLogGroup(stack, 'Both', { kmsKeyId: ifProdText(condition, key, key) });
  expect(firing(stack, RULE)).toEqual(['S/Either']);
});
