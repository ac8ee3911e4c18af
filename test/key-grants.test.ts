import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ManagedCmk } from '../src';
import { PolicySimulator, TEST_ENV, keyPolicyStatements } from './support';

/**
 * Every grant path of aws-cdk-lib lands in the key policy of a library key: `key.grants.*` (the
 * `kms.KeyGrants` shape), `kms.KeyGrants.fromKey(key)` (which Glue, the L1 grant traits and other
 * L2s use, and which puts a same-account grant into the grantee's IAM policy only), and an L1
 * trait grant (`s3.BucketGrants.fromBucket(cfnBucket)`), proven with the policy simulator: the
 * grantee may use the key, and a role with kms:* in IAM but no grant may not.
 */
function build(grant: (key: ManagedCmk, role: iam.Role, stack: Stack) => void) {
  const app = new App();
  const stack = new Stack(app, 'Grants', { env: TEST_ENV });
  const key = new ManagedCmk(stack, 'Key', { alias: 'grants' });
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const bystander = new iam.Role(stack, 'Bystander', { assumedBy: new iam.AccountRootPrincipal() });
  bystander.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  grant(key, role, stack);
  return { stack, sim: PolicySimulator.fromStacks(stack) };
}

const PATHS: Array<[string, (key: ManagedCmk, role: iam.Role, stack: Stack) => void]> = [
  ['key.grants.decrypt', (key, role) => key.grants.decrypt(role)],
  ['kms.KeyGrants.fromKey(key).decrypt', (key, role) => kms.KeyGrants.fromKey(key).decrypt(role)],
  ['an L1 grant trait (s3.BucketGrants.fromBucket on a CfnBucket encrypted with the key)', (key, role, stack) => {
    const bucket = new s3.CfnBucket(stack, 'Bucket', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.keyArn } }] },
    });
    s3.BucketGrants.fromBucket(bucket).read(role);
  }],
];

describe.each(PATHS)('%s', (_name, grant) => {
  const { stack, sim } = build(grant);
  const key = sim.keyArn('Key');

  test('the grantee may decrypt: the key policy names it', async () => {
    await sim.expectDecision({ principal: sim.roleArn('Reader'), action: 'kms:Decrypt', resource: key }, 'Allowed');
    const named = keyPolicyStatements(Template.fromStack(stack)).filter((s) => JSON.stringify(s.Principal).includes('Reader'));
    expect(named.flatMap((s) => [s.Action].flat())).toContain('kms:Decrypt');
  });

  test('a role with kms:* in IAM and no grant may not', async () => {
    expect(await sim.decide({ principal: sim.roleArn('Bystander'), action: 'kms:Decrypt', resource: key })).not.toBe('Allowed');
  });

  test('the grantee may not administer the key', async () => {
    expect(await sim.decide({ principal: sim.roleArn('Reader'), action: 'kms:ScheduleKeyDeletion', resource: key })).not.toBe('Allowed');
  });
});

test('an IAM statement with kms:* on the key is not copied: its grantee would both administer and use the key', () => {
  const { stack } = build((key, role) => role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: [key.keyArn] })));
  expect(JSON.stringify(keyPolicyStatements(Template.fromStack(stack)))).not.toContain('Reader');
});

test('a copied grant keeps the IAM statement\'s conditions', () => {
  const { stack } = build((key, role) => role.addToPolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: { StringEquals: { 'kms:ViaService': `s3.${TEST_ENV.region}.amazonaws.com` } },
  })));
  const copied = keyPolicyStatements(Template.fromStack(stack)).find((s) => JSON.stringify(s.Principal).includes('Reader'));
  expect(copied.Condition).toEqual({ StringEquals: { 'kms:ViaService': `s3.${TEST_ENV.region}.amazonaws.com` } });
});
