/**
 * An EncryptedSecureStringParam deployed: the bundled handler generated the value and stored it as
 * a SecureString under the key. A small reader function in the test stack reads it back with
 * decryption and returns only its type, length and character class: the value never reaches the
 * assertion, its response or any log (the assertion provider logs the SDK responses it gets).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { EncryptedSecureStringParam, ManagedCmk, SecureStringValue } from '../src';

// No creation stack traces in the snapshots: they hold local paths and line numbers.
const app = new App({ stackTraces: false });
const stack = new Stack(app, 'KmsGovParameter');
const key = new ManagedCmk(stack, 'Key', { alias: 'integ/parameter' });
const param = new EncryptedSecureStringParam(stack, 'Param', {
  key,
  parameterName: '/kms-governance/integ/db-password',
  value: SecureStringValue.generated({ length: 24, excludePunctuation: true }),
});

const reader = new lambda.Function(stack, 'Reader', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  timeout: Duration.seconds(30),
  environment: { PARAMETER_NAME: param.parameterName },
  code: lambda.Code.fromInline([
    "const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');",
    'exports.handler = async () => {',
    '  const { Parameter } = await new SSMClient({}).send(new GetParameterCommand({ Name: process.env.PARAMETER_NAME, WithDecryption: true }));',
    '  const value = Parameter.Value;',
    '  return { type: Parameter.Type, length: value.length, alphanumeric: /^[A-Za-z0-9]+$/.test(value) };',
    '};',
  ].join('\n')),
});
// The reader's key use lands in the key policy (through SSM, for this parameter only).
param.grantRead(reader);

const test = new IntegTest(app, 'EncryptedSecureStringParam', { testCases: [stack] });
test.assertions
  .invokeFunction({ functionName: reader.functionName })
  .expect(ExpectedResult.objectLike({
    StatusCode: 200,
    Payload: Match.serializedJson({ type: 'SecureString', length: 24, alphanumeric: true }),
  }));

test.assertions
  .awsApiCall('SSM', 'describeParameters', { ParameterFilters: [{ Key: 'Name', Values: ['/kms-governance/integ/db-password'] }] })
  .expect(ExpectedResult.objectLike({ Parameters: [Match.objectLike({ KeyId: key.keyArn, Type: 'SecureString' })] }));

app.synth();
