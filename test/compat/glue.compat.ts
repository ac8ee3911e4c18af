import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as awsGlue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ManagedCmk } from '../../src';
import { PolicySimulator, TEST_ENV, keyPolicyStatements } from '../support';

/**
 * Run by the compatibility suite only (the Glue L2s are newer than the floor): a Glue table whose
 * data the client encrypts under a ManagedCmk. `S3Table.grantRead` reaches the key through
 * `kms.KeyGrants.fromKey(key).decrypt(grantee)`, which writes the grant into the grantee's IAM
 * policy only; the library mirrors it into the key policy, which is what KMS decides by.
 */
// The floor's type declarations do not have the Glue L2s; at run time this is the latest aws-cdk-lib.
const glue = awsGlue as any;
const app = new App();
const stack = new Stack(app, 'Lake', { env: TEST_ENV });
const key = new ManagedCmk(stack, 'Key', { alias: 'lake' });
const database = new glue.Database(stack, 'Sales', { databaseName: 'sales' });
const table = new glue.S3Table(stack, 'Orders', {
  database,
  columns: [{ name: 'id', type: glue.Schema.STRING }],
  dataFormat: glue.DataFormat.JSON,
  storage: glue.S3TableStorage.managedBucket(glue.S3TableEncryption.kms(key)),
  clientSideEncryption: glue.TableClientSideEncryption.kms(key),
});
const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
const bystander = new iam.Role(stack, 'Bystander', { assumedBy: new iam.AccountRootPrincipal() });
bystander.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
table.grantRead(analyst);
const sim = PolicySimulator.fromStacks(stack);

test('the reader of a Glue table may decrypt its data: the key policy names it', async () => {
  await sim.expectDecision({ principal: sim.roleArn('Analyst'), action: 'kms:Decrypt', resource: sim.keyArn('Key') }, 'Allowed');
  const named = keyPolicyStatements(Template.fromStack(stack)).filter((s) => JSON.stringify(s.Principal).includes('Analyst'));
  expect(named.flatMap((s) => [s.Action].flat())).toContain('kms:Decrypt');
});

test('without the grant, kms:* in IAM is not enough', async () => {
  expect(await sim.decide({ principal: sim.roleArn('Bystander'), action: 'kms:Decrypt', resource: sim.keyArn('Key') })).not.toBe('Allowed');
});

test('the reader may not administer the key, nor encrypt with it', async () => {
  expect(await sim.decide({ principal: sim.roleArn('Analyst'), action: 'kms:ScheduleKeyDeletion', resource: sim.keyArn('Key') })).not.toBe('Allowed');
  expect(await sim.decide({ principal: sim.roleArn('Analyst'), action: 'kms:Encrypt', resource: sim.keyArn('Key') })).not.toBe('Allowed');
});
