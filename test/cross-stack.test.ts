import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  EbsDefaultEncryption,
  EncryptedSecureStringParam,
  KeyAdminRole,
  KeyAuditTrail,
  KeyHealthCanary,
  ManagedCmk,
  PrincipalTagGuardrail,
  SecureStringValue,
} from '../src';
import { PolicySimulator, TEST_ENV, keyPolicyStatements } from './support';
import { CANARY_CONTEXT_KEY, CANARY_CONTEXT_VALUE } from '../src/private/contracts/key-health-canary.contract';

/**
 * The platform layout: a keys stack and app stacks, in both deployment orders, with the key on
 * either side of the grant. Every library construct and plain L2 grant either synthesizes or gives
 * the library's own cycle error (never CDK's raw one), and what synthesizes gives exactly the
 * intended access (the policy simulator over both stacks, resolving exports and imports).
 *
 * The apps use the feature flags of a new CDK project (`cdk init`), as users' apps do.
 */
type Order = 'keys stack first' | 'app stack first';
type KeyHome = 'key in the keys stack' | 'key in the app stack';

interface Layout {
  readonly app: App;
  readonly keys: Stack;
  readonly apps: Stack;
  /** The key the case uses, and the stacks of the key and of its user. */
  readonly key: ManagedCmk;
  readonly keyStack: Stack;
  readonly userStack: Stack;
}

function layout(order: Order, home: KeyHome): Layout {
  const app = new App({ context: { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS }, stackTraces: false });
  const keys = new Stack(app, 'Keys', { env: TEST_ENV });
  const apps = new Stack(app, 'Apps', { env: TEST_ENV });
  // What makes the order: the second stack encrypts a log group with a key of the first.
  const [first, second] = order === 'keys stack first' ? [keys, apps] : [apps, keys];
  new logs.LogGroup(second, 'UsesFirst', { encryptionKey: new ManagedCmk(first, 'FirstKey', { alias: 'first' }) });
  const [keyStack, userStack] = home === 'key in the keys stack' ? [keys, apps] : [apps, keys];
  const key = new ManagedCmk(keyStack, 'Key', { alias: 'shared' });
  return { app, keys, apps, key, keyStack, userStack };
}

const fnProps = { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') };

interface Case {
  /** Whether a resource of the user's stack references the key (then the key's stack must deploy first). */
  readonly referencesKey: boolean;
  readonly build: (l: Layout) => void;
}

const CASES: Record<string, Case> = {
  'a role granted use (no fixed name)': {
    referencesKey: false,
    build: (l) => l.key.grantDecrypt(new iam.Role(l.userStack, 'User', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') })),
  },
  'a Lambda function with environment encryption': {
    referencesKey: true,
    build: (l) => new lambda.Function(l.userStack, 'Fn', { ...fnProps, environment: { MODE: 'x' }, environmentEncryption: l.key }),
  },
  'an EncryptedSecureStringParam': {
    referencesKey: true,
    build: (l) => new EncryptedSecureStringParam(l.userStack, 'Param', { key: l.key, parameterName: '/app/token', value: SecureStringValue.generated() }),
  },
  'a KeyAdminRole with a fixed name administering the key': {
    referencesKey: false,
    build: (l) => new KeyAdminRole(l.userStack, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'kms-admins', keys: [l.key] }),
  },
  'a KeyAuditTrail watching the key': {
    referencesKey: false,
    build: (l) => new KeyAuditTrail(l.userStack, 'Trail').watch(l.key),
  },
  'a KeyHealthCanary': {
    referencesKey: true,
    build: (l) => new KeyHealthCanary(l.userStack, 'Canary', { key: l.key }),
  },
  'EbsDefaultEncryption': {
    referencesKey: true,
    build: (l) => new EbsDefaultEncryption(l.userStack, 'Ebs', { key: l.key }),
  },
  'an imported role': {
    referencesKey: false,
    build: (l) => l.key.grantDecrypt(iam.Role.fromRoleArn(l.userStack, 'Imported', `arn:aws:iam::${TEST_ENV.account}:role/imported`)),
  },
  'a role in a third stack, used by a function in the app stack': {
    referencesKey: true,
    build: (l) => {
      const role = new iam.Role(new Stack(l.app, 'Roles', { env: TEST_ENV }), 'Shared', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      l.key.grantEncryptDecrypt(role);
      new lambda.Function(l.userStack, 'Fn', { ...fnProps, role, environment: { MODE: 'x' }, environmentEncryption: l.key });
    },
  },
};

const ORDERS: Order[] = ['keys stack first', 'app stack first'];
const HOMES: KeyHome[] = ['key in the keys stack', 'key in the app stack'];
const MATRIX = Object.keys(CASES).flatMap((name) => ORDERS.flatMap((order) => HOMES.map((home) => [name, order, home] as const)));

describe('every case, in both orders, with the key on either side', () => {
  test.each(MATRIX)('%s, %s, %s: synthesizes, or the library explains the cycle', (name, order, home) => {
    const l = layout(order, home);
    CASES[name].build(l);
    // The key's stack deploys first when it is the first stack of the order.
    const keyFirst = (order === 'keys stack first') === (home === 'key in the keys stack');
    const works = !CASES[name].referencesKey || keyFirst;
    let error: Error | undefined;
    try {
      l.app.synth();
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message ?? '').not.toMatch(/cyclic reference/);
    if (works) {
      expect(error).toBeUndefined();
    } else {
      // The user's resource in the first stack references the key of the second: a real cycle.
      expect(error?.message).toMatch(/depend on each other in a cycle/);
      expect(error?.message).toContain(`'${l.userStack.node.path}' deploys after '${l.keyStack.node.path}'`);
      expect(error?.message).toContain(`references ${l.key.node.path}/Resource`);
      expect(error?.message).toMatch(/Break one of these links: move one of the two constructs/);
    }
  });
});

/** kms:* in IAM on every key: what an administrator of the account might have. */
function kmsEverywhere(role: iam.Role): iam.Role {
  role.addManagedPolicy(new iam.ManagedPolicy(role, 'KmsEverywhere', { statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })] }));
  return role;
}

/** A bystander of the user's stack: same account, kms:* in IAM, no grant. */
function bystander(stack: Stack): iam.Role {
  return kmsEverywhere(new iam.Role(stack, 'Bystander', { assumedBy: new iam.AccountRootPrincipal() }));
}

describe.each([
  // The principal's stack deploys after the key's: admitted by its principal tag.
  ['keys stack first', 'key in the keys stack', 'tag'],
  ['app stack first', 'key in the app stack', 'tag'],
  // The key's stack deploys after the principal's: the key policy names it.
  ['keys stack first', 'key in the app stack', 'named'],
  ['app stack first', 'key in the keys stack', 'named'],
] as const)('a role granted use, %s, %s: %s', (order, home, how) => {
  const l = layout(order, home);
  const user = new iam.Role(l.userStack, 'User', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  l.key.grantDecrypt(user);
  const admin = kmsEverywhere(new iam.Role(l.userStack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() }));
  l.key.grantAdmin(admin);
  bystander(l.userStack);
  const sim = PolicySimulator.fromStacks(l.keys, l.apps);
  const key = sim.keyArn(`${l.keyStack.node.path}/Key`);
  const path = (id: string) => `${l.userStack.node.path}/${id}`;

  test('the key policy says who: the principal tag value, or the role itself', () => {
    const statement = keyPolicyStatements(Template.fromStack(l.keyStack), l.keyStack.getLogicalId(l.key.node.defaultChild as any))
      .find((s) => s.Sid === 'KeyDecrypt');
    if (how === 'tag') {
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:PrincipalTag/cdk-kms-governance:principal': `${TEST_ENV.region}/${l.userStack.stackName}/User` } });
      Template.fromStack(l.userStack).hasResourceProperties('AWS::IAM::Role', {
        Tags: [{ Key: PrincipalTagGuardrail.TAG_KEY, Value: `${TEST_ENV.region}/${l.userStack.stackName}/User` }],
      });
    } else {
      expect(statement.Condition).toBeUndefined();
      // the role itself, by a cross-stack reference: an export (aws-cdk-lib 2.258) or a stack output
      // read with Fn::GetStackOutput (the latest aws-cdk-lib, under its recommended flags)
      expect(Object.keys(statement.Principal.AWS)).toEqual([expect.stringMatching(/^Fn::(ImportValue|GetStackOutput)$/)]);
    }
  });

  test('the user may decrypt and nothing else (it has no other KMS permission in IAM)', async () => {
    await sim.expectDecision({ principal: sim.roleArn(path('User')), action: 'kms:Decrypt', resource: key }, 'Allowed');
    expect(await sim.decide({ principal: sim.roleArn(path('User')), action: 'kms:Encrypt', resource: key })).not.toBe('Allowed');
    expect(await sim.decide({ principal: sim.roleArn(path('User')), action: 'kms:PutKeyPolicy', resource: key })).not.toBe('Allowed');
  });

  test('a role of the same account with kms:* in IAM and no grant may not use the key', async () => {
    expect(await sim.decide({ principal: sim.roleArn(path('Bystander')), action: 'kms:Decrypt', resource: key })).not.toBe('Allowed');
  });

  test('the administrator administers, and may not use the key even with kms:* in IAM', async () => {
    await sim.expectDecision({ principal: sim.roleArn(path('Admin')), action: 'kms:PutKeyPolicy', resource: key }, 'Allowed');
    expect(await sim.decide({ principal: sim.roleArn(path('Admin')), action: 'kms:Decrypt', resource: key })).toBe('ExplicitlyDenied');
    expect(await sim.decide({ principal: sim.roleArn(path('Admin')), action: 'kms:CreateGrant', resource: key })).toBe('ExplicitlyDenied');
  });

  if (how === 'tag') {
    test('the tag alone is not enough: a role carrying it needs its own IAM permission too', async () => {
      // The role's IAM side is the customer managed policy the grant wrote; without kms:* the user
      // still decrypts through it, and a tagged role without any KMS IAM permission may not.
      const spoof = new Stack(new App(), 'Spoof', { env: TEST_ENV });
      new iam.Role(spoof, 'Tagged', { assumedBy: new iam.AccountRootPrincipal() });
      const value = `${TEST_ENV.region}/${l.userStack.stackName}/User`;
      (spoof.node.findChild('Tagged').node.defaultChild as iam.CfnRole).tags.setTag(PrincipalTagGuardrail.TAG_KEY, value);
      const withSpoof = PolicySimulator.fromStacks(l.keys, l.apps, spoof);
      expect(await withSpoof.decide({ principal: withSpoof.roleArn('Spoof/Tagged'), action: 'kms:Decrypt', resource: key })).not.toBe('Allowed');
    });
  }
});

describe('the library constructs in an app stack, with the key of the keys stack (deployed first)', () => {
  const l = layout('keys stack first', 'key in the keys stack');
  new EncryptedSecureStringParam(l.apps, 'Param', { key: l.key, parameterName: '/app/token', value: SecureStringValue.generated() });
  new KeyHealthCanary(l.apps, 'Canary', { key: l.key });
  bystander(l.apps);
  const trail = new KeyAuditTrail(l.keys, 'Trail');
  const appKey = new ManagedCmk(l.apps, 'AppKey', { alias: 'app', audit: trail });
  const sim = PolicySimulator.fromStacks(l.keys, l.apps);
  const key = sim.keyArn('Keys/Key');
  const parameterArn = `arn:aws:ssm:${TEST_ENV.region}:${TEST_ENV.account}:parameter/app/token`;
  const ssm = { 'kms:ViaService': `ssm.${TEST_ENV.region}.amazonaws.com`, 'kms:EncryptionContext:PARAMETER_ARN': parameterArn };

  test('the SecureString handler may encrypt its parameter through Parameter Store, and only that', async () => {
    const handler = sim.roleArn('Apps/KmsGovernanceSecureStringHandler/Role');
    await sim.expectDecision({ principal: handler, action: 'kms:Encrypt', resource: key, context: ssm }, 'Allowed');
    expect(await sim.decide({ principal: handler, action: 'kms:Encrypt', resource: key })).not.toBe('Allowed');
    expect(await sim.decide({ principal: handler, action: 'kms:Encrypt', resource: key, context: { ...ssm, 'kms:EncryptionContext:PARAMETER_ARN': `${parameterArn}-other` } })).not.toBe('Allowed');
    expect(await sim.decide({ principal: sim.roleArn('Apps/Bystander'), action: 'kms:Encrypt', resource: key, context: ssm })).not.toBe('Allowed');
  });

  test('the canary may probe with its encryption context, and only that', async () => {
    const probe = sim.roleArn('Apps/Canary/Probe/Role');
    const context = { [`kms:EncryptionContext:${CANARY_CONTEXT_KEY}`]: CANARY_CONTEXT_VALUE };
    await sim.expectDecision({ principal: probe, action: 'kms:Encrypt', resource: key, context }, 'Allowed');
    expect(await sim.decide({ principal: probe, action: 'kms:Encrypt', resource: key })).not.toBe('Allowed');
    expect(await sim.decide({ principal: probe, action: 'kms:ScheduleKeyDeletion', resource: key })).not.toBe('Allowed');
  });

  test('the audit alarm of a key of the app stack lives in the app stack, and the keys stack references nothing of it', () => {
    const apps = Template.fromStack(l.apps);
    const keyId = l.apps.getLogicalId(appKey.node.defaultChild as any);
    const filters = Object.values<any>(apps.findResources('AWS::Logs::MetricFilter'));
    expect(filters.filter((f) => JSON.stringify(f.Properties.FilterPattern).includes(keyId))).toHaveLength(1);
    expect(Object.keys(Template.fromStack(l.keys).findResources('AWS::Logs::MetricFilter')).filter((id) => id.includes('Events'))).toEqual([]);
    expect(l.keys.dependencies).not.toContain(l.apps);
  });
});

describe('PrincipalTagGuardrail', () => {
  const app = new App();
  const stack = new Stack(app, 'Guarded', { env: TEST_ENV });
  const guardrail = new PrincipalTagGuardrail(stack, 'Guardrail');
  const developer = new iam.Role(stack, 'Developer', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [guardrail.managedPolicy] });
  developer.addManagedPolicy(new iam.ManagedPolicy(stack, 'IamAdmin', { statements: [new iam.PolicyStatement({ actions: ['iam:*', 'sts:*'], resources: ['*'] })] }));
  const deployer = new iam.Role(stack, 'Deployer', {
    roleName: `cdk-hnb659fds-cfn-exec-role-${TEST_ENV.account}-${TEST_ENV.region}`,
    assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
    managedPolicies: [guardrail.managedPolicy],
  });
  deployer.addManagedPolicy(new iam.ManagedPolicy(stack, 'DeployerIam', { statements: [new iam.PolicyStatement({ actions: ['iam:*'], resources: ['*'] })] }));
  const sim = PolicySimulator.fromStacks(stack);
  const target = `arn:aws:iam::${TEST_ENV.account}:role/Apps-UserABC`;
  const tagKeys = { 'aws:TagKeys': [PrincipalTagGuardrail.TAG_KEY] };

  test.each(['iam:TagRole', 'iam:UntagRole', 'iam:CreateRole'])('a developer may not %s with the principal tag', async (action) => {
    expect(await sim.decide({ principal: sim.roleArn('Developer'), action, resource: target, context: tagKeys })).toBe('ExplicitlyDenied');
  });

  test('a developer may still tag roles with other tags', async () => {
    await sim.expectDecision({ principal: sim.roleArn('Developer'), action: 'iam:TagRole', resource: target, context: { 'aws:TagKeys': ['team'] } }, 'Allowed');
  });

  test('nobody passes the principal tag as a session tag', async () => {
    expect(await sim.decide({ principal: sim.roleArn('Developer'), action: 'sts:TagSession', resource: target, context: tagKeys, resourcePolicy: null })).toBe('ExplicitlyDenied');
  });

  test('the CDK deployment role still tags the roles it creates', async () => {
    await sim.expectDecision({ principal: sim.roleArn('Deployer'), action: 'iam:TagRole', resource: target, context: tagKeys }, 'Allowed');
  });

  test('the document has no CloudFormation intrinsics, so it can be a service control policy', () => {
    const json = JSON.stringify(stack.resolve(PrincipalTagGuardrail.policyDocument().toJSON()));
    expect(json).not.toMatch(/Fn::|"Ref"/);
  });

  test.each([
    [[], /'exemptPrincipalArns' must not be empty/],
    [['arn:aws:s3:::bucket'], /'exemptPrincipalArns\[0\]' must be an IAM role or user ARN pattern/],
  ])('bad exemptPrincipalArns %j: a clear error', (exempt, message) => {
    expect(() => PrincipalTagGuardrail.policyDocument({ exemptPrincipalArns: exempt as string[] })).toThrow(message);
  });
});
