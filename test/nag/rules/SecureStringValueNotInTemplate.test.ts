import { CfnResource, CustomResource } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { EncryptedSecureStringParam, ManagedCmk, SecureStringValue } from '../../../src';
import { firing, ifProd, newConditionalRuleStack, newRuleStack } from '../../support';

/** SecureStringValueNotInTemplate: no SecureString value carried by a custom resource. */

const RULE = 'SecureStringValueNotInTemplate';
const policy = cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE });
const put = (parameters: Record<string, unknown>, service = 'SSM', action = 'putParameter'): cr.AwsSdkCall =>
  ({ service, action, parameters, physicalResourceId: cr.PhysicalResourceId.of('p') });

test('compliant: a String parameter, another SSM call, EncryptedSecureStringParam, an unrelated custom resource', () => {
  const { stack } = newRuleStack();
  new cr.AwsCustomResource(stack, 'PlainString', { onCreate: put({ Name: '/app/name', Value: 'orders', Type: 'String' }), policy });
  new cr.AwsCustomResource(stack, 'Read', { onCreate: put({ Name: '/app/pw', WithDecryption: true }, 'SSM', 'getParameter'), policy });
  new EncryptedSecureStringParam(stack, 'Managed', { key: new ManagedCmk(stack, 'Key', { alias: 'params' }), parameterName: '/app/db', value: SecureStringValue.generated() });
  new CustomResource(stack, 'Other', { serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f', properties: { Create: 'not json', Value: 'x' } });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: putParameter SecureString with a Value, in onCreate or onUpdate, SDK v3 names, a custom resource type', () => {
  const { stack } = newRuleStack();
  new cr.AwsCustomResource(stack, 'OnCreate', { onCreate: put({ Name: '/app/pw', Value: 'hunter2-secret', Type: 'SecureString' }), policy });
  new cr.AwsCustomResource(stack, 'OnUpdate', { onUpdate: put({ Name: '/app/pw', Value: 's3cr3t!', Type: 'SecureString', Overwrite: true }, '@aws-sdk/client-ssm', 'PutParameterCommand'), policy });
  new cr.AwsCustomResource(stack, 'Typed', { resourceType: 'Custom::SeedSecret', onCreate: put({ Name: '/app/k', Value: 'k3y', Type: 'SecureString' }, 'ssm', 'PutParameter'), policy });
  expect(firing(stack, RULE)).toEqual(['S/OnCreate/Resource/Default', 'S/OnUpdate/Resource/Default', 'S/Typed/Resource/Default']);
});

test('token: a Value from a parameter or a dynamic reference still reaches the event, and is a finding', () => {
  const { stack, param } = newConditionalRuleStack();
  new cr.AwsCustomResource(stack, 'FromParam', { onCreate: put({ Name: '/app/pw', Value: param.valueAsString, Type: 'SecureString' }), policy });
  new cr.AwsCustomResource(stack, 'Dynamic', { onCreate: put({ Name: '/app/pw', Value: '{{resolve:secretsmanager:db:SecretString:password}}', Type: 'SecureString' }), policy });
  new cr.AwsCustomResource(stack, 'TypeParam', { onCreate: put({ Name: '/app/x', Value: 'v', Type: param.valueAsString }), policy });
  expect(firing(stack, RULE)).toEqual(['S/Dynamic/Resource/Default', 'S/FromParam/Resource/Default']);
});

test('Fn::If: a branch that writes a SecureString value is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  const call = (type: string) => JSON.stringify({ service: 'SSM', action: 'putParameter', parameters: { Name: '/p', Value: 'v4lue!', Type: type } });
  new CfnResource(stack, 'Either', { type: 'Custom::AWS', properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f', Create: ifProd(condition, call('String'), call('SecureString')) } });
  new CfnResource(stack, 'Both', { type: 'Custom::AWS', properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f', Create: ifProd(condition, call('String'), call('StringList')) } });
  expect(firing(stack, RULE)).toEqual(['S/Either']);
});
