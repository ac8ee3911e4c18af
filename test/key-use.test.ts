import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { EncryptedSecureStringParam, EnvelopeEncryptedBucket, ManagedCmk, ManagedKeyBase, SecureStringValue } from '../src';
import { asArray, newStack } from './support';

/**
 * Every grant a construct of the library makes on a key goes through one helper (src/internal/key-use.ts),
 * so a grant means the same thing whatever the key: in the key policy of a ManagedCmk, and with a
 * key the library cannot change (a plain `kms.Key`, an imported key) in a customer managed policy
 * of the grantee, with the same conditions. Never an inline `AWS::IAM::Policy`, never unconditioned.
 */

type Grant = (stack: Stack, key: kms.IKey, grantee: iam.IGrantable) => void;

const BUCKET = 'kmsgov-plain-key-data';
/** A partition-relative ARN, as the stack renders it. */
const arn = (stack: Stack, rest: string) => stack.resolve(`arn:${stack.partition}:${rest}`);
const s3Context = (stack: Stack) => ({ 'kms:EncryptionContext:aws:s3:arn': [arn(stack, `s3:::${BUCKET}`), arn(stack, `s3:::${BUCKET}/*`)] });

const GRANTS: Array<[string, Grant, (stack: Stack) => Record<string, unknown>]> = [
  ['EnvelopeEncryptedBucket.grantRead', (s, key, g) => new EnvelopeEncryptedBucket(s, 'Data', { key, bucketName: BUCKET }).grantRead(g), (s) => ({
    Action: 'kms:Decrypt',
    Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' }, StringLike: s3Context(s) },
  })],
  ['EnvelopeEncryptedBucket.grantWrite', (s, key, g) => new EnvelopeEncryptedBucket(s, 'Data', { key, bucketName: BUCKET }).grantWrite(g), (s) => ({
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' }, StringLike: s3Context(s) },
  })],
  ['EnvelopeEncryptedBucket.grantReadWrite', (s, key, g) => new EnvelopeEncryptedBucket(s, 'Data', { key, bucketName: BUCKET }).grantReadWrite(g), (s) => ({
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' }, StringLike: s3Context(s) },
  })],
  ['EncryptedSecureStringParam.grantRead', (s, key, g) => new EncryptedSecureStringParam(s, 'Param', { key, parameterName: '/app/p', value: SecureStringValue.generated() }).grantRead(g), (s) => ({
    Action: 'kms:Decrypt',
    Condition: {
      StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:EncryptionContext:PARAMETER_ARN': arn(s, 'ssm:us-east-1:123456789012:parameter/app/p') },
    },
  })],
];

const KEYS: Array<[string, (stack: Stack) => kms.IKey]> = [
  ['a plain kms.Key', (stack) => new kms.Key(stack, 'PlainKey', { enableKeyRotation: true })],
  ['an imported key', (stack) => kms.Key.fromKeyArn(stack, 'ImportedKey', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555')],
];

/** Every statement of a template's identity policies (managed or inline) that allows a KMS action. */
function kmsIdentityStatements(template: Template, type: 'AWS::IAM::ManagedPolicy' | 'AWS::IAM::Policy'): any[] {
  return Object.values<any>(template.findResources(type))
    .flatMap((r) => r.Properties.PolicyDocument.Statement)
    .filter((st: any) => st.Effect === 'Allow' && asArray<string>(st.Action).some((a) => a.startsWith('kms:')));
}

describe.each(KEYS)('with %s, every construct grant is scoped and in a customer managed policy', (_, makeKey) => {
  test.each(GRANTS)('%s', (_name, grant, expected) => {
    // GIVEN a key the library cannot change, and a role of this app
    const { stack } = newStack();
    const key = makeKey(stack);
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN the construct grants the role access
    grant(stack, key, role);
    const template = Template.fromStack(stack);
    // THEN no inline policy holds KMS access, and the role's managed policy holds it with the conditions
    expect(kmsIdentityStatements(template, 'AWS::IAM::Policy')).toEqual([]);
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    const rolePolicies = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(roleId));
    const statements = rolePolicies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((st: any) => asArray<string>(st.Action).some((a) => a.startsWith('kms:')));
    expect(statements).toEqual([{ Effect: 'Allow', Resource: stack.resolve(key.keyArn), ...expected(stack) }]);
  });
});

describe('with a ManagedCmk the same grants land in its key policy', () => {
  test.each(GRANTS)('%s', (_name, grant, expected) => {
    const { stack } = newStack();
    const key = new ManagedCmk(stack, 'Key', { alias: 'key-use' });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grant(stack, key, role);
    const template = Template.fromStack(stack);
    expect(kmsIdentityStatements(template, 'AWS::IAM::Policy')).toEqual([]);
    expect(kmsIdentityStatements(template, 'AWS::IAM::ManagedPolicy').filter((st) => JSON.stringify(st).includes('Reader'))).toEqual([]);
    const keyPolicy = template.findResources('AWS::KMS::Key')[stack.getLogicalId(key.cfnKey)].Properties.KeyPolicy.Statement;
    const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] };
    expect(keyPolicy).toContainEqual(expect.objectContaining({ ...expected(stack), Principal: { AWS: roleArn }, Resource: '*' }));
  });
});

describe('the library internal grants with a key it cannot change', () => {
  test('a secret encrypted with a plain key: the handler decrypts only through Secrets Manager, in its managed policy', () => {
    const { stack } = newStack();
    const secretKey = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Secret', {
      secretCompleteArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf',
      encryptionKey: secretKey,
    });
    new EncryptedSecureStringParam(stack, 'Param', { key: new ManagedCmk(stack, 'Key', { alias: 'p' }), parameterName: '/app/p', value: SecureStringValue.fromSecret(secret) });
    const template = Template.fromStack(stack);
    expect(kmsIdentityStatements(template, 'AWS::IAM::Policy')).toEqual([]);
    expect(kmsIdentityStatements(template, 'AWS::IAM::ManagedPolicy')).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: stack.resolve(secretKey.keyArn),
      Condition: {
        StringEquals: {
          'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com',
          'kms:EncryptionContext:SecretARN': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf',
        },
      },
    });
  });

  test('the log bucket of a bucket with a plain key: S3 log delivery gets GenerateDataKey in the key policy', () => {
    const { stack } = newStack();
    const key = new kms.Key(stack, 'PlainKey', { enableKeyRotation: true });
    new EnvelopeEncryptedBucket(stack, 'Data', { key });
    const keyPolicy = Template.fromStack(stack).findResources('AWS::KMS::Key')[stack.getLogicalId(key.node.defaultChild as kms.CfnKey)].Properties.KeyPolicy.Statement;
    expect(keyPolicy).toContainEqual(expect.objectContaining({ Action: 'kms:GenerateDataKey', Principal: { Service: 'logging.s3.amazonaws.com' } }));
  });
});

describe('recognizing the library keys', () => {
  test('isManagedKey is true for ManagedCmk and false for kms.Key', () => {
    const { stack } = newStack();
    expect(ManagedKeyBase.isManagedKey(new ManagedCmk(stack, 'Key', { alias: 'k' }))).toBe(true);
    expect(ManagedKeyBase.isManagedKey(new kms.Key(stack, 'Plain'))).toBe(false);
    expect(ManagedKeyBase.isManagedKey(undefined)).toBe(false);
  });

  test('isManagedKey holds across copies of the package: the mark is a registered symbol, not a class', () => {
    // GIVEN a second copy of the package, loaded apart from the first (jest gives every isolated module registry its own classes)
    let Copy: typeof import('../src') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Copy = require('../src');
    });
    const { stack } = newStack();
    const fromCopy = new Copy!.ManagedCmk(stack, 'Key', { alias: 'copy' });
    // THEN instanceof fails across the copies, and isManagedKey does not
    expect(fromCopy instanceof ManagedCmk).toBe(false);
    expect(ManagedKeyBase.isManagedKey(fromCopy)).toBe(true);
    // AND a construct of this copy treats it as a library key: the grant lands in its key policy
    new EnvelopeEncryptedBucket(stack, 'Data', { key: fromCopy, bucketName: BUCKET }).grantRead(new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    const statements = Template.fromStack(stack).findResources('AWS::KMS::Key')[stack.getLogicalId(fromCopy.cfnKey)].Properties.KeyPolicy.Statement;
    expect(statements.map((s: any) => s.Sid)).toContain('S3Read');
  });
});
