import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { isSecretName, looksLikeSecretValue } from '../../../src/nag/private/secrets';
import { firing, ifProd, newConditionalRuleStack, newRuleStack } from '../../support';

/** EnvironmentNoPlaintextSecret: no secret written into a Lambda or ECS environment. */

const RULE = 'EnvironmentNoPlaintextSecret';
const code = lambda.Code.fromInline('exports.handler = async () => {}');
const fn = (stack: any, id: string, environment: Record<string, string>) =>
  new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code, environment });
const task = (stack: any, id: string, environment: Record<string, string>, secrets?: Record<string, ecs.Secret>) => {
  const def = new ecs.FargateTaskDefinition(stack, id);
  def.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/app'), environment, secrets });
  return def;
};

test('compliant: references, names, switches, durations, paths, secret names, dynamic references, ECS secrets, the canary\'s variables', () => {
  const { stack } = newRuleStack();
  const secret = new secretsmanager.Secret(stack, 'Db');
  fn(stack, 'Refs', { DB_PASSWORD_SECRET_ARN: secret.secretArn, DB_SECRET_NAME: 'prod/db', TOKEN_TTL: '3600', AUTH_ENABLED: 'true', API_KEY_PARAMETER: '/app/api-key' });
  fn(stack, 'Dynamic', { DB_PASSWORD: '{{resolve:secretsmanager:prod/db:SecretString:password}}', DB_SECRET: 'prod/db/password', TOKEN_URL: 'https://auth.example.com/token' });
  fn(stack, 'Canary', { CANARY_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/k', CANARY_KEY_SPEC: 'SYMMETRIC_DEFAULT', KEY_ID: 'alias/app' });
  task(stack, 'Task', { LOG_LEVEL: 'debug', PASSWORD_MIN_LENGTH: '12' }, { DB_PASSWORD: ecs.Secret.fromSecretsManager(secret) });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: a password, an API key, a client secret in camel case, an access key pair, a private key, a token, a URL with credentials', () => {
  const { stack } = newRuleStack();
  fn(stack, 'Password', { DB_PASSWORD: 'Tr0ub4dor&3' });
  fn(stack, 'ApiKey', { apiKey: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc' });
  fn(stack, 'ClientSecret', { oauthClientSecret: 'aZ9-qP3-xY7-bN1' });
  fn(stack, 'AccessKey', { UPSTREAM_ID: 'AKIAIOSFODNN7EXAMPLE' });
  fn(stack, 'PrivateKey', { SIGNER: '-----BEGIN RSA PRIVATE KEY-----\nMIIB...\n-----END RSA PRIVATE KEY-----' });
  fn(stack, 'DatabaseUrl', { DATABASE_URL: 'postgres://app:hunter22@db.internal:5432/app' });
  task(stack, 'Task', { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', LOG_LEVEL: 'info' });
  task(stack, 'GithubTask', { CI: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' });
  expect(firing(stack, RULE)).toEqual([
    'S/AccessKey/Resource', 'S/ApiKey/Resource', 'S/ClientSecret/Resource', 'S/DatabaseUrl/Resource',
    'S/GithubTask/Resource', 'S/Password/Resource', 'S/PrivateKey/Resource', 'S/Task/Resource',
  ]);
});

test('token: a value from a parameter is not written into the template; a whole environment from a parameter is not read', () => {
  const { stack, param } = newConditionalRuleStack();
  fn(stack, 'FromParam', { DB_PASSWORD: param.valueAsString, API_TOKEN: `prefix-${param.valueAsString}` });
  new lambda.CfnFunction(stack, 'WholeEnv', { role: 'arn:aws:iam::123456789012:role/r', code: { zipFile: 'x' }, environment: { variables: param.valueAsString as any } });
  expect(firing(stack, RULE)).toEqual([]);
});

test('Fn::If: a branch with a plaintext secret is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  new lambda.CfnFunction(stack, 'Either', {
    role: 'arn:aws:iam::123456789012:role/r',
    code: { zipFile: 'x' },
    environment: { variables: { DB_PASSWORD: ifProd(condition, '{{resolve:ssm:/db/pw}}', 'Tr0ub4dor&3') } },
  });
  new lambda.CfnFunction(stack, 'Both', {
    role: 'arn:aws:iam::123456789012:role/r',
    code: { zipFile: 'x' },
    environment: { variables: { LOG_LEVEL: ifProd(condition, 'debug', 'info') } },
  });
  expect(firing(stack, RULE)).toEqual(['S/Either']);
});

test('how names and values are judged', () => {
  expect(['DB_PASSWORD', 'dbPassword', 'API_KEY', 'apiKey', 'PRIVATE_KEY', 'AUTH_TOKEN', 'client-secret', 'AWS_ACCESS_KEY_ID', 'SMTP_CREDENTIALS'].filter(isSecretName))
    .toEqual(['DB_PASSWORD', 'dbPassword', 'API_KEY', 'apiKey', 'PRIVATE_KEY', 'AUTH_TOKEN', 'client-secret', 'AWS_ACCESS_KEY_ID', 'SMTP_CREDENTIALS']);
  expect(['DB_PASSWORD_ARN', 'SECRET_NAME', 'TOKEN_TTL', 'KEY_ID', 'PASSWORD_MIN_LENGTH', 'CANARY_KEY_ARN', 'PASSTHROUGH', 'KEYBOARD'].filter(isSecretName)).toEqual([]);
  expect(['Tr0ub4dor&3', 'sk_live_4eC', 'https://u:p@h/'].filter(looksLikeSecretValue)).toEqual(['Tr0ub4dor&3', 'sk_live_4eC', 'https://u:p@h/']);
  expect(['true', '3600', 'arn:aws:kms:…', '/app/pw', 'prod/db/password', 'https://h/x', 'not set', 'short'].filter(looksLikeSecretValue)).toEqual([]);
});
