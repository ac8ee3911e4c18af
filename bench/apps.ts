/**
 * The apps the benchmarks synthesize: each library construct, and what a user would write by hand
 * to get the same resources and the same policies.
 *
 * Where it is possible, the hand-built variant creates its resources at the same construct paths
 * as the library, so that the logical ids, and so the whole templates, can be compared:
 * `compareTemplates` proves in every run that the variants really are equivalent.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, CustomResource, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EncryptedSecureStringParam, SecureStringValue } from '../src/encrypted-secure-string-param';
import { EnvelopeEncryptedBucket } from '../src/envelope-encrypted-bucket';
import { ManagedCmk } from '../src/managed-cmk';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const ENV = { account: '123456789012', region: 'us-east-1' };
export const STACK_NAME = 'Bench';

/**
 * Context for the timed apps: the stack resource limit (500) is lifted so that variants that
 * overflow it (the L2 key at 240 keys: 510 resources) can still be timed. Every variant gets the
 * same context. The template economy section checks the real limits separately.
 */
export const NO_RESOURCE_LIMIT = { '@aws-cdk/core:stackResourceLimit': 0 };

export type Builder = (stack: Stack, n: number) => void;

export interface Variant {
  readonly id: string;
  readonly label: string;
  readonly build: Builder;
}

export function newApp(outdir: string, context: Record<string, unknown> = {}): { app: App; stack: Stack } {
  const app = new App({ outdir, context });
  const stack = new Stack(app, STACK_NAME, { env: ENV });
  return { app, stack };
}

// ---------------------------------------------------------------------------------------------
// The hand-written policy parts. Deliberately copied here, not imported from src: the floor is
// what a user writes by hand, and the template comparison proves the copy matches.
// ---------------------------------------------------------------------------------------------

const HAND_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DescribeKey', 'kms:DisableKey',
  'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus',
  'kms:ListAliases', 'kms:ListGrants', 'kms:ListKeyPolicies', 'kms:ListKeyRotations', 'kms:ListResourceTags',
  'kms:PutKeyPolicy', 'kms:ReplicateKey', 'kms:RevokeGrant', 'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion',
  'kms:TagResource', 'kms:UntagResource', 'kms:UpdateAlias', 'kms:UpdateKeyDescription', 'kms:UpdatePrimaryRegion',
];
const HAND_USAGE_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
const ROOT_PRINCIPAL = { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ENV.account}:root`]] } };
const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

function rootAdministration(): Record<string, unknown> {
  return { Action: HAND_ADMIN_ACTIONS, Effect: 'Allow', Principal: ROOT_PRINCIPAL, Resource: '*', Sid: 'KeyRootAdministration' };
}

/** The key properties of a default ManagedCmk, written out. */
function handKeyProps(policy: unknown, description?: string): kms.CfnKeyProps {
  return {
    description,
    enableKeyRotation: true,
    enabled: true,
    keyPolicy: policy,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    pendingWindowInDays: 30,
    rotationPeriodInDays: 365,
  };
}

/** Two roles shared by every key of an app: one administers the keys, one uses them. */
function keyRoles(stack: Stack): { admin: iam.Role; user: iam.Role } {
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { admin, user };
}

// ---------------------------------------------------------------------------------------------
// 1. Keys: N keys with 1 administrator role and 1 user role (the roles are shared)
// ---------------------------------------------------------------------------------------------

/** (a) the library. */
export const keysManagedCmk: Builder = (stack, n) => {
  const { admin, user } = keyRoles(stack);
  for (let i = 0; i < n; i++) {
    new ManagedCmk(stack, `Key${i}`, { alias: `bench/key-${i}`, administrators: [admin], users: [user] });
  }
};

/**
 * (b) CDK's L2 the idiomatic way: `admins` and `grantEncryptDecrypt`, and the ManagedCmk defaults
 * spelled out (rotation every 365 days, 30-day pending window, retained). With the default feature
 * flags (`@aws-cdk/aws-kms:defaultKeyPolicies` is always on in CDK v2) the key policy is the AWS
 * default (`kms:*` to the account root), and both grants land in the roles' identity policies: one
 * `AWS::IAM::Policy` per role, which CDK splits into `AWS::IAM::ManagedPolicy` "OverflowPolicy"
 * resources once it grows past the IAM size limits.
 */
export const keysL2: Builder = (stack, n) => {
  const { admin, user } = keyRoles(stack);
  for (let i = 0; i < n; i++) {
    const key = new kms.Key(stack, `Key${i}`, {
      alias: `bench/key-${i}`,
      admins: [admin],
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.grantEncryptDecrypt(user);
  }
};

function handKeyPolicy(adminArn: string, userArn: string): Record<string, unknown> {
  return {
    Statement: [
      rootAdministration(),
      { Action: HAND_ADMIN_ACTIONS, Effect: 'Allow', Principal: { AWS: adminArn }, Resource: '*', Sid: 'KeyAdministration' },
      { Action: HAND_USAGE_ACTIONS, Effect: 'Allow', Principal: { AWS: userArn }, Resource: '*', Sid: 'KeyUsage' },
    ],
    Version: '2012-10-17',
  };
}

/**
 * (b′) the L2 given the very key policy ManagedCmk writes, as an explicit `policy`, with no grants.
 * This is as close to "the same policy" as the L2 gets: the template is identical to (a)'s.
 */
export const keysL2SamePolicy: Builder = (stack, n) => {
  const { admin, user } = keyRoles(stack);
  for (let i = 0; i < n; i++) {
    new kms.Key(stack, `Key${i}`, {
      alias: `bench/key-${i}`,
      policy: iam.PolicyDocument.fromJson(handKeyPolicy(admin.roleArn, user.roleArn)),
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enabled: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
};

/** (c) the floor: `CfnKey` + `CfnAlias` with the policy JSON written by hand, at ManagedCmk's paths. */
export const keysRaw: Builder = (stack, n) => {
  const { admin, user } = keyRoles(stack);
  const adminArn = (admin.node.defaultChild as iam.CfnRole).attrArn;
  const userArn = (user.node.defaultChild as iam.CfnRole).attrArn;
  for (let i = 0; i < n; i++) {
    const scope = new Construct(stack, `Key${i}`);
    const key = new kms.CfnKey(scope, 'Resource', handKeyProps(handKeyPolicy(adminArn, userArn)));
    key.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new kms.CfnAlias(new Construct(scope, 'Alias'), 'Resource', { aliasName: `alias/bench/key-${i}`, targetKeyId: key.attrArn });
  }
};

/**
 * Reference point for the experiment: the floor (c), but with the policy built as an
 * `iam.PolicyDocument` of `PolicyStatement`s, as any construct that keeps a mutable policy does.
 * The difference to (c) is what CDK's IAM policy machinery costs by itself.
 */
export const keysRawPolicyDocument: Builder = (stack, n) => {
  const { admin, user } = keyRoles(stack);
  for (let i = 0; i < n; i++) {
    const scope = new Construct(stack, `Key${i}`);
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ sid: 'KeyRootAdministration', actions: HAND_ADMIN_ACTIONS, resources: ['*'], principals: [new iam.AccountRootPrincipal()] }),
        new iam.PolicyStatement({ sid: 'KeyAdministration', actions: HAND_ADMIN_ACTIONS, resources: ['*'], principals: [admin] }),
        new iam.PolicyStatement({ sid: 'KeyUsage', actions: HAND_USAGE_ACTIONS, resources: ['*'], principals: [user] }),
      ],
    });
    const key = new kms.CfnKey(scope, 'Resource', handKeyProps(policy));
    key.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new kms.CfnAlias(new Construct(scope, 'Alias'), 'Resource', { aliasName: `alias/bench/key-${i}`, targetKeyId: key.attrArn });
  }
};

export const KEY_VARIANTS: Variant[] = [
  { id: 'a', label: '(a) ManagedCmk', build: keysManagedCmk },
  { id: 'b', label: '(b) L2 kms.Key, admins + grantEncryptDecrypt', build: keysL2 },
  { id: "b'", label: '(b′) L2 kms.Key, explicit policy (same template as a)', build: keysL2SamePolicy },
  { id: 'c', label: '(c) CfnKey + CfnAlias, hand-written policy', build: keysRaw },
];

// ---------------------------------------------------------------------------------------------
// 2a. Buckets: EnvelopeEncryptedBucket in its default configuration (its own key, a log bucket)
// ---------------------------------------------------------------------------------------------

export const bucketsLibrary: Builder = (stack, n) => {
  for (let i = 0; i < n; i++) new EnvelopeEncryptedBucket(stack, `Bucket${i}`);
};

/** The same by hand: an L2 key with the policy written out, two L2 buckets, the policy statements. */
export const bucketsHand: Builder = (stack, n) => {
  for (let i = 0; i < n; i++) {
    const scope = new Construct(stack, `Bucket${i}`);
    const key = new kms.Key(scope, 'Key', {
      description: `Encrypts the objects of ${scope.node.path}`,
      alias: `alias/envelope-bucket/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}`,
      policy: iam.PolicyDocument.fromJson({
        Statement: [
          rootAdministration(),
          { Action: 'kms:GenerateDataKey', Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Resource: '*', Sid: 'S3ServerAccessLogDelivery' },
        ],
        Version: '2012-10-17',
      }),
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enabled: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const common: s3.BucketProps = {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    const logsBucket = new s3.Bucket(scope, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ id: 'ExpireNoncurrentLogVersions', noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });
    const hash = createHash('sha256').update(`${STACK_NAME}/${scope.node.path}`).digest('hex').slice(0, 8);
    const bucketName = `kmsgov-${hash}-${ENV.account}-${ENV.region}`;
    const bucket = new s3.Bucket(scope, 'Bucket', {
      ...common,
      bucketName,
      lifecycleRules: [{ id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logsBucket.bucketName, logFilePrefix: 'access-logs/' };
    logsBucket.addToResourcePolicy(iam.PolicyStatement.fromJson({
      Sid: `S3ServerAccessLogs${createHash('sha256').update(scope.node.path).digest('hex').slice(0, 8).toUpperCase()}`,
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: logsBucket.arnForObjects('access-logs/*'),
      Condition: { ArnLike: { 'aws:SourceArn': partitionArn(`:s3:::${bucketName}`) }, StringEquals: { 'aws:SourceAccount': ENV.account } },
    }));
    // Both buckets refuse an upload that asks for another encryption or another key.
    for (const b of [bucket, logsBucket]) {
      const deny = (sid: string, header: string, value: unknown) => iam.PolicyStatement.fromJson({
        Sid: sid,
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:PutObject',
        Resource: b.arnForObjects('*'),
        Condition: { Null: { [header]: 'false' }, StringNotEquals: { [header]: value } },
      });
      b.addToResourcePolicy(deny('DenyOtherEncryption', 's3:x-amz-server-side-encryption', 'aws:kms'));
      b.addToResourcePolicy(deny('DenyOtherKey', 's3:x-amz-server-side-encryption-aws-kms-key-id', key.keyArn));
    }
  }
};

// ---------------------------------------------------------------------------------------------
// 2b. Parameters: N EncryptedSecureStringParam under one shared key, generated values
// ---------------------------------------------------------------------------------------------

export const paramsLibrary: Builder = (stack, n) => {
  const key = new ManagedCmk(stack, 'Key', { alias: 'bench/params' });
  for (let i = 0; i < n; i++) {
    new EncryptedSecureStringParam(stack, `Param${i}`, { key, parameterName: `/bench/param-${i}`, value: SecureStringValue.generated() });
  }
};

const HANDLER_ASSET = path.join(REPO_ROOT, 'assets', 'encrypted-secure-string-param.lambda');
const HANDLER_DESCRIPTION = 'Creates SSM SecureString parameters under KMS keys (cdk-kms-governance EncryptedSecureStringParam)';

/**
 * The same by hand: a key whose policy lists each parameter, the operational key, and one hardened
 * function (log group, dead-letter queue, role, customer managed policy) shared by N `CustomResource`s.
 */
export const paramsHand: Builder = (stack, n) => {
  if (n === 0) {
    // As the library: the key only, and no handler until the first parameter.
    new kms.Key(stack, 'Key', {
      alias: 'alias/bench/params',
      policy: iam.PolicyDocument.fromJson({ Statement: [rootAdministration()], Version: '2012-10-17' }),
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enabled: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return;
  }
  const handlerScope = new Construct(stack, 'KmsGovernanceSecureStringHandler');
  const role = new iam.Role(handlerScope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `${HANDLER_DESCRIPTION} (execution role)`,
  });
  const roleArn = role.roleArn;
  const paramArn = (i: number) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `bench/param-${i}` });
  const keyPolicy = (extra: unknown[]) => iam.PolicyDocument.fromJson({ Statement: [rootAdministration(), ...extra], Version: '2012-10-17' });
  const keyProps = {
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    pendingWindow: Duration.days(30),
    enabled: true,
    removalPolicy: RemovalPolicy.RETAIN,
  };

  const opKey = new kms.Key(stack, 'KmsGovernanceOperationalKey', {
    ...keyProps,
    alias: `alias/cdk-kms-governance/${STACK_NAME}/operations`,
    description: 'Encrypts the log groups, dead-letter queues and alarm topics of cdk-kms-governance in this stack',
    keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
    keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
    policy: keyPolicy([
      {
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': partitionArn(`:logs:${ENV.region}:${ENV.account}:log-group:*`) } },
        Effect: 'Allow',
        Principal: { Service: `logs.${ENV.region}.amazonaws.com` },
        Resource: '*',
        Sid: 'CloudWatchLogs',
      },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:ViaService': `sqs.${ENV.region}.amazonaws.com` } },
        Effect: 'Allow',
        Principal: { AWS: roleArn },
        Resource: '*',
        Sid: 'DeadLetterQueue',
      },
    ]),
  });
  const key = new kms.Key(stack, 'Key', {
    ...keyProps,
    alias: 'alias/bench/params',
    keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
    keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
    // One statement for every parameter: the encryption context may name any of their ARNs.
    policy: keyPolicy([{
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Condition: {
        StringEquals: {
          'kms:ViaService': `ssm.${ENV.region}.amazonaws.com`,
          'kms:EncryptionContext:PARAMETER_ARN': n === 1 ? paramArn(0) : Array.from({ length: n }, (_, i) => paramArn(i)),
        },
      },
      Effect: 'Allow',
      Principal: { AWS: roleArn },
      Resource: '*',
      Sid: 'SecureStringParameter',
    }]),
  });

  const logGroup = new logs.LogGroup(handlerScope, 'Logs', { encryptionKey: opKey, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  const dlq = new sqs.Queue(handlerScope, 'DeadLetters', { encryptionMasterKey: opKey, enforceSSL: true, retentionPeriod: Duration.days(14) });
  const policy = new iam.ManagedPolicy(handlerScope, 'Permissions', {
    description: `Permissions of: ${HANDLER_DESCRIPTION}`,
    roles: [role],
    document: iam.PolicyDocument.fromJson({
      Statement: [
        { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: logGroup.logGroupArn },
        { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: dlq.queueArn },
        {
          Action: ['ssm:AddTagsToResource', 'ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:ListTagsForResource', 'ssm:PutParameter'],
          Effect: 'Allow',
          Resource: Array.from({ length: n }, (_, i) => paramArn(i)),
        },
      ],
      Version: '2012-10-17',
    }),
  });
  const fn = new lambda.Function(handlerScope, 'Function', {
    description: HANDLER_DESCRIPTION,
    runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
    handler: 'index.handler',
    code: lambda.Code.fromAsset(HANDLER_ASSET),
    role: role.withoutPolicyUpdates({ addGrantsToResources: false }),
    memorySize: 256,
    timeout: Duration.minutes(2),
    reservedConcurrentExecutions: 1,
    deadLetterQueue: dlq,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    environment: { AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' },
  });
  fn.node.addDependency(policy);

  for (let i = 0; i < n; i++) {
    new CustomResource(new Construct(stack, `Param${i}`), 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::KmsGovernanceSecureString',
      properties: {
        ParameterName: `/bench/param-${i}`,
        KeyArn: key.keyArn,
        Tier: 'Standard',
        RemovalPolicy: 'retain',
        ValueSource: { Kind: 'generated', Length: '32', ExcludeCharacters: '', ExcludePunctuation: 'false' },
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
};

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

export interface TemplateFacts {
  /** The template as CloudFormation gets it. */
  readonly template: any;
  readonly resources: number;
  /** Bytes of the template file as synthesized (what the CDK CLI uploads). */
  readonly fileBytes: number;
  /** Bytes of the template as minified JSON. */
  readonly minifiedBytes: number;
  readonly types: Record<string, number>;
}

export function readTemplate(outdir: string, stackName = STACK_NAME): TemplateFacts {
  const file = path.join(outdir, `${stackName}.template.json`);
  const text = fs.readFileSync(file, 'utf8');
  const template = JSON.parse(text);
  const types: Record<string, number> = {};
  for (const r of Object.values<any>(template.Resources ?? {})) types[r.Type] = (types[r.Type] ?? 0) + 1;
  return {
    template,
    resources: Object.keys(template.Resources ?? {}).length,
    fileBytes: Buffer.byteLength(text, 'utf8'),
    minifiedBytes: Buffer.byteLength(JSON.stringify(template), 'utf8'),
    types,
  };
}

export interface Comparison {
  readonly identical: boolean;
  readonly sameTypes: boolean;
  /** Logical ids present in both templates whose resource differs. */
  readonly differing: string[];
  /** Logical ids present in only one of the two. */
  readonly onlyInOne: string[];
  readonly summary: string;
}

/**
 * Compare two templates resource by resource. `ignoreSids` compares policies without their statement
 * ids (the library suffixes a hash to repeated Sids; a hand-built policy numbers them).
 */
export function compareTemplates(a: TemplateFacts, b: TemplateFacts, ignoreSids = false): Comparison {
  const strip = (r: unknown) => (ignoreSids ? JSON.parse(JSON.stringify(r), (k, v) => (k === 'Sid' ? undefined : v)) : r);
  const ra = strip(a.template.Resources ?? {});
  const rb = strip(b.template.Resources ?? {});
  const ids = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  const differing: string[] = [];
  const onlyInOne: string[] = [];
  for (const id of ids) {
    if (!(id in ra) || !(id in rb)) onlyInOne.push(id);
    else if (canonical(ra[id]) !== canonical(rb[id])) differing.push(id);
  }
  const sameTypes = canonical(a.types) === canonical(b.types);
  const identical = differing.length === 0 && onlyInOne.length === 0;
  const summary = identical
    ? 'identical templates'
    : `${sameTypes ? 'same resource types and counts' : 'DIFFERENT resource types'}; ${differing.length} resource(s) differ` +
      `${differing.length ? ` (${differing.slice(0, 3).join(', ')}${differing.length > 3 ? ', …' : ''})` : ''}` +
      `${onlyInOne.length ? `; ${onlyInOne.length} logical id(s) in one template only` : ''}`;
  return { identical, sameTypes, differing, onlyInOne, summary };
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([p], [q]) => (p < q ? -1 : 1))) : val));
}
