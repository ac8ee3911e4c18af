/**
 * EbsDefaultEncryption deployed: encryption by default is on and the account's default EBS key is
 * the ManagedCmk. IMPORTANT on a real account: this changes the account-and-Region setting while the
 * test runs; on destroy the default key is reset and encryption by default stays on.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { EbsDefaultEncryption, ManagedCmk } from '../src';

// No creation stack traces in the snapshots: they hold local paths and line numbers.
const app = new App({ stackTraces: false });
const stack = new Stack(app, 'KmsGovEbs');
const key = new ManagedCmk(stack, 'Key', { alias: 'integ/ebs' });
// autoScaling: false, so that the test deploys in accounts without the Auto Scaling
// service-linked role (KMS refuses a key policy naming a role that does not exist).
new EbsDefaultEncryption(stack, 'EbsDefault', { key, autoScaling: false });

const test = new IntegTest(app, 'EbsDefaultEncryption', { testCases: [stack] });
test.assertions.awsApiCall('EC2', 'getEbsDefaultKmsKeyId', {}).expect(ExpectedResult.objectLike({ KmsKeyId: key.keyArn }));
test.assertions.awsApiCall('EC2', 'getEbsEncryptionByDefault', {}).expect(ExpectedResult.objectLike({ EbsEncryptionByDefault: true }));

app.synth();
