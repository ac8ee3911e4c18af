/**
 * A ManagedCmk and its KeyHealthCanary, deployed; the canary does a real envelope round trip.
 * Offline: `npx projen integ:offline` (local AWS). Real account: `npx projen integ:aws`.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { KeyHealthCanary, ManagedCmk } from '../src';

// No creation stack traces in the snapshots: they hold local paths and line numbers.
const app = new App({ stackTraces: false });
const stack = new Stack(app, 'KmsGovRoundTrip');
const key = new ManagedCmk(stack, 'Key', { alias: 'integ/roundtrip' });
const canary = new KeyHealthCanary(stack, 'Canary', { key });

const test = new IntegTest(app, 'ManagedCmkRoundTrip', { testCases: [stack] });

// The canary's report: every check passed, for this key, and no key material in it.
test.assertions
  .invokeFunction({ functionName: canary.function.functionName })
  .expect(ExpectedResult.objectLike({
    StatusCode: 200,
    Payload: Match.serializedJson(Match.objectLike({
      ok: true,
      keys: [Match.objectLike({
        keyId: key.keyId,
        ok: true,
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        keyState: 'Enabled',
        checks: [
          Match.objectLike({ name: 'key-enabled', ok: true }),
          Match.objectLike({ name: 'envelope-round-trip', ok: true }),
          Match.objectLike({ name: 'direct-round-trip', ok: true }),
          Match.objectLike({ name: 'wrong-context-refused', ok: true }),
        ],
      })],
    })),
  }));

test.assertions
  .awsApiCall('KMS', 'getKeyRotationStatus', { KeyId: key.keyId })
  .expect(ExpectedResult.objectLike({ KeyRotationEnabled: true, RotationPeriodInDays: 365 }));

test.assertions
  .awsApiCall('KMS', 'describeKey', { KeyId: key.aliasName })
  .expect(ExpectedResult.objectLike({ KeyMetadata: { KeyId: key.keyId, Enabled: true, KeyState: 'Enabled', KeyManager: 'CUSTOMER' } }));

app.synth();
