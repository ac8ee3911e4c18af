/**
 * A ManagedCmk with imported key material (keyMaterialOrigin: EXTERNAL) deploys without material,
 * in PendingImport, with its expiry alarm and rule. The import itself runs outside CloudFormation
 * (`npx cdk-kms-governance import-key-material`), which integ-runner cannot do between deployment
 * and assertions: test/cli/import-key-material.test.ts imports into such a key on the local AWS and
 * decrypts what it encrypted.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { KeyMaterialExpiryAlarm, KeyMaterialOrigin, ManagedCmk } from '../src';

// No creation stack traces in the snapshots: they hold local paths and line numbers.
const app = new App({ stackTraces: false });
const stack = new Stack(app, 'KmsGovImportedMaterial');
const key = new ManagedCmk(stack, 'Key', { alias: 'integ/imported-material', keyMaterialOrigin: KeyMaterialOrigin.EXTERNAL });
new KeyMaterialExpiryAlarm(stack, 'Expiry', { key, warningPeriod: Duration.days(30) });

const test = new IntegTest(app, 'ManagedCmkImportedMaterial', { testCases: [stack] });

test.assertions
  .awsApiCall('KMS', 'describeKey', { KeyId: key.keyArn })
  .expect(ExpectedResult.objectLike({
    KeyMetadata: Match.objectLike({ Origin: 'EXTERNAL', KeyState: 'PendingImport', KeySpec: 'SYMMETRIC_DEFAULT', Enabled: false }),
  }));

app.synth();
