import { App, CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ManagedCmk, ManagedCmkReplica, RootAccess } from '../../../src';
import { ROOT_PRINCIPAL, TEST_ENV, firing } from '../../support';

/** ReplicaKeyPolicyNotWeaker: a multi-Region replica's key policy gives nothing its primary's withholds. */

const RULE = 'ReplicaKeyPolicyNotWeaker';
const ROOT_ADMIN = { Sid: 'Root', Effect: 'Allow', Principal: ROOT_PRINCIPAL, Action: ['kms:PutKeyPolicy', 'kms:DescribeKey', 'kms:ScheduleKeyDeletion'], Resource: '*' };
const ROOT_FULL = { Sid: 'Root', Effect: 'Allow', Principal: ROOT_PRINCIPAL, Action: 'kms:*', Resource: '*' };
const DENY_GRANTS = {
  Sid: 'DenyGrants',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};
const viaS3 = (region: string) => ({
  Sid: 'ViaS3',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::123456789012:role/app' },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
  Resource: '*',
  Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
});
const PRIMARY_POLICY = [ROOT_ADMIN, DENY_GRANTS, viaS3('us-east-1')];

/** A primary key in us-east-1 and its replica in eu-west-1, related by reference (crossRegionReferences). */
function pair(replicaStatements: unknown, primaryStatements: unknown = PRIMARY_POLICY) {
  const app = new App();
  const primaryStack = new Stack(app, 'Primary', { env: TEST_ENV, crossRegionReferences: true });
  const replicaStack = new Stack(app, 'Replica', { env: { ...TEST_ENV, region: 'eu-west-1' }, crossRegionReferences: true });
  const primary = new kms.CfnKey(primaryStack, 'Key', { multiRegion: true, enableKeyRotation: true, keyPolicy: { Statement: primaryStatements } });
  new kms.CfnReplicaKey(replicaStack, 'Replica', { primaryKeyArn: primary.attrArn, keyPolicy: { Statement: replicaStatements } });
  return { app, primaryStack, replicaStack, primary };
}

test('compliant: the same policy with the Region changed; a narrower condition; a role of the replica\'s Region added; a literal primary ARN', () => {
  expect(firing(pair([ROOT_ADMIN, DENY_GRANTS, viaS3('eu-west-1')]).app, RULE)).toEqual([]);
  const narrower = { ...viaS3('eu-west-1'), Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:CallerAccount': '123456789012' } } };
  expect(firing(pair([ROOT_ADMIN, DENY_GRANTS, narrower]).app, RULE)).toEqual([]);
  const regional = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/eu-app' }, Action: 'kms:Decrypt', Resource: '*' };
  expect(firing(pair([ROOT_ADMIN, DENY_GRANTS, viaS3('eu-west-1'), regional]).app, RULE)).toEqual([]);
  const { app, replicaStack } = pair([ROOT_FULL]);
  new kms.CfnReplicaKey(replicaStack, 'Literal', { primaryKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab', keyPolicy: { Statement: [ROOT_FULL] } });
  expect(firing(app, RULE)).toEqual(['Replica/Replica']);
});

test('compliant: ManagedCmkReplica of a ManagedCmk, with the same settings', () => {
  const app = new App();
  const primaryStack = new Stack(app, 'Primary', { env: TEST_ENV, crossRegionReferences: true });
  const replicaStack = new Stack(app, 'Replica', { env: { ...TEST_ENV, region: 'eu-west-1' }, crossRegionReferences: true });
  const primary = new ManagedCmk(primaryStack, 'Key', { alias: 'data', multiRegion: true });
  new ManagedCmkReplica(replicaStack, 'Key', { primaryKey: primary, alias: 'data' });
  expect(firing(app, RULE)).toEqual([]);
});

test('non-compliant: the root gets kms:*, a Deny is dropped, a condition is dropped, everyone is added, ManagedCmkReplica with RootAccess.FULL', () => {
  expect(firing(pair([ROOT_FULL, DENY_GRANTS, viaS3('eu-west-1')]).app, RULE)).toEqual(['Replica/Replica']);
  expect(firing(pair([ROOT_ADMIN, viaS3('eu-west-1')]).app, RULE)).toEqual(['Replica/Replica']);
  expect(firing(pair([ROOT_ADMIN, DENY_GRANTS, { ...viaS3('eu-west-1'), Condition: undefined }]).app, RULE)).toEqual(['Replica/Replica']);
  const otherService = { ...viaS3('eu-west-1'), Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } } };
  expect(firing(pair([ROOT_ADMIN, DENY_GRANTS, otherService]).app, RULE)).toEqual(['Replica/Replica']);
  const everyone = { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } };
  expect(firing(pair([ROOT_ADMIN, DENY_GRANTS, viaS3('eu-west-1'), everyone]).app, RULE)).toEqual(['Replica/Replica']);

  const app = new App();
  const primaryStack = new Stack(app, 'Primary', { env: TEST_ENV, crossRegionReferences: true });
  const replicaStack = new Stack(app, 'Replica', { env: { ...TEST_ENV, region: 'eu-west-1' }, crossRegionReferences: true });
  const primary = new ManagedCmk(primaryStack, 'Key', { alias: 'data', multiRegion: true });
  new ManagedCmkReplica(replicaStack, 'Key', { primaryKey: primary, alias: 'data', rootAccess: RootAccess.FULL });
  expect(firing(app, RULE)).toEqual(['Replica/Key/Resource']);
});

test('token: a condition value from a parameter cannot be shown to be as narrow, and is a finding; a principal from a parameter is a new principal', () => {
  const { app, replicaStack } = pair([ROOT_ADMIN, DENY_GRANTS, viaS3('eu-west-1')]);
  const param = new CfnParameter(replicaStack, 'Service');
  const fromParam = { ...viaS3('eu-west-1'), Condition: { StringEquals: { 'kms:ViaService': param.valueAsString } } };
  const replica = replicaStack.node.findChild('Replica') as kms.CfnReplicaKey;
  replica.keyPolicy = { Statement: [ROOT_ADMIN, DENY_GRANTS, fromParam] };
  expect(firing(app, RULE)).toEqual(['Replica/Replica']);
  replica.keyPolicy = { Statement: [ROOT_ADMIN, DENY_GRANTS, viaS3('eu-west-1'), { Effect: 'Allow', Principal: { AWS: param.valueAsString }, Action: 'kms:Decrypt', Resource: '*' }] };
  expect(firing(app, RULE)).toEqual([]);
});

test('Fn::If: a replica branch that drops the Deny is a finding; every primary branch is a baseline', () => {
  const { app, replicaStack, primaryStack, primary } = pair([]);
  const condition = new CfnCondition(replicaStack, 'IsProd', { expression: Fn.conditionEquals(Fn.ref('AWS::Region'), 'eu-west-1') });
  const replica = replicaStack.node.findChild('Replica') as kms.CfnReplicaKey;
  replica.keyPolicy = { Statement: [ROOT_ADMIN, Fn.conditionIf(condition.logicalId, DENY_GRANTS, Fn.ref('AWS::NoValue')), viaS3('eu-west-1')] };
  expect(firing(app, RULE)).toEqual(['Replica/Replica']);
  replica.keyPolicy = { Statement: [ROOT_ADMIN, Fn.conditionIf(condition.logicalId, DENY_GRANTS, DENY_GRANTS), viaS3('eu-west-1')] };
  expect(firing(app, RULE)).toEqual([]);
  // The primary without the Deny in one branch: the replica is compared with each branch, and the
  // branch with the Deny still makes a replica without it weaker.
  const strict = new CfnCondition(primaryStack, 'Strict', { expression: Fn.conditionEquals(Fn.ref('AWS::Region'), 'us-east-1') });
  primary.keyPolicy = { Statement: [ROOT_ADMIN, Fn.conditionIf(strict.logicalId, DENY_GRANTS, Fn.ref('AWS::NoValue')), viaS3('us-east-1')] };
  replica.keyPolicy = { Statement: [ROOT_ADMIN, viaS3('eu-west-1')] };
  expect(firing(app, RULE)).toEqual(['Replica/Replica']);
});
