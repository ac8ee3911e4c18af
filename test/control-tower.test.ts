import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  EbsDefaultEncryption,
  EncryptedSecureStringParam,
  EnvelopeEncryptedBucket,
  KeyAuditTrail,
  KeyHealthCanary,
  ManagedCmk,
  SecureStringValue,
} from '../src';
import { allConfigurations, CONTROL_TOWER_OPT_INS, ControlTowerFinding, controlTowerConfiguration, controlTowerFindings, libraryPaths, TEST_ENV } from './support';

/**
 * AWS Control Tower's proactive controls (cfn-guard, as @cdklabs/cdk-validator-cfnguard bundles
 * them) on what the library creates. An organization enforces them as CloudFormation hooks at
 * deployment, where no CDK acknowledgement applies.
 */
function onLibrary(app: App, findings: ControlTowerFinding[]): ControlTowerFinding[] {
  const paths = libraryPaths(app);
  return findings.filter((f) => paths.some((p) => f.path.startsWith(`${p}/`)));
}

describe('every construct in default and non-default configurations', () => {
  const app = allConfigurations();
  const findings = onLibrary(app, controlTowerFindings(app));

  test('no finding on any key the library creates (CT.KMS.PR.1, PR.2, PR.3)', () => {
    expect(findings.filter((f) => f.control.startsWith('CT.KMS.'))).toEqual([]);
  });

  test('the only findings on library resources are the controls that need the README prop, on the resource types it names', () => {
    const unexpected = findings.filter((f) => !CONTROL_TOWER_OPT_INS[f.control]?.types.includes(f.type));
    expect(unexpected).toEqual([]);
    // …and each of them really occurs by default, so the README list is not stale.
    expect([...new Set(findings.map((f) => f.control))].sort()).toEqual(Object.keys(CONTROL_TOWER_OPT_INS).sort());
  });

  test('the Control Tower configuration (the README props set) has no finding on a library resource', () => {
    const ct = new App();
    expect(onLibrary(ct, controlTowerFindings(controlTowerConfiguration(ct)))).toEqual([]);
  });
});

/** One control: a construct in its default configuration has the finding; with the README's prop it has none. */
const PER_CONTROL: Array<[string, (s: Stack, optIn: boolean) => void]> = [
  ['CT.LAMBDA.PR.3', (s, optIn) => {
    const vpc = optIn ? new ec2.Vpc(s, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) : undefined;
    const key = new ManagedCmk(s, 'Key', { alias: 'lambda' });
    new KeyHealthCanary(s, 'Canary', { key, vpc });
    new EbsDefaultEncryption(s, 'Ebs', { key, vpc });
    new EncryptedSecureStringParam(s, 'Param', { key, parameterName: '/p', value: SecureStringValue.generated(), vpc });
  }],
  ['CT.S3.PR.9', (s, optIn) => {
    const retention = optIn ? s3.ObjectLockRetention.compliance(Duration.days(30)) : undefined;
    const central = optIn ? s3.Bucket.fromBucketName(s, 'Central', 'central-logs') : undefined;
    new EnvelopeEncryptedBucket(s, 'Data', { objectLockRetention: retention, accessLogsBucket: central });
    new KeyAuditTrail(s, 'Audit', { objectLockRetention: retention, accessLogsBucket: central });
  }],
  ['CT.S3.PR.2', (s, optIn) => {
    const central = optIn ? s3.Bucket.fromBucketName(s, 'Central', 'central-logs') : undefined;
    new EnvelopeEncryptedBucket(s, 'Data', { accessLogsBucket: central });
    new KeyAuditTrail(s, 'Audit', { accessLogsBucket: central });
  }],
];

describe.each(PER_CONTROL)('%s: met by the README prop', (control, build) => {
  const findingsOf = (optIn: boolean) => {
    const app = new App();
    build(new Stack(app, `Ct${optIn ? 'On' : 'Off'}`, { env: TEST_ENV }), optIn);
    return onLibrary(app, controlTowerFindings(app)).filter((f) => f.control === control);
  };

  test('without it, the finding is there', () => {
    expect(findingsOf(false).length).toBeGreaterThan(0);
  });

  test('with it, it is gone', () => {
    expect(findingsOf(true)).toEqual([]);
  });
});

test('an RSA_2048 key for encryption, allowed explicitly, is what CT.KMS.PR.2 refuses', () => {
  const app = new App();
  const stack = new Stack(app, 'Rsa', { env: TEST_ENV });
  new ManagedCmk(stack, 'Rsa2048', { alias: 'rsa', keySpec: kms.KeySpec.RSA_2048, allowRsa2048Encryption: true });
  expect(controlTowerFindings(app).map((f) => f.control)).toEqual(['CT.KMS.PR.2']);
});

test('a key that allows grants outside AWS resources is what CT.KMS.PR.3 refuses', () => {
  const app = new App();
  const stack = new Stack(app, 'Grants', { env: TEST_ENV });
  new ManagedCmk(stack, 'Open', { alias: 'open', allowGrantsOutsideAwsResources: true });
  expect(controlTowerFindings(app).map((f) => f.control)).toEqual(['CT.KMS.PR.3']);
});
