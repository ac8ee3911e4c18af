import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KeyAdminRole, ManagedCmk } from '../../src';
import { EbsDefaultEncryption } from '../../src/ebs-default-encryption';
import { PolicySimulator, TEST_ENV } from '../support';

/**
 * Who can really use the default EBS key, decided by the IAM policy simulator over the
 * synthesized key policy and identity policies.
 */
const VIA_EC2 = 'ec2.us-east-1.amazonaws.com';
const AUTO_SCALING_SLR = `arn:aws:iam::${TEST_ENV.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
const OTHER_ACCOUNT_ROLE = 'arn:aws:iam::999999999999:role/Outsider';

function build(autoScaling = true) {
  const app = new App();
  const stack = new Stack(app, 'Ebs', { env: TEST_ENV });
  const lambda = new iam.ServicePrincipal('lambda.amazonaws.com');
  const admin = new iam.Role(stack, 'Admin', { assumedBy: lambda });
  const keyAdmin = new KeyAdminRole(stack, 'KeyAdmin', { assumedBy: new iam.AccountPrincipal(TEST_ENV.account) });
  // A role whose IAM policy allows everything KMS can do, on every key (as an EC2 operator might have).
  const operator = new iam.Role(stack, 'Operator', { assumedBy: lambda });
  // A role with no KMS permission at all.
  new iam.Role(stack, 'Bystander', { assumedBy: lambda });
  new iam.ManagedPolicy(stack, 'KmsEverything', {
    roles: [operator, keyAdmin],
    statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })],
  });
  const key = new ManagedCmk(stack, 'Cmk', { alias: 'ebs/default', administrators: [admin, keyAdmin] });
  new EbsDefaultEncryption(stack, 'EbsDefault', { key, autoScaling });
  return PolicySimulator.fromStacks(stack);
}

const THROUGH_EC2 = { 'kms:ViaService': VIA_EC2 };
const FOR_AWS_RESOURCE = { 'kms:GrantIsForAWSResource': 'true' };
const USE = ['kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'];

describe('EBS default key: use by the account through EC2', () => {
  const sim = build();
  const key = sim.keyArn('Cmk');
  const role = (name: string) => sim.roleArn(name);

  test.each(USE)('a role whose IAM policy allows it can %s through EC2', async (action) => {
    expect(await sim.decide({ principal: role('Operator'), action, resource: key, context: THROUGH_EC2 })).toBe('Allowed');
  });

  test.each(USE.filter((a) => a !== 'kms:DescribeKey'))('... but not %s directly', async (action) => {
    expect(await sim.decide({ principal: role('Operator'), action, resource: key })).toBe('ImplicitlyDenied');
  });

  test.each(['s3.us-east-1.amazonaws.com', 'ec2.eu-west-1.amazonaws.com'])('... nor through %s', async (via) => {
    expect(await sim.decide({ principal: role('Operator'), action: 'kms:GenerateDataKey', resource: key, context: { 'kms:ViaService': via } })).toBe('ImplicitlyDenied');
  });

  test('it can CreateGrant through EC2 for an AWS resource', async () => {
    const decision = await sim.decide({ principal: role('Operator'), action: 'kms:CreateGrant', resource: key, context: { ...THROUGH_EC2, ...FOR_AWS_RESOURCE } });
    expect(decision).toBe('Allowed');
  });

  // A grant that is not for an AWS resource is denied outright (DenyGrantsNotForAwsResources, CT.KMS.PR.3);
  // one for an AWS resource made directly is just not allowed.
  test.each<[string, Record<string, string>, string]>([
    ['directly', {}, 'ExplicitlyDenied'],
    ['directly, even for an AWS resource', FOR_AWS_RESOURCE, 'ImplicitlyDenied'],
    ['through EC2 but not for an AWS resource', { ...THROUGH_EC2, 'kms:GrantIsForAWSResource': 'false' }, 'ExplicitlyDenied'],
    ['through EC2 without saying whether for an AWS resource', THROUGH_EC2, 'ExplicitlyDenied'],
  ])('it cannot CreateGrant %s', async (_name, context, decision) => {
    expect(await sim.decide({ principal: role('Operator'), action: 'kms:CreateGrant', resource: key, context })).toBe(decision);
  });

  test('a role without an IAM policy for KMS cannot use the key, even through EC2', async () => {
    expect(await sim.decide({ principal: role('Bystander'), action: 'kms:GenerateDataKey', resource: key, context: THROUGH_EC2 })).toBe('ImplicitlyDenied');
  });

  test('a principal of another account cannot use the key through EC2', async () => {
    const decision = await sim.decide({
      principal: OTHER_ACCOUNT_ROLE,
      action: 'kms:GenerateDataKey',
      resource: key,
      context: THROUGH_EC2,
    });
    expect(decision).toBe('ImplicitlyDenied');
  });

  test('through EC2 on behalf of another account (kms:CallerAccount): denied', async () => {
    const decision = await sim.decide({
      principal: role('Operator'),
      action: 'kms:GenerateDataKey',
      resource: key,
      context: { ...THROUGH_EC2, 'kms:CallerAccount': '999999999999' },
    });
    expect(decision).toBe('ImplicitlyDenied');
  });
});

describe('EBS default key: the Auto Scaling service-linked role', () => {
  const sim = build();
  const key = sim.keyArn('Cmk');

  test('can CreateGrant for an AWS resource', async () => {
    expect(await sim.decide({ principal: AUTO_SCALING_SLR, action: 'kms:CreateGrant', resource: key, context: FOR_AWS_RESOURCE })).toBe('Allowed');
  });

  test('cannot CreateGrant for anything else', async () => {
    expect(await sim.decide({ principal: AUTO_SCALING_SLR, action: 'kms:CreateGrant', resource: key, context: { 'kms:GrantIsForAWSResource': 'false' } })).toBe('ExplicitlyDenied');
  });

  test.each(USE)('can %s', async (action) => {
    expect(await sim.decide({ principal: AUTO_SCALING_SLR, action, resource: key })).toBe('Allowed');
  });

  test.each(['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy'])('cannot %s', async (action) => {
    expect(await sim.decide({ principal: AUTO_SCALING_SLR, action, resource: key })).toBe('ImplicitlyDenied');
  });

  test('with autoScaling: false it gets nothing', async () => {
    const without = build(false);
    const decision = await without.decide({ principal: AUTO_SCALING_SLR, action: 'kms:CreateGrant', resource: without.keyArn('Cmk'), context: FOR_AWS_RESOURCE });
    expect(decision).toBe('ImplicitlyDenied');
  });
});

describe('EBS default key: administrators still cannot use it', () => {
  const sim = build();
  const key = sim.keyArn('Cmk');

  // The key policy denies its administrators every use (KeyAdministratorsCannotUse), whatever IAM allows.
  test.each(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'])('an administrator cannot %s directly', async (action) => {
    expect(await sim.decide({ principal: sim.roleArn('Admin'), action, resource: key })).toBe('ExplicitlyDenied');
  });

  test('an administrator without an IAM policy for KMS cannot Decrypt through EC2 either', async () => {
    expect(await sim.decide({ principal: sim.roleArn('Admin'), action: 'kms:Decrypt', resource: key, context: THROUGH_EC2 })).toBe('ExplicitlyDenied');
  });

  test.each(['kms:Decrypt', 'kms:CreateGrant'])('a KeyAdminRole cannot %s, even through EC2 with an IAM policy allowing kms:*', async (action) => {
    const context = action === 'kms:CreateGrant' ? { ...THROUGH_EC2, ...FOR_AWS_RESOURCE } : THROUGH_EC2;
    const decision = await sim.decide({ principal: sim.roleArn('KeyAdmin'), action, resource: key, context });
    expect(decision).toBe('ExplicitlyDenied');
  });

  test('an administrator still administers', async () => {
    expect(await sim.decide({ principal: sim.roleArn('Admin'), action: 'kms:DisableKey', resource: key })).toBe('Allowed');
  });
});
