import * as fs from 'fs';
import * as path from 'path';
import { App, CfnCondition, CfnParameter, Duration, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { KmsGovernanceChecks } from '../../src/nag/kms-governance-checks';
import * as rules from '../../src/nag/rules';
import { TEST_ENV } from '../support';

/**
 * The pack as a whole: its rule ids, the classic mistakes of a plain CDK app, its props, and its
 * behaviour on values only known at deploy time.
 */


const RULE_IDS = [
  'KmsGovernance-KeyRotation',
  'KmsGovernance-KeyRotationOnlyForSymmetricKeys',
  'KmsGovernance-KeyRsa2048NotForEncryption',
  'KmsGovernance-KeyPendingWindow',
  'KmsGovernance-KeyPolicyNoLockoutBypass',
  'KmsGovernance-KeyHasAlias',
  'KmsGovernance-KeyPolicyNoPublicAccess',
  'KmsGovernance-KeyPolicyNoCrossAccountUse',
  'KmsGovernance-KeyPolicyNoFullAccessForNonRoot',
  'KmsGovernance-KeyPolicySeparationOfDuties',
  'KmsGovernance-KeyPolicyLockout',
  'KmsGovernance-CreateGrantForAwsResourcesOnly',
  'KmsGovernance-KeyPolicyServiceSourceConditions',
  'KmsGovernance-KeyPolicyNoIdentityCenterWildcard',
  'KmsGovernance-ReplicaKeyPolicyNotWeaker',
  'KmsGovernance-IamNoDecryptOnAllKeys',
  'KmsGovernance-S3BucketCustomerManagedKey',
  'KmsGovernance-SnsTopicCustomerManagedKey',
  'KmsGovernance-SqsQueueCustomerManagedKey',
  'KmsGovernance-SecretCustomerManagedKey',
  'KmsGovernance-DynamoDbTableCustomerManagedKey',
  'KmsGovernance-RdsCustomerManagedKey',
  'KmsGovernance-LogGroupCustomerManagedKey',
  'KmsGovernance-EbsCustomerManagedKey',
  'KmsGovernance-SecureStringValueNotInTemplate',
  'KmsGovernance-EnvironmentNoPlaintextSecret',
  'KmsGovernance-CloudTrailSecured',
  'KmsGovernance-CloudTrailKmsAlarm',
  'KmsGovernance-AuditLogGroupSecured',
];

/** Every finding as `<rule id> <construct path>`, sorted. */
function findings(scope: IConstruct, pack: NagPack = new KmsGovernanceChecks()): string[] {
  return pack
    .validateScope(scope)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))
    .sort();
}

/**
 * An app made only of plain CDK constructs, with the classic mistakes: a key that does not
 * rotate, kms:* for a role in a key policy, a Principal "*" statement, administration and use for
 * one role, a managed policy that decrypts with every key, an SSE-S3 bucket, a single-Region trail.
 */
function classicMistakes(): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Classic', { env: TEST_ENV });
  const role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

  new kms.Key(stack, 'RotationOff', { alias: 'rotation-off' });

  const fullAccess = new kms.Key(stack, 'RoleFullAccess', { alias: 'role-full-access', enableKeyRotation: true });
  fullAccess.addToResourcePolicy(new iam.PolicyStatement({ principals: [role], actions: ['kms:*'], resources: ['*'] }));

  const open = new kms.Key(stack, 'Public', { alias: 'public', enableKeyRotation: true });
  open.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Decrypt'],
    resources: ['*'],
    conditions: { StringEquals: { 'kms:CallerAccount': stack.account } },
  }));

  const mixed = new kms.Key(stack, 'AdminAndUse', { alias: 'admin-and-use', enableKeyRotation: true });
  mixed.addToResourcePolicy(new iam.PolicyStatement({ principals: [role], actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:DisableKey', 'kms:ScheduleKeyDeletion'], resources: ['*'] }));

  new iam.ManagedPolicy(stack, 'DecryptEverything', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] })] });

  new s3.Bucket(stack, 'SseS3', { encryption: s3.BucketEncryption.S3_MANAGED });

  new cloudtrail.CfnTrail(stack, 'SingleRegionTrail', { isLogging: true, isMultiRegionTrail: false, s3BucketName: 'classic-trail-logs' });
  return { app, stack };
}

describe('KmsGovernanceChecks', () => {
  test('its name and rule ids', () => {
    const pack = new KmsGovernanceChecks();
    expect(pack.name).toBe('KmsGovernance');
    expect(pack.readPackName).toBe('KmsGovernance');
    expect(pack.ruleIds).toEqual(RULE_IDS);
  });

  test('every rule is in its own file named after it, and in the rules index', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'nag', 'rules');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));
    const { RULE_GROUPS, ALL_RULES, ...exported } = rules as unknown as Record<string, { name: string }>;
    expect(files.sort()).toEqual(Object.keys(exported).sort());
    expect((ALL_RULES as unknown as Array<{ name: string }>).map((r) => r.name).sort()).toEqual(files.sort());
    expect(RULE_GROUPS).toBeDefined();
    for (const file of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const rule = require(path.join(dir, file)).default;
      expect(rule.name).toBe(file);
      expect(exported[file]).toBe(rule);
    }
    expect(files.map((f) => `KmsGovernance-${f}`).sort()).toEqual([...RULE_IDS].sort());
  });

  test('the classic mistakes of a plain CDK app give exactly the expected findings', () => {
    const { app } = classicMistakes();
    expect(findings(app)).toEqual([
      'KmsGovernance-CloudTrailSecured Classic/SingleRegionTrail',
      'KmsGovernance-CreateGrantForAwsResourcesOnly Classic/RoleFullAccess/Resource',
      'KmsGovernance-IamNoDecryptOnAllKeys Classic/DecryptEverything/Resource',
      'KmsGovernance-KeyPolicyNoFullAccessForNonRoot Classic/RoleFullAccess/Resource',
      'KmsGovernance-KeyPolicyNoPublicAccess Classic/Public/Resource',
      'KmsGovernance-KeyPolicySeparationOfDuties Classic/AdminAndUse/Resource',
      'KmsGovernance-KeyPolicySeparationOfDuties Classic/RoleFullAccess/Resource',
      'KmsGovernance-KeyRotation Classic/RotationOff/Resource',
      'KmsGovernance-S3BucketCustomerManagedKey Classic/SseS3/Resource',
    ]);
  });

  test('a run that breaks every rule reports exactly the pack\'s rule ids', () => {
    const { app, stack } = classicMistakes();
    new kms.CfnKey(stack, 'ShortWindowNoAlias', {
      enableKeyRotation: true,
      pendingWindowInDays: 7,
      bypassPolicyLockoutSafetyCheck: true,
      keyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/app' }, Action: 'kms:Decrypt', Resource: '*' }] },
    });
    const events = new logs.LogGroup(stack, 'TrailEvents');
    new cloudtrail.CfnTrail(stack, 'TrailWithoutAlarm', {
      isLogging: true,
      s3BucketName: 'classic-trail-logs',
      cloudWatchLogsLogGroupArn: events.logGroupArn,
      cloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/trail',
    });
    // The rules of KmsGovernanceChecks v2, one mistake each.
    new kms.CfnKey(stack, 'RsaRotating', { keySpec: 'RSA_2048', enableKeyRotation: true });
    new kms.CfnKey(stack, 'Shared', {
      enableKeyRotation: true,
      keyPolicy: {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'kms:Decrypt', Resource: '*' },
          { Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' },
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::123456789012:root' },
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*' } },
          },
        ],
      },
    });
    const regional = new Stack(app, 'Regional', { env: { ...TEST_ENV, region: 'eu-west-1' }, crossRegionReferences: true });
    const primary = new kms.CfnKey(new Stack(app, 'PrimaryRegion', { env: TEST_ENV, crossRegionReferences: true }), 'Primary', {
      multiRegion: true,
      enableKeyRotation: true,
      keyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:PutKeyPolicy', Resource: '*' }] },
    });
    new kms.CfnReplicaKey(regional, 'Replica', {
      primaryKeyArn: primary.attrArn,
      keyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }] },
    });
    new sns.Topic(stack, 'Topic');
    new sqs.Queue(stack, 'Queue');
    new secretsmanager.Secret(stack, 'Secret');
    new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    new rds.CfnDBInstance(stack, 'Database', { dbInstanceClass: 'db.t4g.micro', engine: 'postgres', allocatedStorage: '20' });
    new logs.LogGroup(stack, 'AppLogs');
    new ec2.CfnVolume(stack, 'Volume', { availabilityZone: 'us-east-1a', size: 8 });
    new cr.AwsCustomResource(stack, 'SeedPassword', {
      onCreate: { service: 'SSM', action: 'putParameter', parameters: { Name: '/db/pw', Value: 'hunter2!', Type: 'SecureString' }, physicalResourceId: cr.PhysicalResourceId.of('pw') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    });
    new lambda.CfnFunction(stack, 'Function', { role: 'arn:aws:iam::123456789012:role/f', code: { zipFile: 'x' }, environment: { variables: { DB_PASSWORD: 'Tr0ub4dor&3' } } });
    const ids = new KmsGovernanceChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(ids.sort()).toEqual([...RULE_IDS].sort());
  });

  test('every rule is an error, except the advisory KeyHasAlias', () => {
    const { stack } = classicMistakes();
    new kms.CfnKey(stack, 'NoAlias', { enableKeyRotation: true });
    const severities = Object.fromEntries(new KmsGovernanceChecks().validateScope(stack).violations.map((v) => [v.ruleName, v.severity]));
    expect(severities['KmsGovernance-KeyHasAlias']).toBe('warning');
    expect(Object.entries(severities).filter(([id]) => id !== 'KmsGovernance-KeyHasAlias').every(([, s]) => s === 'error')).toBe(true);
  });

  test('verbose adds the explanation to the description', () => {
    const { stack } = classicMistakes();
    const [terse] = new KmsGovernanceChecks().validateScope(stack).violations.filter((v) => v.ruleName === 'KmsGovernance-KeyRotation');
    const [verbose] = new KmsGovernanceChecks(undefined, { verbose: true }).validateScope(stack).violations.filter((v) => v.ruleName === 'KmsGovernance-KeyRotation');
    expect(terse.description).toBe('The symmetric KMS key does not rotate automatically, or its rotation period is longer than the maximum.');
    expect(verbose.description).toContain('Security Hub KMS.4');
  });

  test('acknowledged findings are left out of validateScope, per resource and per rule', () => {
    const { stack } = classicMistakes();
    const rotationOff = stack.node.findChild('RotationOff');
    Validations.of(rotationOff).acknowledge({ id: 'KmsGovernance-KeyRotation', reason: 'Test key, deleted after the test.' });
    Validations.of(stack).acknowledge({ id: 'KmsGovernance-KeyPolicySeparationOfDuties', reason: 'Accepted for this stack.' });
    const remaining = findings(stack);
    expect(remaining.filter((f) => f.includes('KeyRotation') || f.includes('SeparationOfDuties'))).toEqual([]);
    expect(remaining).toContain('KmsGovernance-KeyPolicyNoPublicAccess Classic/Public/Resource');
  });
});

describe('props', () => {
  test.each<[string, object, string]>([
    ['minimumPendingWindow below 7 days', { minimumPendingWindow: Duration.days(3) }, "'minimumPendingWindow' must be a whole number of days between 7 and 30. Received: 3 days"],
    ['minimumPendingWindow above 30 days', { minimumPendingWindow: Duration.days(31) }, "'minimumPendingWindow' must be a whole number of days between 7 and 30. Received: 31 days"],
    ['minimumPendingWindow not whole days', { minimumPendingWindow: Duration.hours(180) }, "'minimumPendingWindow' must be a whole number of days between 7 and 30. Received: 7 days 12 hours"],
    ['maximumRotationPeriod below 90 days', { maximumRotationPeriod: Duration.days(89) }, "'maximumRotationPeriod' must be a whole number of days between 90 and 2560. Received: 89 days"],
    ['maximumRotationPeriod above 2560 days', { maximumRotationPeriod: Duration.days(2561) }, "'maximumRotationPeriod' must be a whole number of days between 90 and 2560. Received: 2561 days"],
  ])('%s is refused with the prop and the value', (_name, props, message) => {
    expect(() => new KmsGovernanceChecks(undefined, props)).toThrow(message);
  });

  test('a token duration is refused: the pack compares at synthesis', () => {
    expect(() => new KmsGovernanceChecks(undefined, { maximumRotationPeriod: Duration.days(Token.asNumber({ Ref: 'Days' })) })).toThrow(
      /^'maximumRotationPeriod' must be a concrete duration: the pack compares it at synthesis\. Received: /,
    );
  });

  test('the limits themselves are accepted', () => {
    const lowest = { minimumPendingWindow: Duration.days(7), maximumRotationPeriod: Duration.days(90) };
    const highest = { minimumPendingWindow: Duration.days(30), maximumRotationPeriod: Duration.days(2560) };
    expect(() => new KmsGovernanceChecks(undefined, lowest)).not.toThrow();
    expect(() => new KmsGovernanceChecks(undefined, highest)).not.toThrow();
  });

  test('the props change the outcome', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: TEST_ENV });
    const key = new kms.CfnKey(stack, 'Key', { enableKeyRotation: true, rotationPeriodInDays: 180, pendingWindowInDays: 14 });
    new kms.CfnAlias(stack, 'Alias', { aliasName: 'alias/key', targetKeyId: key.ref });
    expect(findings(app)).toEqual(['KmsGovernance-KeyPendingWindow S/Key']);
    const strict = new KmsGovernanceChecks(undefined, {
      minimumPendingWindow: Duration.days(14),
      maximumRotationPeriod: Duration.days(90),
      allowRootFullAccess: false,
    });
    expect(findings(app, strict)).toEqual([
      'KmsGovernance-KeyPolicyNoFullAccessForNonRoot S/Key',
      'KmsGovernance-KeyRotation S/Key',
    ]);
  });
});

describe('values known only at deploy time', () => {
  function stackWithParameter() {
    const app = new App();
    const stack = new Stack(app, 'S', { env: TEST_ENV });
    const param = new CfnParameter(stack, 'Param', { type: 'String' });
    const condition = new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(param.valueAsString, 'prod') });
    return { app, stack, param, condition };
  }
  const rootStatement = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' };
  const publicStatement = { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' };

  test('a key policy chosen by Fn::If is checked in both branches', () => {
    const { stack, condition } = stackWithParameter();
    const safe = { Statement: [rootStatement] };
    const open = { Statement: [rootStatement, publicStatement] };
    new kms.CfnKey(stack, 'Either', { enableKeyRotation: true, keyPolicy: Fn.conditionIf(condition.logicalId, safe, open) });
    new kms.CfnKey(stack, 'Both', { enableKeyRotation: true, keyPolicy: Fn.conditionIf(condition.logicalId, safe, { Statement: [rootStatement, { ...rootStatement, Sid: 'Again' }] }) });
    new kms.CfnKey(stack, 'OneStatement', {
      enableKeyRotation: true,
      keyPolicy: { Statement: [rootStatement, Fn.conditionIf(condition.logicalId, publicStatement, Fn.ref('AWS::NoValue'))] },
    });
    expect(findings(stack).filter((f) => !f.includes('KeyHasAlias'))).toEqual([
      'KmsGovernance-KeyPolicyNoPublicAccess S/Either',
      'KmsGovernance-KeyPolicyNoPublicAccess S/OneStatement',
    ]);
  });

  test('a key policy from a parameter is a finding that says why, never a crash', () => {
    const { stack, param } = stackWithParameter();
    new kms.CfnKey(stack, 'Key', { enableKeyRotation: true, keyPolicy: Fn.ref(param.logicalId) });
    const pack = new KmsGovernanceChecks(undefined, { verbose: true });
    const violations = pack.validateScope(stack).violations.filter((v) => v.ruleName.startsWith('KmsGovernance-KeyPolicy'));
    expect(violations.map((v) => v.ruleName).sort()).toEqual([
      'KmsGovernance-KeyPolicyLockout',
      'KmsGovernance-KeyPolicyNoCrossAccountUse',
      'KmsGovernance-KeyPolicyNoFullAccessForNonRoot',
      'KmsGovernance-KeyPolicyNoIdentityCenterWildcard',
      'KmsGovernance-KeyPolicyNoPublicAccess',
      'KmsGovernance-KeyPolicySeparationOfDuties',
      'KmsGovernance-KeyPolicyServiceSourceConditions',
    ]);
    for (const v of violations) {
      expect(v.description).toMatch(/^Rule threw an error during validation\. The key policy of S\/Key cannot be evaluated at synth time \(\{"Ref":"Param"\}\)/);
    }
  });

  test('a principal from a parameter is a specific principal; an action from Fn::If is checked in both branches', () => {
    const { stack, param, condition } = stackWithParameter();
    const key = new kms.CfnKey(stack, 'Key', {
      enableKeyRotation: true,
      keyPolicy: {
        Statement: [
          rootStatement,
          { Effect: 'Allow', Principal: { AWS: param.valueAsString }, Action: Fn.conditionIf(condition.logicalId, 'kms:Decrypt', 'kms:*'), Resource: '*' },
        ],
      },
    });
    new kms.CfnAlias(stack, 'Alias', { aliasName: 'alias/key', targetKeyId: key.ref });
    expect(findings(stack)).toEqual([
      // the kms:* branch also allows CreateGrant without a condition
      'KmsGovernance-CreateGrantForAwsResourcesOnly S/Key',
      'KmsGovernance-KeyPolicyNoFullAccessForNonRoot S/Key',
      'KmsGovernance-KeyPolicySeparationOfDuties S/Key',
    ]);
  });

  test('rotation from a parameter, an action from a parameter, or too many Fn::If combinations are findings, not crashes', () => {
    const { stack, param, condition } = stackWithParameter();
    new kms.CfnKey(stack, 'RotationParam', { enableKeyRotation: Token.asAny(Fn.ref(param.logicalId)) as any });
    new kms.CfnKey(stack, 'ActionParam', { enableKeyRotation: true, keyPolicy: { Statement: [rootStatement, { ...rootStatement, Action: param.valueAsString }] } });
    const many = Array.from({ length: 8 }, (_, i) => Fn.conditionIf(condition.logicalId, { ...rootStatement, Sid: `A${i}` }, { ...rootStatement, Sid: `B${i}` }));
    new kms.CfnKey(stack, 'Many', { enableKeyRotation: true, keyPolicy: { Statement: many } });
    const pack = new KmsGovernanceChecks(undefined, { verbose: true });
    let result: string[] = [];
    expect(() => { result = findings(stack, pack); }).not.toThrow();
    expect(result.filter((f) => !f.includes('KeyHasAlias'))).toEqual([
      // Not literal: an action (ActionParam), or 2^8 Fn::If combinations (Many). The rules that
      // read them report a finding that says so.
      'KmsGovernance-CreateGrantForAwsResourcesOnly S/ActionParam',
      'KmsGovernance-CreateGrantForAwsResourcesOnly S/Many',
      'KmsGovernance-KeyPolicyLockout S/Many',
      'KmsGovernance-KeyPolicyNoCrossAccountUse S/ActionParam',
      'KmsGovernance-KeyPolicyNoCrossAccountUse S/Many',
      'KmsGovernance-KeyPolicyNoFullAccessForNonRoot S/ActionParam',
      'KmsGovernance-KeyPolicyNoFullAccessForNonRoot S/Many',
      'KmsGovernance-KeyPolicyNoIdentityCenterWildcard S/Many',
      'KmsGovernance-KeyPolicyNoPublicAccess S/Many',
      'KmsGovernance-KeyPolicySeparationOfDuties S/ActionParam',
      'KmsGovernance-KeyPolicySeparationOfDuties S/Many',
      'KmsGovernance-KeyPolicyServiceSourceConditions S/Many',
      'KmsGovernance-KeyRotation S/RotationParam',
    ]);
    const descriptions = pack.validateScope(stack).violations.map((v) => v.description);
    expect(descriptions).toEqual(expect.arrayContaining([
      expect.stringContaining('EnableKeyRotation of S/RotationParam cannot be evaluated at synth time ({"Ref":"Param"})'),
      expect.stringContaining('An action in the key policy of S/ActionParam cannot be evaluated at synth time'),
      expect.stringContaining('has more than 64 Fn::If combinations'),
    ]));
  });

  test('identity policies, buckets and trails with intrinsics do not crash the pack', () => {
    const { stack, param, condition } = stackWithParameter();
    new iam.CfnManagedPolicy(stack, 'Managed', {
      policyDocument: Fn.conditionIf(condition.logicalId, { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }, { Statement: [] }),
    });
    new iam.CfnManagedPolicy(stack, 'FromParameter', { policyDocument: Fn.ref(param.logicalId) });
    new s3.CfnBucket(stack, 'Bucket', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: param.valueAsString } }] },
    });
    new cloudtrail.CfnTrail(stack, 'Trail', { isLogging: true, isMultiRegionTrail: Fn.conditionIf(condition.logicalId, true, false) as any, s3BucketName: param.valueAsString });
    new logs.CfnLogGroup(stack, 'Logs', { retentionInDays: Token.asNumber(Fn.ref(param.logicalId)) });
    let result: string[] = [];
    expect(() => { result = findings(stack); }).not.toThrow();
    expect(result).toEqual([
      'KmsGovernance-CloudTrailSecured S/Trail',
      'KmsGovernance-CreateGrantForAwsResourcesOnly S/FromParameter',
      'KmsGovernance-IamNoDecryptOnAllKeys S/FromParameter',
      'KmsGovernance-IamNoDecryptOnAllKeys S/Managed',
      'KmsGovernance-LogGroupCustomerManagedKey S/Logs',
      'KmsGovernance-S3BucketCustomerManagedKey S/Bucket',
    ]);
  });
});
