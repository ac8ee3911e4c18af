import { CfnParameter, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KeyAdminRole, ManagedCmk } from '../src';
import { newStack, statementBySid, unacknowledged } from './support';
import { USE_OR_CONFER_USE_ACTIONS } from '../src/private/kms-actions';

const ops = () => new iam.AccountPrincipal('111122223333');

describe('KeyAdminRole defaults', () => {
  const { stack } = newStack();
  new KeyAdminRole(stack, 'KeyAdmins', { assumedBy: ops() });
  const template = Template.fromStack(stack);

  test('the trust policy requires MFA', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } },
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
          },
        ],
      },
    });
  });

  test('sessions last at most one hour', () => {
    template.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 3600 });
  });

  test('no inline policy, no AWS managed policy, only the customer managed guardrails', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.absent(),
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('^KeyAdminsGuardrails') }],
    });
    const arns = JSON.stringify(template.toJSON());
    expect(arns).not.toContain(':iam::aws:policy');
  });

  test('the guardrails deny every cryptographic action and CreateGrant on every key', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Sid: 'DenyKeyUse', Effect: 'Deny', Action: [...USE_OR_CONFER_USE_ACTIONS], Resource: '*' },
          {
            Sid: 'DenyLockoutBypass',
            Effect: 'Deny',
            Action: ['kms:CreateKey', 'kms:PutKeyPolicy'],
            Resource: '*',
            Condition: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } },
          },
        ]),
      },
    });
    expect(USE_OR_CONFER_USE_ACTIONS).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:Sign', 'kms:CreateGrant']));
  });

  test('the guardrails allow nothing', () => {
    const policy = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow')).toEqual([]);
  });

  test('logical IDs stay what they are', () => {
    expect(Object.keys(template.toJSON().Resources).sort()).toEqual(['KeyAdmins59DA88AC', 'KeyAdminsGuardrails45D4B762']);
  });

  test('zero unacknowledged findings from the cdk-nag packs', () => {
    expect(unacknowledged(stack)).toEqual([]);
  });
});

describe('KeyAdminRole props', () => {
  test('requireMfa: false drops the MFA condition (needed for service principals)', () => {
    const { stack } = newStack();
    new KeyAdminRole(stack, 'R', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'), requireMfa: false });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.absent(), Principal: { Service: 'codebuild.amazonaws.com' } })] },
    });
  });

  test('maxSessionDuration, roleName, description and permissionsBoundary reach the template', () => {
    const { stack } = newStack();
    const boundary = new iam.ManagedPolicy(stack, 'Boundary', { statements: [new iam.PolicyStatement({ actions: ['kms:Describe*'], resources: ['*'] })] });
    new KeyAdminRole(stack, 'R', {
      assumedBy: ops(),
      maxSessionDuration: Duration.hours(4),
      roleName: 'kms-admins',
      description: 'People who manage keys',
      permissionsBoundary: boundary,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 14400,
      RoleName: 'kms-admins',
      Description: 'People who manage keys',
      PermissionsBoundary: { Ref: Match.stringLikeRegexp('^Boundary') },
    });
  });

  test('keys puts the role into each key policy as administrator', () => {
    const { stack } = newStack();
    const a = new ManagedCmk(stack, 'A', { alias: 'a' });
    const b = new ManagedCmk(stack, 'B', { alias: 'b' });
    const r = new KeyAdminRole(stack, 'R', { assumedBy: ops(), keys: [a] });
    r.administer(b);
    const t = Template.fromStack(stack);
    const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(r.node.defaultChild as iam.CfnRole), 'Arn'] };
    for (const key of [a, b]) {
      const id = stack.getLogicalId(key.cfnKey);
      expect(statementBySid(t, 'KeyAdministration', id).Principal).toEqual({ AWS: roleArn });
    }
  });

  test('an identity-policy statement is refused with guidance', () => {
    const { stack } = newStack();
    const r = new KeyAdminRole(stack, 'R', { assumedBy: ops() });
    expect(() => r.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] }))).toThrow(
      /KeyAdminRole 'TestStack\/R' takes no identity-policy statements: grant key administration through the key policy/,
    );
  });
});

describe('KeyAdminRole bad input', () => {
  test.each<[string, any, RegExp]>([
    ['assumedBy missing', { assumedBy: undefined }, /'assumedBy' is required/],
    ['MFA with a service principal', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }, /'requireMfa' must be false when 'assumedBy' is a service principal.*lambda.amazonaws.com/],
    ['session shorter than 1 hour', { maxSessionDuration: Duration.minutes(30) }, /'maxSessionDuration' must be between 1 hour and 12 hours. Received: 30 minutes/],
    ['session longer than 12 hours', { maxSessionDuration: Duration.hours(13) }, /'maxSessionDuration' must be between 1 hour and 12 hours. Received: 13 hours/],
    ['roleName too long', { roleName: 'r'.repeat(65) }, /'roleName' must be between 1 and 64 characters long. Received: "r{65}" \(65 characters\)/],
    ['roleName with a space', { roleName: 'key admins' }, /'roleName' may contain only letters, digits and \+ = , \. @ _ -. Received: "key admins"/],
    ['description too long', { description: 'd'.repeat(1001) }, /'description' must be between 0 and 1000 characters long/],
  ])('%s', (_name, props, message) => {
    const { stack } = newStack();
    expect(() => new KeyAdminRole(stack, 'R', { assumedBy: ops(), ...props })).toThrow(message);
  });

  test('unresolved tokens are not validated', () => {
    const { app, stack } = newStack();
    new KeyAdminRole(stack, 'R', { assumedBy: ops(), roleName: new CfnParameter(stack, 'RoleName').valueAsString });
    expect(() => app.synth()).not.toThrow();
  });
});
