import { createHash } from 'crypto';
import { matchesJsonFilterPattern, parseJsonFilterPattern } from './support';
import {
  CIS_4_7_KMS_PATTERN,
  GRANT_OUTSIDE_AWS_RESOURCES_PATTERN,
  KEY_POLICY_CHANGE_PATTERN,
  KEY_REENABLED_OR_ROTATION_OFF_PATTERN,
  keyEventsPattern,
  PENDING_DELETION_USE_PATTERN,
} from '../src/private/audit-patterns';

/*
 * Each metric-filter pattern of src/private/audit-patterns.ts, run over CloudTrail records shaped
 * like the ones KMS writes, must match exactly the dangerous records. Record shapes follow the
 * CloudTrail examples in the AWS KMS developer guide (https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html
 * and the per-operation pages ct-*.html), with the newer fields (managementEvent, eventCategory,
 * resources[].type, tlsDetails) that current trails carry.
 */

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const KEY_A = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const KEY_B = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type CloudTrailRecord = { [key: string]: Json };

function assumedRole(role: string, session: string, roleId: string): { [key: string]: Json } {
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: `ASIA${roleId.slice(4, 20)}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId, arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, accountId: ACCOUNT, userName: role },
      webIdFederationData: {},
      attributes: { creationDate: '2024-10-03T08:55:12Z', mfaAuthenticated: 'true' },
    },
  };
}

const KEY_ADMIN = assumedRole('KeyAdmin', 'alice', 'AROAEXAMPLEKEYADMIN01');
const ORDERS_SERVICE = assumedRole('OrdersService', 'orders-api-7f9c', 'AROAEXAMPLEORDERSSV02');
const DEVELOPER = assumedRole('Developer', 'dave', 'AROAEXAMPLEDEVELOPER3');
const IAM_USER_BOB = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEBOB000004',
  arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAEXAMPLEBOB000004',
  userName: 'bob',
};

/** A deterministic, UUID-shaped id for requestID / eventID. */
function fakeUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

interface KmsCall {
  readonly eventName: string;
  readonly keyArn: string;
  readonly eventTime: string;
  readonly userIdentity: { [key: string]: Json };
  readonly requestParameters: Json;
  readonly responseElements: Json;
  readonly readOnly: boolean;
  /** For a call an AWS service made: its service name, used as sourceIPAddress and userAgent. */
  readonly invokedBy?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly additionalEventData?: Json;
}

function kmsRecord(call: KmsCall): CloudTrailRecord {
  const direct = call.invokedBy === undefined;
  return {
    eventVersion: '1.10',
    userIdentity: direct ? call.userIdentity : { ...call.userIdentity, invokedBy: call.invokedBy! },
    eventTime: call.eventTime,
    eventSource: 'kms.amazonaws.com',
    eventName: call.eventName,
    awsRegion: REGION,
    sourceIPAddress: direct ? '198.51.100.23' : call.invokedBy!,
    userAgent: direct ? 'aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.9' : call.invokedBy!,
    ...(call.errorCode ? { errorCode: call.errorCode, errorMessage: call.errorMessage! } : {}),
    requestParameters: call.requestParameters,
    responseElements: call.responseElements,
    ...(call.additionalEventData ? { additionalEventData: call.additionalEventData } : {}),
    requestID: fakeUuid(`request:${call.eventName}:${call.keyArn}:${call.eventTime}`),
    eventID: fakeUuid(`event:${call.eventName}:${call.keyArn}:${call.eventTime}`),
    readOnly: call.readOnly,
    resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: call.keyArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...(direct ? { tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `kms.${REGION}.amazonaws.com` } } : {}),
  };
}

const adminCall = (eventName: string, keyArn: string, eventTime: string, requestParameters: Json, responseElements: Json = null) =>
  kmsRecord({ eventName, keyArn, eventTime, userIdentity: KEY_ADMIN, requestParameters, responseElements, readOnly: false });

const disableKey = (keyArn: string) => adminCall('DisableKey', keyArn, '2024-10-03T09:01:07Z', { keyId: keyArn });
const scheduleKeyDeletion = (keyArn: string) => adminCall('ScheduleKeyDeletion', keyArn, '2024-10-03T09:02:31Z',
  { keyId: keyArn, pendingWindowInDays: 30 },
  { keyId: keyArn, deletionDate: 'Nov 2, 2024, 12:00:00 AM', keyState: 'PendingDeletion', pendingWindowInDays: 30 });
const putKeyPolicy = (keyArn: string) => adminCall('PutKeyPolicy', keyArn, '2024-10-03T09:04:48Z', {
  keyId: keyArn,
  policyName: 'default',
  policy: JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-policy',
    Statement: [{ Sid: 'Enable IAM policies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
  }),
  bypassPolicyLockoutSafetyCheck: false,
});
const cancelKeyDeletion = (keyArn: string) => adminCall('CancelKeyDeletion', keyArn, '2024-10-03T09:06:02Z', { keyId: keyArn }, { keyId: keyArn });
const enableKey = (keyArn: string) => adminCall('EnableKey', keyArn, '2024-10-03T09:06:40Z', { keyId: keyArn });
const disableKeyRotation = (keyArn: string) => adminCall('DisableKeyRotation', keyArn, '2024-10-03T09:07:15Z', { keyId: keyArn });
const enableKeyRotation = (keyArn: string) => adminCall('EnableKeyRotation', keyArn, '2024-10-03T09:07:58Z', { keyId: keyArn, rotationPeriodInDays: 365 });

const ORDERS_CONTEXT = { 'app:table': 'orders', 'app:purpose': 'db-password' };

/** The records on key A, one per case of the brief. */
const RECORDS: Record<string, CloudTrailRecord> = {
  'DisableKey': disableKey(KEY_A),
  'ScheduleKeyDeletion': scheduleKeyDeletion(KEY_A),
  'Decrypt on a key pending deletion': kmsRecord({
    eventName: 'Decrypt',
    keyArn: KEY_A,
    eventTime: '2024-10-03T09:03:12Z',
    userIdentity: ORDERS_SERVICE,
    errorCode: 'KMSInvalidStateException',
    errorMessage: `${KEY_A} is pending deletion.`,
    requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: ORDERS_CONTEXT },
    responseElements: null,
    readOnly: true,
  }),
  'PutKeyPolicy': putKeyPolicy(KEY_A),
  'Decrypt': kmsRecord({
    eventName: 'Decrypt',
    keyArn: KEY_A,
    eventTime: '2024-10-03T08:58:40Z',
    userIdentity: ORDERS_SERVICE,
    requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: ORDERS_CONTEXT },
    responseElements: null,
    additionalEventData: { keyMaterialId: '2b0cf7d7c8f5a1c3e0d9b46a7f3e21c05d8b9a6e4f1c2d3b7a8e9f0a1b2c3d4e' },
    readOnly: true,
  }),
  'DescribeKey': kmsRecord({
    eventName: 'DescribeKey',
    keyArn: KEY_A,
    eventTime: '2024-10-03T08:57:03Z',
    userIdentity: KEY_ADMIN,
    requestParameters: { keyId: 'alias/orders' },
    responseElements: null,
    readOnly: true,
  }),
  // Amazon EC2 creating the grant for an encrypted EBS volume while a developer launches an
  // instance. Shape of current records: the caller's identity with invokedBy set to EC2's front
  // end, which is also sourceIPAddress and userAgent; retiringPrincipal is EC2 and the grant is
  // constrained to the volume's aws:ebs:id. Sources: the CreateGrant record in "Managing AWS KMS
  // keys for Fargate ephemeral storage" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-managing-kms-key.html),
  // and a console capture of an EBS volume attach published on GitHub (2026, eventVersion 1.11).
  // Note the value is "ec2-frontend-api.amazonaws.com", not "ec2.amazonaws.com".
  'CreateGrant by EC2 for an EBS volume': kmsRecord({
    eventName: 'CreateGrant',
    keyArn: KEY_A,
    eventTime: '2024-10-03T08:59:25Z',
    userIdentity: DEVELOPER,
    invokedBy: 'ec2-frontend-api.amazonaws.com',
    requestParameters: {
      constraints: { encryptionContextSubset: { 'aws:ebs:id': 'vol-0a1b2c3d4e5f67890' } },
      retiringPrincipal: `ec2.${REGION}.amazonaws.com`,
      operations: ['Decrypt'],
      keyId: KEY_A,
      granteePrincipal: `arn:aws:sts::${ACCOUNT}:assumed-role/aws:ec2-infrastructure/i-0123456789abcdef0`,
    },
    responseElements: { grantId: 'd0c79b0dd35cdb5284835fd1805d64afea998325a5cad1c6753f67a9d284fe3e', keyId: KEY_A },
    readOnly: false,
  }),
  'CreateGrant by a user': kmsRecord({
    eventName: 'CreateGrant',
    keyArn: KEY_A,
    eventTime: '2024-10-03T09:00:14Z',
    userIdentity: IAM_USER_BOB,
    requestParameters: {
      keyId: KEY_A,
      granteePrincipal: 'arn:aws:iam::444455556666:role/ExternalReader',
      operations: ['Decrypt', 'DescribeKey'],
    },
    responseElements: { grantId: 'f020fe75197b93991dc8491d6f19dd3cebb24ee62277a05914386724f3d48758', keyId: KEY_A },
    readOnly: false,
  }),
  'CancelKeyDeletion': cancelKeyDeletion(KEY_A),
  'EnableKey': enableKey(KEY_A),
  'DisableKeyRotation': disableKeyRotation(KEY_A),
  'EnableKeyRotation': enableKeyRotation(KEY_A),
};

/** The same dangerous changes on another key, for the per-key pattern. */
const KEY_B_RECORDS: Record<string, CloudTrailRecord> = {
  'DisableKey on key B': disableKey(KEY_B),
  'ScheduleKeyDeletion on key B': scheduleKeyDeletion(KEY_B),
  'PutKeyPolicy on key B': putKeyPolicy(KEY_B),
  'DisableKeyRotation on key B': disableKeyRotation(KEY_B),
  'CancelKeyDeletion on key B': cancelKeyDeletion(KEY_B),
};

/** The names of the records that the pattern matches, fed to it as the JSON text CloudWatch Logs receives. */
function matchedBy(pattern: string, records: Record<string, CloudTrailRecord>): string[] {
  return Object.entries(records)
    .filter(([, record]) => matchesJsonFilterPattern(pattern, JSON.stringify(record)))
    .map(([name]) => name)
    .sort();
}

describe('CloudTrail fixtures', () => {
  test.each(Object.entries({ ...RECORDS, ...KEY_B_RECORDS }))('%s has the fields of a KMS management event', (name, record) => {
    expect(record).toMatchObject({
      eventVersion: expect.stringMatching(/^1\.\d+$/),
      userIdentity: { type: expect.any(String), accountId: ACCOUNT, arn: expect.stringMatching(/^arn:aws:(iam|sts)::111122223333:/) },
      eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      eventSource: 'kms.amazonaws.com',
      eventName: name.split(' ')[0],
      awsRegion: REGION,
      sourceIPAddress: expect.any(String),
      requestParameters: expect.any(Object),
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: name.endsWith('key B') ? KEY_B : KEY_A }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
    });
    expect(record).toHaveProperty('responseElements');
    expect('errorCode' in record).toBe(name === 'Decrypt on a key pending deletion');
    expect('invokedBy' in (record.userIdentity as object)).toBe(name === 'CreateGrant by EC2 for an EBS volume');
  });
});

describe('each pattern matches exactly the dangerous records', () => {
  test.each<[string, string, string[]]>([
    ['CIS_4_7_KMS_PATTERN', CIS_4_7_KMS_PATTERN, ['DisableKey', 'ScheduleKeyDeletion']],
    ['PENDING_DELETION_USE_PATTERN', PENDING_DELETION_USE_PATTERN, ['Decrypt on a key pending deletion']],
    ['KEY_POLICY_CHANGE_PATTERN', KEY_POLICY_CHANGE_PATTERN, ['PutKeyPolicy']],
    ['GRANT_OUTSIDE_AWS_RESOURCES_PATTERN', GRANT_OUTSIDE_AWS_RESOURCES_PATTERN, ['CreateGrant by a user']],
    ['KEY_REENABLED_OR_ROTATION_OFF_PATTERN', KEY_REENABLED_OR_ROTATION_OFF_PATTERN, ['CancelKeyDeletion', 'DisableKeyRotation', 'EnableKey']],
    ['keyEventsPattern(key A)', keyEventsPattern(KEY_A), ['CancelKeyDeletion', 'DisableKey', 'DisableKeyRotation', 'EnableKey', 'PutKeyPolicy', 'ScheduleKeyDeletion']],
  ])('%s', (_name, pattern, expected) => {
    expect(matchedBy(pattern, RECORDS)).toEqual([...expected].sort());
  });

  test('keyEventsPattern is scoped to its key: key A never matches key B records, and key B only matches them', () => {
    expect(matchedBy(keyEventsPattern(KEY_A), KEY_B_RECORDS)).toEqual([]);
    expect(matchedBy(keyEventsPattern(KEY_B), { ...RECORDS, ...KEY_B_RECORDS })).toEqual(Object.keys(KEY_B_RECORDS).sort());
  });

  test('the account-wide patterns are not scoped to a key', () => {
    expect(matchedBy(CIS_4_7_KMS_PATTERN, KEY_B_RECORDS)).toEqual(['DisableKey on key B', 'ScheduleKeyDeletion on key B']);
    expect(matchedBy(KEY_POLICY_CHANGE_PATTERN, KEY_B_RECORDS)).toEqual(['PutKeyPolicy on key B']);
    expect(matchedBy(KEY_REENABLED_OR_ROTATION_OFF_PATTERN, KEY_B_RECORDS)).toEqual(['CancelKeyDeletion on key B', 'DisableKeyRotation on key B']);
  });

  test('every pattern parses under the documented syntax', () => {
    for (const pattern of [
      CIS_4_7_KMS_PATTERN, PENDING_DELETION_USE_PATTERN, KEY_POLICY_CHANGE_PATTERN,
      GRANT_OUTSIDE_AWS_RESOURCES_PATTERN, KEY_REENABLED_OR_ROTATION_OFF_PATTERN, keyEventsPattern(KEY_A),
    ]) {
      expect(() => parseJsonFilterPattern(pattern)).not.toThrow();
    }
  });
});

describe('CIS_4_7_KMS_PATTERN', () => {
  test('is the CIS AWS Foundations Benchmark 4.7 pattern byte for byte (Security Hub CloudWatch.7 compares the string)', () => {
    expect(CIS_4_7_KMS_PATTERN).toBe('{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }');
  });

  test('needs the KMS event source, not just the event name', () => {
    const lookalike = { ...RECORDS.DisableKey, eventSource: 'kms-lookalike.amazonaws.com' };
    expect(matchesJsonFilterPattern(CIS_4_7_KMS_PATTERN, lookalike)).toBe(false);
  });
});

describe('PENDING_DELETION_USE_PATTERN', () => {
  // https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-creating-cloudwatch-alarm.html
  test('only the "<key ARN> is pending deletion." message counts, not other errors on the same operations', () => {
    const disabled = { ...RECORDS['Decrypt on a key pending deletion'], errorMessage: `${KEY_A} is disabled.` };
    const denied = { ...RECORDS['Decrypt on a key pending deletion'], errorCode: 'AccessDenied', errorMessage: 'User is not authorized to perform: kms:Decrypt' };
    expect(matchesJsonFilterPattern(PENDING_DELETION_USE_PATTERN, disabled)).toBe(false);
    expect(matchesJsonFilterPattern(PENDING_DELETION_USE_PATTERN, denied)).toBe(false);
  });
});

describe('GRANT_OUTSIDE_AWS_RESOURCES_PATTERN and service-made grants', () => {
  test('a grant that an AWS service makes as itself (userIdentity.type AWSService) does not match', () => {
    // The CreateGrant record of https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-managing-kms-key.html
    const fargate = {
      ...RECORDS['CreateGrant by EC2 for an EBS volume'],
      userIdentity: { type: 'AWSService', invokedBy: 'ec2-frontend-api.amazonaws.com' },
    };
    expect(matchesJsonFilterPattern(GRANT_OUTSIDE_AWS_RESOURCES_PATTERN, fargate)).toBe(false);
  });

  test('the pattern only looks at invokedBy: with it removed, the EC2-for-EBS grant matches', () => {
    const withoutInvokedBy = { ...RECORDS['CreateGrant by EC2 for an EBS volume'], userIdentity: DEVELOPER };
    expect(matchesJsonFilterPattern(GRANT_OUTSIDE_AWS_RESOURCES_PATTERN, withoutInvokedBy)).toBe(true);
  });

  // REPORTED, NOT FIXED (src/ is out of scope here): the AWS KMS developer guide prints the
  // CreateGrant that Amazon EC2 makes for an EBS volume *without* userIdentity.invokedBy
  // (https://docs.aws.amazon.com/kms/latest/developerguide/ct-ec2two.html: an IAMUser identity,
  // userAgent "AWS Internal", granteePrincipal "<account>:aws:ec2-infrastructure:<instance>").
  // If any service still logs grants that way, the pattern raises a false alarm for each one.
  // This test pins the current behaviour so that a change to the pattern is noticed.
  test('known gap: matches the EC2-for-EBS CreateGrant as the KMS developer guide prints it', () => {
    const asDocumented = {
      eventVersion: '1.02',
      userIdentity: { type: 'IAMUser', principalId: 'EX_PRINCIPAL_ID', arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, accountId: ACCOUNT, accessKeyId: 'EXAMPLE_KEY_ID', userName: 'Alice' },
      eventTime: '2014-11-05T21:35:35Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'CreateGrant',
      awsRegion: 'us-west-2',
      sourceIPAddress: '192.0.2.0',
      userAgent: 'AWS Internal',
      requestParameters: {
        constraints: { encryptionContextSubset: { 'aws:ebs:id': 'vol-f67bafb2' } },
        granteePrincipal: `${ACCOUNT}:aws:ec2-infrastructure:i-81e2f56c`,
        keyId: `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      },
      responseElements: { grantId: 'abcde1237f76e4ba7987489ac329fbfba6ad343d6f7075dbd1ef191f0120514a' },
      requestID: '41c4b4f7-8bce-4773-bf0e-5ae3bb5cbce2',
      eventID: 'c1ad79e3-0d3f-402a-b119-d5c31d7c6a6c',
      readOnly: false,
      resources: [{ ARN: `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, accountId: ACCOUNT }],
      eventType: 'AwsApiCall',
      recipientAccountId: ACCOUNT,
    };
    expect(matchesJsonFilterPattern(GRANT_OUTSIDE_AWS_RESOURCES_PATTERN, asDocumented)).toBe(true);
    // An earlier revision of the same page had "invokedBy": "AWS Internal", which the pattern excludes.
    const earlierRevision = { ...asDocumented, userIdentity: { ...asDocumented.userIdentity, invokedBy: 'AWS Internal' }, sourceIPAddress: 'AWS Internal' };
    expect(matchesJsonFilterPattern(GRANT_OUTSIDE_AWS_RESOURCES_PATTERN, earlierRevision)).toBe(false);
  });
});
