/**
 * A disabled ManagedCmk: the canary must report the failure (DisabledException), proving the probe
 * can fail.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { KeyHealthCanary, ManagedCmk } from '../src';

// No creation stack traces in the snapshots: they hold local paths and line numbers.
const app = new App({ stackTraces: false });
const stack = new Stack(app, 'KmsGovDisabled');
const key = new ManagedCmk(stack, 'Key', { alias: 'integ/disabled', enabled: false });
const canary = new KeyHealthCanary(stack, 'Canary', { key });

const test = new IntegTest(app, 'ManagedCmkDisabled', { testCases: [stack] });

test.assertions
  .invokeFunction({ functionName: canary.function.functionName })
  .expect(ExpectedResult.objectLike({
    StatusCode: 200,
    Payload: Match.serializedJson(Match.objectLike({
      ok: false,
      keys: [Match.objectLike({
        keyId: key.keyId,
        ok: false,
        keyState: 'Disabled',
        checks: Match.arrayWith([
          Match.objectLike({ name: 'key-enabled', ok: false, error: Match.stringLikeRegexp('key state is Disabled') }),
          Match.objectLike({ name: 'envelope-round-trip', ok: false, error: Match.stringLikeRegexp('^DisabledException') }),
        ]),
      })],
    })),
  }));

app.synth();
