import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildExampleApp } from '../examples/app';
import {
  EbsDefaultEncryption,
  EncryptedSecureStringParam,
  EnvelopeEncryptedBucket,
  KeyAdminRole,
  KeyAuditorRole,
  KeyAuditTrail,
  KeyHealthCanary,
  ManagedCmk,
  ManagedCmkReplica,
  SecureStringValue,
} from '../src';
import { ACKNOWLEDGEMENTS } from './support/acknowledgements';
import { acknowledgementFor, Finding, findings } from './support/compliance';
import { TEST_ENV } from './support/stacks';

/**
 * The central acknowledgement list, held exactly: every construct in its default configuration and
 * the example app, checked by every pack. A finding that no acknowledgement covers fails, and so
 * does an acknowledgement that no longer matches any finding (a stale reason hides nothing, but it
 * claims something that is no longer true).
 */
function defaultConfigurations(): App {
  const app = new App();
  const stack = (id: string, env = TEST_ENV) => new Stack(app, id, { env });
  const account = new iam.AccountPrincipal(TEST_ENV.account);

  new ManagedCmk(stack('ManagedCmkDefault'), 'Key', { alias: 'default' });
  new KeyAdminRole(stack('KeyAdminRoleDefault'), 'Admins', { assumedBy: account });
  new KeyAuditorRole(stack('KeyAuditorRoleDefault'), 'Auditor', { assumedBy: account });
  new EnvelopeEncryptedBucket(stack('EnvelopeEncryptedBucketDefault'), 'Data');
  new KeyAuditTrail(stack('KeyAuditTrailDefault'), 'Audit');
  const canaryStack = stack('KeyHealthCanaryDefault');
  new KeyHealthCanary(canaryStack, 'Canary', { key: new ManagedCmk(canaryStack, 'Key', { alias: 'canary' }) });
  const primary = new ManagedCmk(stack('ReplicaPrimary'), 'Key', { alias: 'replicated', multiRegion: true });
  new ManagedCmkReplica(stack('ManagedCmkReplicaDefault', { ...TEST_ENV, region: 'eu-west-1' }), 'Key', {
    primaryKey: primary,
    primaryKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    alias: 'replicated',
  });
  const ebsStack = stack('EbsDefaultEncryptionDefault');
  new EbsDefaultEncryption(ebsStack, 'EbsDefault', { key: new ManagedCmk(ebsStack, 'Key', { alias: 'ebs' }) });
  const paramStack = stack('EncryptedSecureStringParamDefault');
  new EncryptedSecureStringParam(paramStack, 'Param', {
    key: new ManagedCmk(paramStack, 'Key', { alias: 'params' }),
    parameterName: '/app/db/password',
    value: SecureStringValue.generated(),
  });
  buildExampleApp(app, TEST_ENV);
  app.synth();
  return app;
}

describe('compliance of every construct in its default configuration, and of the example app', () => {
  const all: Finding[] = findings(defaultConfigurations());

  test('no finding without an acknowledgement', () => {
    expect(all.filter((f) => acknowledgementFor(f) === undefined).map((f) => `${f.id} on ${f.path}`)).toEqual([]);
  });

  test('no acknowledgement without a finding', () => {
    const used = new Set(all.map((f) => acknowledgementFor(f)));
    expect(ACKNOWLEDGEMENTS.filter((a) => !used.has(a)).map((a) => `${a.id} ${a.path}`)).toEqual([]);
  });

  test('every acknowledgement is finding-level and gives a reason', () => {
    for (const a of ACKNOWLEDGEMENTS) {
      expect(a.reason.length).toBeGreaterThan(40);
      if (a.id.startsWith('AwsSolutions-IAM')) expect(a.id).toMatch(/\[.+\]$/);
    }
  });
});
