/**
 * The app of test/handlers/lifecycle.test.ts, deployed with the real CDK CLI to the local AWS.
 * `-c lifecycle:phase=2` is the same app changed: the SecureString's description and the name of
 * its second parameter, and the default EBS key.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { BucketNaming, EbsDefaultEncryption, EncryptedSecureStringParam, EnvelopeEncryptedBucket, ManagedCmk, SecureStringValue } from '../../src';

/** The stack names, account and Region the test expects. */
export const LIFECYCLE = {
  account: '123456789012',
  region: 'us-east-1',
  params: 'KmsGovLifecycleParams',
  ebs: 'KmsGovLifecycleEbs',
  bucketPerInstance: 'KmsGovLifecycleBucketPerInstance',
  bucketFixed: 'KmsGovLifecycleBucketFixed',
  kept: '/kms-governance/lifecycle/kept',
  renamed: (phase: number) => `/kms-governance/lifecycle/renamed-${phase}`,
} as const;

function build(app: App, phase: number): void {
  const env = { account: LIFECYCLE.account, region: LIFECYCLE.region };

  const params = new Stack(app, LIFECYCLE.params, { env });
  const key = new ManagedCmk(params, 'Key', { alias: 'lifecycle/params' });
  new EncryptedSecureStringParam(params, 'Kept', {
    key,
    parameterName: LIFECYCLE.kept,
    description: phase === 1 ? 'first' : 'second',
    value: SecureStringValue.generated({ length: 24, excludePunctuation: true }),
  });
  new EncryptedSecureStringParam(params, 'Renamed', {
    key,
    parameterName: LIFECYCLE.renamed(phase),
    value: SecureStringValue.generated({ length: 20, excludePunctuation: true }),
    removalPolicy: RemovalPolicy.DESTROY,
  });

  const ebs = new Stack(app, LIFECYCLE.ebs, { env });
  const first = new ManagedCmk(ebs, 'First', { alias: 'lifecycle/ebs-first' });
  const second = new ManagedCmk(ebs, 'Second', { alias: 'lifecycle/ebs-second' });
  new EbsDefaultEncryption(ebs, 'EbsDefault', { key: phase === 1 ? first : second, autoScaling: false });

  new EnvelopeEncryptedBucket(new Stack(app, LIFECYCLE.bucketPerInstance, { env }), 'Data', { bucketNaming: BucketNaming.STACK_INSTANCE });
  new EnvelopeEncryptedBucket(new Stack(app, LIFECYCLE.bucketFixed, { env }), 'Data');
}

if (require.main === module) {
  const app = new App({ stackTraces: false });
  build(app, Number(app.node.tryGetContext('lifecycle:phase') ?? '1'));
  app.synth();
}
