import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CfnResolutionError, CfnResolver, PolicySimulator, type SimulationRequest, type StackModel, TEST_ENV } from '.';

const ACCOUNT = TEST_ENV.account;
const env = { account: ACCOUNT, region: 'us-east-1' };
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const V = '2012-10-17';

const ROOT_ADMIN_ACTIONS = [
  'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*',
  'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource',
  'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion',
];

const lambdaTrust = {
  Version: V,
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

function rootPrincipal() {
  // Rendered as Fn::Sub with pseudo parameters, exercising the resolver.
  return { AWS: cdk.Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') };
}

/** A role with an IAM managed policy allowing kms:* on *, and a key whose policy gives root `rootActions`. */
function delegationStack(rootActions: string | string[]) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Delegation', { env });
  const role = new iam.CfnRole(stack, 'AppRole', { assumeRolePolicyDocument: lambdaTrust });
  new iam.CfnRole(stack, 'BareRole', { assumeRolePolicyDocument: lambdaTrust });
  new iam.CfnManagedPolicy(stack, 'KmsEverything', {
    roles: [role.ref],
    policyDocument: { Version: V, Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] },
  });
  new kms.CfnKey(stack, 'Key', {
    keyPolicy: { Version: V, Statement: [{ Sid: 'RootAccess', Effect: 'Allow', Principal: rootPrincipal(), Action: rootActions, Resource: '*' }] },
  });
  return stack;
}

describe('KMS key policy is the primary authority', () => {
  test('IAM kms:* is worthless when the key policy does not delegate kms:Decrypt to the account', async () => {
    const sim = PolicySimulator.fromStacks(delegationStack(ROOT_ADMIN_ACTIONS));
    const req = { principal: sim.roleArn('AppRole'), action: 'kms:Decrypt', resource: sim.keyArn('Key') };
    expect(req.principal).toBe(`arn:aws:iam::${ACCOUNT}:role/AppRole`);
    expect(req.resource).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/Key`);
    expect(await sim.decide(req)).toBe('ImplicitlyDenied');
    expect(await sim.explain(req)).toMatch(/no key-policy statement allows the account/);
    // admin actions ARE delegated, so the same IAM policy works for them
    await sim.expectDecision({ ...req, action: 'kms:DescribeKey' }, 'Allowed');
    await sim.expectDecision({ ...req, action: 'kms:ScheduleKeyDeletion' }, 'Allowed');
    await sim.expectDecision({ ...req, principal: sim.rootArn() }, 'ImplicitlyDenied');
    await sim.expectDecision({ ...req, principal: sim.rootArn(), action: 'kms:DescribeKey' }, 'Allowed');
  });

  test('once the root statement allows kms:*, the IAM policy grants kms:Decrypt', async () => {
    const sim = PolicySimulator.fromStacks(delegationStack('kms:*'));
    const req: SimulationRequest = { principal: sim.roleArn('AppRole'), action: 'kms:Decrypt', resource: sim.keyArn('Key') };
    await sim.expectDecision(req, 'Allowed');
    expect(await sim.explain(req)).toMatch(/delegates this request to IAM via Allow "RootAccess"/);
    // delegation alone is not enough: a role without an identity policy is still denied
    await sim.expectDecision({ ...req, principal: sim.roleArn('BareRole') }, 'ImplicitlyDenied');
    // an unrelated principal from another account is denied as well
    await sim.expectDecision({ ...req, principal: 'arn:aws:iam::210987654321:role/Intruder' }, 'ImplicitlyDenied');
    // the root user needs no IAM policy, but only gets what the key policy gives the account
    expect(sim.rootArn()).toBe(ROOT);
    await sim.expectDecision({ ...req, principal: ROOT }, 'Allowed');
  });

  test('a key policy naming the role directly needs no identity policy; kms:ViaService is enforced', async () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Direct', { env });
    const role = new iam.CfnRole(stack, 'S3Reader', { assumeRolePolicyDocument: lambdaTrust, roleName: 'S3Reader', path: '/app/' });
    new kms.CfnKey(stack, 'Key', {
      keyPolicy: {
        Version: V,
        Statement: [
          { Sid: 'RootAdmin', Effect: 'Allow', Principal: rootPrincipal(), Action: ROOT_ADMIN_ACTIONS, Resource: '*' },
          {
            Sid: 'DecryptViaS3',
            Effect: 'Allow',
            Principal: { AWS: role.attrArn },
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { StringEquals: { 'kms:ViaService': cdk.Fn.join('', ['s3.', cdk.Aws.REGION, '.', cdk.Aws.URL_SUFFIX]) } },
          },
        ],
      },
    });
    const sim = PolicySimulator.fromStacks(stack);
    expect(sim.roleArn('S3Reader')).toBe(`arn:aws:iam::${ACCOUNT}:role/app/S3Reader`);
    const req = { principal: sim.roleArn('S3Reader'), action: 'kms:Decrypt', resource: sim.keyArn('Key') };
    await sim.expectDecision({ ...req, context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }, 'Allowed');
    await sim.expectDecision(req, 'ImplicitlyDenied');
    await sim.expectDecision({ ...req, context: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } }, 'ImplicitlyDenied');
    // not granted for other actions
    await sim.expectDecision({ ...req, action: 'kms:Encrypt', context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }, 'ImplicitlyDenied');
    // an STS session of the role is the same principal
    await sim.expectDecision({
      ...req,
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/S3Reader/session-1`,
      context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
    }, 'Allowed');
  });

  test('an explicit Deny in the key policy wins over allows in key and identity policies', async () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Deny', { env });
    const role = new iam.CfnRole(stack, 'Blocked', { assumeRolePolicyDocument: lambdaTrust });
    new iam.CfnPolicy(stack, 'BlockedKms', {
      policyName: 'kms',
      roles: [role.ref],
      policyDocument: { Version: V, Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] },
    });
    new kms.CfnKey(stack, 'Key', {
      keyPolicy: {
        Version: V,
        Statement: [
          { Sid: 'Root', Effect: 'Allow', Principal: rootPrincipal(), Action: 'kms:*', Resource: '*' },
          { Sid: 'AllowRole', Effect: 'Allow', Principal: { AWS: role.attrArn }, Action: 'kms:Decrypt', Resource: '*' },
          { Sid: 'DenyRole', Effect: 'Deny', Principal: { AWS: '*' }, Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': role.attrArn } } },
        ],
      },
    });
    const sim = PolicySimulator.fromStacks(stack);
    const req = { principal: sim.roleArn('Blocked'), action: 'kms:Decrypt', resource: sim.keyArn('Key') };
    await sim.expectDecision(req, 'ExplicitlyDenied');
    expect(await sim.explain(req)).toMatch(/DENY .*"DenyRole" matched/);
    await sim.expectDecision({ ...req, action: 'kms:Encrypt' }, 'ExplicitlyDenied');
    // still allowed for actions the Deny does not cover (delegated through root + identity policy)
    await sim.expectDecision({ ...req, action: 'kms:GenerateDataKey' }, 'Allowed');
  });

  test('an explicit Deny in an identity policy wins over a key policy that names the role', async () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'IdDeny', { env });
    const role = new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: lambdaTrust,
      policies: [{ policyName: 'deny', policyDocument: { Version: V, Statement: [{ Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }] } }],
    });
    new kms.CfnKey(stack, 'Key', {
      keyPolicy: { Version: V, Statement: [{ Effect: 'Allow', Principal: { AWS: role.attrArn }, Action: 'kms:*', Resource: '*' }] },
    });
    const sim = PolicySimulator.fromStacks(stack);
    const req = { principal: sim.roleArn('Role'), action: 'kms:Decrypt', resource: sim.keyArn('Key') };
    await sim.expectDecision(req, 'ExplicitlyDenied');
    await sim.expectDecision({ ...req, action: 'kms:Encrypt' }, 'Allowed');
  });

  test('cross-stack: account-root + aws:PrincipalArn key statement, role policy imported via Fn::ImportValue', async () => {
    const app = new cdk.App();
    const keyStack = new cdk.Stack(app, 'KeyStack', { env });
    const key = new kms.CfnKey(keyStack, 'SharedKey', {
      keyPolicy: {
        Version: V,
        Statement: [
          { Sid: 'RootAdmin', Effect: 'Allow', Principal: rootPrincipal(), Action: ROOT_ADMIN_ACTIONS, Resource: '*' },
          {
            Sid: 'DelegateDecryptToAppRole',
            Effect: 'Allow',
            Principal: rootPrincipal(),
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { ArnEquals: { 'aws:PrincipalArn': cdk.Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}', { Name: 'AppRole' }) } },
          },
        ],
      },
    });
    const appStack = new cdk.Stack(app, 'AppStack', { env });
    const appRole = new iam.CfnRole(appStack, 'AppRole', { roleName: 'AppRole', assumeRolePolicyDocument: lambdaTrust });
    const otherRole = new iam.CfnRole(appStack, 'OtherRole', { roleName: 'OtherRole', assumeRolePolicyDocument: lambdaTrust });
    new iam.CfnManagedPolicy(appStack, 'DecryptShared', {
      roles: [appRole.ref, otherRole.ref],
      policyDocument: { Version: V, Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.attrArn }] },
    });
    // the reference really is a cross-stack import
    expect(JSON.stringify(Template.fromStack(appStack).toJSON())).toContain('Fn::ImportValue');

    const sim = PolicySimulator.fromStacks(keyStack, appStack);
    const req = { principal: sim.roleArn('AppRole'), action: 'kms:Decrypt', resource: sim.keyArn('SharedKey') };
    await sim.expectDecision(req, 'Allowed');
    await sim.expectDecision({ ...req, principal: sim.roleArn('OtherRole') }, 'ImplicitlyDenied');
    expect(await sim.explain({ ...req, principal: sim.roleArn('OtherRole') })).toMatch(/ArnEquals aws:PrincipalArn/);
    // the identity policy only names this key, and only kms:Decrypt is delegated
    await sim.expectDecision({ ...req, action: 'kms:Encrypt' }, 'ImplicitlyDenied');
    // an explicit aws:PrincipalArn in the request context overrides the auto-filled value
    await sim.expectDecision({ ...req, principal: sim.roleArn('OtherRole'), context: { 'aws:PrincipalArn': sim.roleArn('AppRole') } }, 'Allowed');
  });

  test('L2 constructs: default key policy + grantDecrypt through the role DefaultPolicy', async () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'L2', { env });
    const key = new kms.Key(stack, 'DataKey');
    const role = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantDecrypt(role);
    const sim = PolicySimulator.fromStacks(stack);
    const req = { principal: sim.roleArn('L2/Consumer'), action: 'kms:Decrypt', resource: sim.keyArn('DataKey') };
    await sim.expectDecision(req, 'Allowed');
    await sim.expectDecision({ ...req, action: 'kms:Encrypt' }, 'ImplicitlyDenied');
    // trust policy of the L2 role
    await sim.expectDecision({ principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: req.principal }, 'Allowed');
    await sim.expectDecision({ principal: 'ec2.amazonaws.com', action: 'sts:AssumeRole', resource: req.principal }, 'ImplicitlyDenied');
  });
});

describe('organization context keys (aws:PrincipalOrgID, aws:PrincipalOrgPaths)', () => {
  const ORG = { id: 'o-a1b2c3d4e5', rootId: 'r-ab12', accounts: { [ACCOUNT]: [], 222222222222: ['ou-ab12-11111111', 'ou-ab12-22222222'] } };
  const OTHER = '222222222222';
  const OUTSIDE = '333333333333';
  const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`;
  const policy = (condition: object) => ({
    Version: V,
    Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: condition }],
  });
  const sim = PolicySimulator.fromTemplates({ Empty: { Resources: {} } }, { organization: ORG });
  const plain = PolicySimulator.fromTemplates({ Empty: { Resources: {} } });

  test('the context of a member account\'s principal has the Organization id and its OU path with a trailing "/"; others have neither', async () => {
    const member = await sim.simulate({ principal: `arn:aws:iam::${OTHER}:role/App`, action: 'kms:Decrypt', resource: KEY, resourcePolicy: null });
    expect(member.effectiveContext['aws:PrincipalOrgID']).toBe(ORG.id);
    expect(member.effectiveContext['aws:PrincipalOrgPaths']).toEqual(['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/']);
    const underRoot = await sim.simulate({ principal: `arn:aws:iam::${ACCOUNT}:root`, action: 'kms:Decrypt', resource: KEY, resourcePolicy: null });
    expect(underRoot.effectiveContext['aws:PrincipalOrgPaths']).toEqual(['o-a1b2c3d4e5/r-ab12/']);
    for (const [s, principal] of [[sim, `arn:aws:iam::${OUTSIDE}:role/App`], [sim, 'logs.amazonaws.com'], [plain, `arn:aws:iam::${OTHER}:role/App`]] as const) {
      const r = await s.simulate({ principal, action: 'kms:Decrypt', resource: KEY, resourcePolicy: null });
      expect(r.effectiveContext['aws:PrincipalOrgID']).toBeUndefined();
      expect(r.effectiveContext['aws:PrincipalOrgPaths']).toBeUndefined();
    }
  });

  test('StringEquals aws:PrincipalOrgID admits the Organization\'s principals only', async () => {
    const resourcePolicy = policy({ StringEquals: { 'aws:PrincipalOrgID': ORG.id } });
    // Same account: the key policy alone allows; another member account also needs its IAM policy (none here).
    await sim.expectDecision({ principal: `arn:aws:iam::${ACCOUNT}:role/App`, action: 'kms:Decrypt', resource: KEY, resourcePolicy }, 'Allowed');
    await sim.expectDecision({ principal: `arn:aws:iam::${OUTSIDE}:role/App`, action: 'kms:Decrypt', resource: KEY, resourcePolicy }, 'ImplicitlyDenied');
    await plain.expectDecision({ principal: `arn:aws:iam::${ACCOUNT}:role/App`, action: 'kms:Decrypt', resource: KEY, resourcePolicy }, 'ImplicitlyDenied');
    const wrongOrg = policy({ StringEquals: { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' } });
    await sim.expectDecision({ principal: `arn:aws:iam::${ACCOUNT}:role/App`, action: 'kms:Decrypt', resource: KEY, resourcePolicy: wrongOrg }, 'ImplicitlyDenied');
  });

  test('ForAnyValue:StringLike aws:PrincipalOrgPaths matches an OU and the OUs below it, and nothing when the key is absent', async () => {
    const ou = (path: string) => policy({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': path } });
    const nested = { principal: `arn:aws:sts::${OTHER}:assumed-role/App/s`, action: 'kms:Decrypt', resource: KEY };
    const viaRoot = { principal: `arn:aws:iam::${ACCOUNT}:root`, action: 'kms:Decrypt', resource: KEY };
    // The nested account's path is under ou-…1111 and ou-…2222; its IAM side is absent, so compare the resource analysis.
    const resultFor = async (req: SimulationRequest) => (await sim.simulate(req)).analysis?.resourceAnalysis?.result;
    expect(await resultFor({ ...nested, resourcePolicy: ou('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*') })).toBe('Allowed');
    expect(await resultFor({ ...nested, resourcePolicy: ou('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/*') })).toBe('Allowed');
    expect(await resultFor({ ...nested, resourcePolicy: ou('o-a1b2c3d4e5/r-ab12/ou-ab12-33333333/*') })).not.toBe('Allowed');
    // The account under the root is in no OU.
    await sim.expectDecision({ ...viaRoot, resourcePolicy: ou('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*') }, 'ImplicitlyDenied');
    await sim.expectDecision({ ...viaRoot, resourcePolicy: ou('o-a1b2c3d4e5/*') }, 'Allowed');
    // Outside any organization the key is absent: ForAnyValue is false.
    await plain.expectDecision({ ...viaRoot, resourcePolicy: ou('*') }, 'ImplicitlyDenied');
  });
});

describe('service principals against key policies', () => {
  function trailKeyStack() {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Audit', { env });
    new kms.CfnKey(stack, 'TrailKey', {
      keyPolicy: {
        Version: V,
        Statement: [
          { Sid: 'Root', Effect: 'Allow', Principal: rootPrincipal(), Action: ROOT_ADMIN_ACTIONS, Resource: '*' },
          {
            Sid: 'CloudTrailEncrypt',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Resource: '*',
            Condition: {
              StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` },
              StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail` },
            },
          },
          {
            Sid: 'Logs',
            Effect: 'Allow',
            Principal: { Service: cdk.Fn.sub('logs.${AWS::Region}.amazonaws.com') },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*` } },
          },
        ],
      },
    });
    return PolicySimulator.fromStacks(stack);
  }

  test('cloudtrail.amazonaws.com with encryption context and source ARN', async () => {
    const sim = trailKeyStack();
    const req = {
      principal: 'cloudtrail.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: sim.keyArn('TrailKey'),
      context: {
        'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`,
        'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`,
        'aws:SourceAccount': ACCOUNT,
      },
    };
    await sim.expectDecision(req, 'Allowed');
    await sim.expectDecision({ ...req, context: { ...req.context, 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:us-east-1:999999999999:trail/x' } }, 'ImplicitlyDenied');
    await sim.expectDecision({ ...req, context: { 'aws:SourceArn': req.context['aws:SourceArn'] } }, 'ImplicitlyDenied');
    await sim.expectDecision({ ...req, action: 'kms:Decrypt' }, 'ImplicitlyDenied');
    await sim.expectDecision({ ...req, principal: 'config.amazonaws.com' }, 'ImplicitlyDenied');
  });

  test('regional logs service principal', async () => {
    const sim = trailKeyStack();
    const req = {
      principal: 'logs.us-east-1.amazonaws.com',
      action: 'kms:Encrypt',
      resource: sim.keyArn('TrailKey'),
      context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/audit` },
    };
    await sim.expectDecision(req, 'Allowed');
    await sim.expectDecision({ ...req, principal: 'logs.eu-west-1.amazonaws.com' }, 'ImplicitlyDenied');
    await sim.expectDecision({ ...req, context: {} }, 'ImplicitlyDenied');
  });
});

describe('S3 bucket policies', () => {
  function bucketStack() {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Data', { env });
    const key = new kms.CfnKey(stack, 'BucketKey', {
      keyPolicy: { Version: V, Statement: [{ Effect: 'Allow', Principal: rootPrincipal(), Action: 'kms:*', Resource: '*' }] },
    });
    const bucket = new s3.CfnBucket(stack, 'DataBucket');
    const objects = cdk.Fn.join('', [bucket.attrArn, '/*']);
    new s3.CfnBucketPolicy(stack, 'DataBucketPolicy', {
      bucket: bucket.ref,
      policyDocument: {
        Version: V,
        Statement: [
          {
            Sid: 'DenyWrongEncryption',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: objects,
            Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
          },
          {
            Sid: 'DenyOtherKmsKeys',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: objects,
            Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.attrArn } },
          },
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Resource: [bucket.attrArn, objects],
            Condition: { Bool: { 'aws:SecureTransport': false } },
          },
          { Sid: 'ReaderFromBucketPolicy', Effect: 'Allow', Principal: { AWS: cdk.Fn.getAtt('Reader', 'Arn') }, Action: 's3:GetObject', Resource: objects },
        ],
      },
    });
    // second bucket: the Null + StringNotEquals formulation
    const strict = new s3.CfnBucket(stack, 'StrictBucket', { bucketName: 'strict-bucket' });
    new s3.CfnBucketPolicy(stack, 'StrictBucketPolicy', {
      bucket: strict.ref,
      policyDocument: {
        Version: V,
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:PutObject',
            Resource: cdk.Fn.sub('arn:${AWS::Partition}:s3:::${StrictBucket}/*'),
            Condition: { Null: { 's3:x-amz-server-side-encryption': 'false' }, StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
          },
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [strict.attrArn, cdk.Fn.sub('${StrictBucket.Arn}/*')],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
    new iam.CfnRole(stack, 'Writer', {
      assumeRolePolicyDocument: lambdaTrust,
      policies: [{
        policyName: 'write',
        policyDocument: { Version: V, Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: [objects, cdk.Fn.join('', [strict.attrArn, '/*'])] }] },
      }],
    });
    new iam.CfnRole(stack, 'Reader', { assumeRolePolicyDocument: lambdaTrust });
    return PolicySimulator.fromStacks(stack);
  }

  test('StringNotEqualsIfExists: a negated operator is true for a missing key, so no header is denied too', async () => {
    const sim = bucketStack();
    const keyArn = sim.keyArn('BucketKey');
    expect(sim.bucketArn('DataBucket')).toBe('arn:aws:s3:::databucket');
    const put = { principal: sim.roleArn('Writer'), action: 's3:PutObject', resource: sim.objectArn('DataBucket', 'a/b.txt') };
    await sim.expectDecision({ ...put, context: { 's3:x-amz-server-side-encryption': 'AES256' } }, 'ExplicitlyDenied');
    await sim.expectDecision({ ...put, context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } }, 'Allowed');
    await sim.expectDecision({ ...put, context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': `${keyArn}-other` } }, 'ExplicitlyDenied');
    // IAM: "If the policy condition requires that the key is not matched (StringNotEquals...) and the key is
    // not present, the condition is true" -- ...IfExists does not change that for negated operators.
    await sim.expectDecision(put, 'ExplicitlyDenied');
    expect(await sim.explain(put)).toMatch(/DENY .*"DenyWrongEncryption" matched/);
    const tls = { ...put, context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } };
    await sim.expectDecision({ ...tls, context: { ...tls.context, 'aws:SecureTransport': 'false' } }, 'ExplicitlyDenied');
    expect(await sim.explain({ ...tls, context: { ...tls.context, 'aws:SecureTransport': 'false' } })).toMatch(/DENY .*"DenyInsecureTransport" matched/);
  });

  test('Null + StringNotEquals: only a present, non-aws:kms header is denied', async () => {
    const sim = bucketStack();
    const put = { principal: sim.roleArn('Writer'), action: 's3:PutObject', resource: sim.objectArn('StrictBucket') };
    expect(put.resource).toBe('arn:aws:s3:::strict-bucket/example-object');
    await sim.expectDecision({ ...put, context: { 's3:x-amz-server-side-encryption': 'AES256' } }, 'ExplicitlyDenied');
    await sim.expectDecision({ ...put, context: { 's3:x-amz-server-side-encryption': 'aws:kms' } }, 'Allowed');
    await sim.expectDecision(put, 'Allowed'); // no header: the bucket's default encryption applies
    await sim.expectDecision({ ...put, context: { 'aws:SecureTransport': 'false' } }, 'ExplicitlyDenied');
  });

  test('same account: identity policy OR bucket policy suffices', async () => {
    const sim = bucketStack();
    const get = { principal: sim.roleArn('Reader'), action: 's3:GetObject', resource: sim.objectArn('DataBucket') };
    await sim.expectDecision(get, 'Allowed'); // bucket policy only
    await sim.expectDecision({ ...get, principal: sim.roleArn('Writer') }, 'Allowed'); // identity policy only
    await sim.expectDecision({ ...get, action: 's3:DeleteObject' }, 'ImplicitlyDenied');
    await sim.expectDecision({ ...get, context: { 'aws:SecureTransport': 'false' } }, 'ExplicitlyDenied');
    // cross-account principals need both sides
    await sim.expectDecision({ ...get, principal: 'arn:aws:iam::210987654321:role/Reader' }, 'ImplicitlyDenied');
  });
});

describe('role trust policies', () => {
  test('AssumeRole requires MFA', async () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Trust', { env });
    new iam.CfnRole(stack, 'BreakGlass', {
      roleName: 'BreakGlass',
      assumeRolePolicyDocument: {
        Version: V,
        Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }],
      },
    });
    const group = new iam.CfnGroup(stack, 'Operators');
    new iam.CfnUser(stack, 'Alice', { groups: [group.ref] });
    new iam.CfnUser(stack, 'Bob');
    new iam.CfnPolicy(stack, 'OperatorsAssume', {
      policyName: 'assume',
      groups: [group.ref],
      policyDocument: { Version: V, Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: cdk.Fn.getAtt('BreakGlass', 'Arn').toString() }] },
    });
    const sim = PolicySimulator.fromStacks(stack);
    const req = { principal: sim.userArn('Alice'), action: 'sts:AssumeRole', resource: sim.roleArn('BreakGlass') };
    await sim.expectDecision({ ...req, context: { 'aws:MultiFactorAuthPresent': 'true' } }, 'Allowed');
    await sim.expectDecision(req, 'ImplicitlyDenied');
    await sim.expectDecision({ ...req, context: { 'aws:MultiFactorAuthPresent': 'false' } }, 'ImplicitlyDenied');
    // Bob is trusted at account level but has no identity policy allowing sts:AssumeRole
    await sim.expectDecision({ ...req, principal: sim.userArn('Bob'), context: { 'aws:MultiFactorAuthPresent': 'true' } }, 'ImplicitlyDenied');
  });
});

describe('SQS and SNS resource policies', () => {
  test('queue policy for an SNS topic and topic policy for EventBridge', async () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Messaging', { env });
    const topic = new sns.CfnTopic(stack, 'Alerts');
    const queue = new sqs.CfnQueue(stack, 'AlertQueue');
    new sqs.CfnQueuePolicy(stack, 'AlertQueuePolicy', {
      queues: [queue.ref],
      policyDocument: {
        Version: V,
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queue.attrArn,
          Condition: { ArnEquals: { 'aws:SourceArn': topic.ref } },
        }],
      },
    });
    new sns.CfnTopicPolicy(stack, 'AlertsPolicy', {
      topics: [topic.ref],
      policyDocument: { Version: V, Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: topic.ref }] },
    });
    const sim = PolicySimulator.fromStacks(stack);
    expect(sim.queueArn('AlertQueue')).toBe(`arn:aws:sqs:us-east-1:${ACCOUNT}:AlertQueue`);
    const send = { principal: 'sns.amazonaws.com', action: 'sqs:SendMessage', resource: sim.queueArn('AlertQueue') };
    await sim.expectDecision({ ...send, context: { 'aws:SourceArn': sim.topicArn('Alerts') } }, 'Allowed');
    await sim.expectDecision({ ...send, context: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:Other` } }, 'ImplicitlyDenied');
    await sim.expectDecision({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: sim.topicArn('Alerts') }, 'Allowed');
    await sim.expectDecision({ principal: 's3.amazonaws.com', action: 'sns:Publish', resource: sim.topicArn('Alerts') }, 'ImplicitlyDenied');
  });
});

describe('identity policy sources', () => {
  test('ManagedPolicyArns (template and external), permissions boundary', async () => {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Ids', { env });
    const mp = new iam.CfnManagedPolicy(stack, 'ReadKeys', {
      managedPolicyName: 'read-keys',
      policyDocument: { Version: V, Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }] },
    });
    const boundary = new iam.CfnManagedPolicy(stack, 'Boundary', {
      policyDocument: { Version: V, Statement: [{ Effect: 'Allow', Action: ['kms:DescribeKey', 's3:GetObject'], Resource: '*' }] },
    });
    new iam.CfnRole(stack, 'Bounded', {
      assumeRolePolicyDocument: lambdaTrust,
      managedPolicyArns: [mp.ref, 'arn:aws:iam::aws:policy/AmazonS3FullAccess'],
      permissionsBoundary: boundary.ref,
    });
    new kms.CfnKey(stack, 'Key', {
      keyPolicy: { Version: V, Statement: [{ Effect: 'Allow', Principal: rootPrincipal(), Action: 'kms:*', Resource: '*' }] },
    });
    new s3.CfnBucket(stack, 'Bucket');

    const strict = PolicySimulator.fromStacks(stack);
    const describeKey = { principal: strict.roleArn('Bounded'), action: 'kms:DescribeKey', resource: strict.keyArn('Key') };
    await expect(strict.decide(describeKey)).rejects.toThrow(/AmazonS3FullAccess .*neither defined in the templates nor given/);

    const sim = PolicySimulator.fromStacks([stack], {
      externalManagedPolicies: {
        'arn:aws:iam::aws:policy/AmazonS3FullAccess': { Version: V, Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
      },
    });
    await sim.expectDecision(describeKey, 'Allowed');
    await sim.expectDecision({ ...describeKey, action: 'kms:Decrypt' }, 'ImplicitlyDenied');
    const obj = sim.objectArn('Bucket');
    await sim.expectDecision({ principal: describeKey.principal, action: 's3:GetObject', resource: obj }, 'Allowed');
    // allowed by AmazonS3FullAccess but outside the permissions boundary
    await sim.expectDecision({ principal: describeKey.principal, action: 's3:PutObject', resource: obj }, 'ImplicitlyDenied');
    expect(await sim.explain({ principal: describeKey.principal, action: 's3:PutObject', resource: obj })).toMatch(/permissions boundary/);

    const lenient = PolicySimulator.fromStacks([stack], { unknownManagedPolicies: 'ignore' });
    await lenient.expectDecision({ principal: describeKey.principal, action: 's3:GetObject', resource: obj }, 'ImplicitlyDenied');
    expect(await lenient.explain(describeKey)).toMatch(/AmazonS3FullAccess .*ignored/);
  });
});

describe('request validation', () => {
  const sim = PolicySimulator.fromStacks(delegationStack('kms:*'));
  const base = { principal: sim.roleArn('AppRole'), action: 'kms:Decrypt', resource: sim.keyArn('Key') };

  test('context keys that do not apply to the action are rejected unless allowed', async () => {
    await expect(sim.decide({ ...base, context: { 'kms:GrantIsForAWSResource': 'true' } })).rejects.toThrow(/do not apply to kms:Decrypt/);
    await sim.expectDecision({ ...base, context: { 'kms:GrantIsForAWSResource': 'true' }, allowInapplicableContextKeys: true }, 'Allowed');
    // ...but they are accepted where they apply
    await sim.expectDecision({ ...base, action: 'kms:CreateGrant', context: { 'kms:GrantIsForAWSResource': 'true' } }, 'Allowed');
    await sim.expectDecision({ ...base, action: 'kms:PutKeyPolicy', context: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' } }, 'Allowed');
    await sim.expectDecision({ ...base, context: { 'kms:EncryptionContextKeys': ['a', 'b'], 'aws:PrincipalAccount': ACCOUNT } }, 'Allowed');
  });

  test('unknown actions, resources and principals', async () => {
    await expect(sim.decide({ ...base, action: 'kms:Decrpyt' })).rejects.toThrow(/invalid.action/);
    await expect(sim.decide({ ...base, resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/Nope` })).rejects.toThrow(/not defined in the templates/);
    await sim.expectDecision({ ...base, resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/Nope`, resourcePolicy: null }, 'ImplicitlyDenied');
    await expect(sim.decide({ ...base, principal: 'AppRole' })).rejects.toThrow(/Unsupported principal/);
    expect(() => sim.roleArn('Nope')).toThrow(/No AWS::IAM::Role matches "Nope"/);
  });
});

describe('intrinsic resolution', () => {
  function model(name: string, template: any, region = 'us-east-1'): StackModel {
    return { name, template, account: ACCOUNT, region, partition: 'aws' };
  }

  test('Sub, Join, Select, Split, If, conditions, FindInMap, pseudo parameters, NoValue', () => {
    const producer = model('Producer', {
      Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } } },
      Outputs: { QArn: { Value: { 'Fn::GetAtt': ['Q', 'Arn'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-QArn' } } } },
    }, 'eu-west-1');
    const consumer = model('Consumer', {
      Parameters: { Env: { Type: 'String', Default: 'prod' }, Subnets: { Type: 'CommaDelimitedList', Default: 'a,b' } },
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
        ProdAndEast: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }] },
      },
      Mappings: { Ids: { 'us-east-1': { Elb: '127311923021' } } },
      Resources: {
        B: { Type: 'AWS::S3::Bucket' },
        DevOnly: { Type: 'AWS::S3::Bucket', Condition: 'IsDev' },
        L: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/app/x' } },
        F: { Type: 'AWS::Lambda::Function', Properties: {} },
        A: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/data', TargetKeyId: 'x' } },
      },
    });
    const r = new CfnResolver([producer, consumer]);
    const v = (x: unknown) => r.resolve(consumer, x, 'test');
    expect(v({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${B}/*' })).toBe('arn:aws:s3:::b/*');
    expect(v({ 'Fn::Sub': ['${X}-${B.Arn}-${!Literal}', { X: { Ref: 'AWS::URLSuffix' } }] })).toBe('amazonaws.com-arn:aws:s3:::b-${Literal}');
    expect(v({ 'Fn::Join': [':', [{ Ref: 'AWS::StackName' }, { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }]] })).toBe('Consumer:b');
    expect(v({ 'Fn::Select': [1, { Ref: 'Subnets' }] })).toBe('b');
    expect(v({ 'Fn::If': ['IsProd', 'p', 'd'] })).toBe('p');
    expect(v({ 'Fn::If': ['ProdAndEast', 'yes', 'no'] })).toBe('yes');
    expect(v([1, { 'Fn::If': ['IsDev', 'x', { Ref: 'AWS::NoValue' }] }, { K: { Ref: 'AWS::NoValue' } }])).toEqual([1, {}]);
    expect(v({ 'Fn::FindInMap': ['Ids', { Ref: 'AWS::Region' }, 'Elb'] })).toBe('127311923021');
    expect(v({ 'Fn::ImportValue': 'Producer-QArn' })).toBe(`arn:aws:sqs:eu-west-1:${ACCOUNT}:jobs`);
    // Fn::GetStackOutput reads an output, exported or not, of the named stack in the given Region
    expect(v({ 'Fn::GetStackOutput': { StackName: 'Producer', OutputName: 'QArn', Region: 'eu-west-1' } })).toBe(`arn:aws:sqs:eu-west-1:${ACCOUNT}:jobs`);
    expect(() => v({ 'Fn::GetStackOutput': { StackName: 'Producer', OutputName: 'QArn' } })).toThrow(/no stack given to the simulator is named "Producer" in us-east-1/);
    expect(() => v({ 'Fn::GetStackOutput': { StackName: 'Producer', OutputName: 'QArn', Region: 'eu-west-1', RoleArn: 'arn:aws:iam::111122223333:role/r' } }))
      .toThrow(/another account \(RoleArn\) are not modelled/);
    expect(v({ 'Fn::GetAtt': ['L', 'Arn'] })).toBe(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/x:*`);
    expect(v({ 'Fn::GetAtt': 'F.Arn' })).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:F`);
    expect(v({ Ref: 'A' })).toBe('alias/data');
    expect(v({ Ref: 'AWS::StackId' })).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/Consumer\//);
    expect(() => v({ Ref: 'DevOnly' })).toThrow(/disabled by its Condition/);

    const withOverride = new CfnResolver([consumer], { Env: 'dev' });
    expect(withOverride.resolve(consumer, { 'Fn::If': ['IsProd', 'p', 'd'] }, 'test')).toBe('d');
    expect(withOverride.allResources('AWS::S3::Bucket').map((x) => x.logicalId)).toEqual(['B', 'DevOnly']);
  });

  test('unresolvable intrinsics raise clear errors', () => {
    const stack = model('S', {
      Parameters: { NoDefault: { Type: 'String' }, Ssm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/x' } },
      Resources: {
        Custom: { Type: 'Custom::Thing', Properties: { ServiceToken: 'x' } },
        K: { Type: 'AWS::KMS::Key' },
      },
    });
    const r = new CfnResolver([stack]);
    const v = (x: unknown) => r.resolve(stack, x, 'Resources.K.Properties.KeyPolicy');
    expect(() => v({ 'Fn::GetAtt': ['Custom', 'RoleArn'] })).toThrow(CfnResolutionError);
    expect(() => v({ 'Fn::GetAtt': ['Custom', 'RoleArn'] })).toThrow(/Custom::Thing is not supported/);
    expect(() => v({ 'Fn::GetAtt': ['K', 'Nope'] })).toThrow(/attribute Nope of AWS::KMS::Key is not supported/);
    expect(() => v({ Ref: 'Missing' })).toThrow(/no such parameter or resource/);
    expect(() => v({ Ref: 'NoDefault' })).toThrow(/has no Default/);
    expect(() => v({ Ref: 'Ssm' })).toThrow(/AWS::SSM::Parameter::Value<String>/);
    expect(() => v({ 'Fn::ImportValue': 'Nope' })).toThrow(/no stack given to the simulator exports "Nope"/);
    expect(() => v({ 'Fn::GetAZs': '' })).toThrow(/Fn::GetAZs is not supported/);
    expect(() => v({ 'Fn::If': ['NoSuchCondition', 1, 2] })).toThrow(/no such condition/);
    expect(() => v({ 'Fn::Join': [',', [{ 'Fn::Split': [',', 'a,b'] }]] })).toThrow(/list element resolved to/);
  });

  test('decide() surfaces resolution errors of the policies it needs', async () => {
    const sim = PolicySimulator.fromTemplates({
      S: {
        Resources: {
          Custom: { Type: 'Custom::RoleMaker', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x' } },
          Key: {
            Type: 'AWS::KMS::Key',
            Properties: {
              KeyPolicy: {
                Version: V,
                Statement: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Custom', 'RoleArn'] } }, Action: 'kms:*', Resource: '*' }],
              },
            },
          },
          R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: lambdaTrust } },
        },
      },
    });
    await expect(sim.decide({ principal: sim.roleArn('R'), action: 'kms:Decrypt', resource: sim.keyArn('Key') }))
      .rejects.toThrow(/Cannot resolve \{"Fn::GetAtt": \["Custom","RoleArn"\]\} in stack S at Resources\.Key\.Properties\.KeyPolicy\.Statement\[0\]\.Principal\.AWS/);
  });

  test('stack regions and Fn::If / NoValue inside a key policy', async () => {
    const template = {
      Parameters: { Stage: { Type: 'String', Default: 'prod' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
      Resources: {
        R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: lambdaTrust } },
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: {
            KeyPolicy: {
              Version: V,
              Statement: [
                { Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['R', 'Arn'] } }, Action: 'kms:Decrypt', Resource: '*' },
                { 'Fn::If': ['IsProd', { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': false } } }, { Ref: 'AWS::NoValue' }] },
              ],
            },
          },
        },
      },
    };
    const prod = PolicySimulator.fromTemplates({ Eu: template }, { stackEnvironments: { Eu: { region: 'eu-west-1' } } });
    const key = prod.keyArn('Key');
    expect(key).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/Key`);
    const req = { principal: prod.roleArn('R'), action: 'kms:Decrypt', resource: key, context: { 'aws:SecureTransport': 'false' } };
    await prod.expectDecision(req, 'ExplicitlyDenied');
    const dev = PolicySimulator.fromTemplates({ Eu: template }, { stackEnvironments: { Eu: { region: 'eu-west-1' } }, parameters: { Stage: 'dev' } });
    await dev.expectDecision(req, 'Allowed');
  });
});

test('performance: a few hundred simulations', async () => {
  const sim = PolicySimulator.fromStacks(delegationStack(ROOT_ADMIN_ACTIONS));
  const principal = sim.roleArn('AppRole');
  const resource = sim.keyArn('Key');
  const actions = ['kms:Decrypt', 'kms:Encrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:ScheduleKeyDeletion'];
  const start = Date.now();
  const n = 300;
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    // distinct contexts so that nothing is served from the result cache
    const d = await sim.decide({ principal, resource, action: actions[i % actions.length], context: { 'aws:SourceAccount': String(100000000000 + i) } });
    if (d === 'Allowed') allowed++;
  }
  const perCall = (Date.now() - start) / n;
  expect(allowed).toBe(120); // DescribeKey + ScheduleKeyDeletion are delegated, the crypto actions are not
  expect(perCall).toBeLessThan(50);
});
