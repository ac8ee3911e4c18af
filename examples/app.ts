import { App, CfnOutput, Environment, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  EbsDefaultEncryption,
  EncryptedSecureStringParam,
  EnvelopeEncryptedBucket,
  KeyAdminRole,
  KeyAuditorRole,
  KeyAuditTrail,
  KeyHealthCanary,
  ManagedCmk,
  SecureStringValue,
} from '../src';

/**
 * A realistic use of the library: an orders service whose data key is administered by one role,
 * used by another, audited, and probed by a canary.
 *
 * - `KmsGovernanceDemo` holds what an application team deploys: the key, an encrypted bucket, a
 *   generated SecureString and the canary. It deploys offline (npm run demo) and to a real account.
 * - `KmsGovernanceBaseline` holds what a platform team deploys once per account and Region: the
 *   audit trail, the auditor role and the default EBS encryption. CloudTrail has no CloudFormation
 *   support in the local AWS, so this stack is synthesized and checked offline and deployed only to
 *   a real account.
 */
export class OrdersServiceStack extends Stack {
  public readonly key: ManagedCmk;
  public readonly canary: KeyHealthCanary;
  public readonly data: EnvelopeEncryptedBucket;
  public readonly appRole: iam.Role;
  public readonly dbPassword: EncryptedSecureStringParam;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const admins = new KeyAdminRole(this, 'KeyAdmins', { assumedBy: new iam.AccountPrincipal(this.account) });
    this.appRole = new iam.Role(this, 'OrdersApp', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'The orders service: uses the data key, cannot manage it',
    });
    this.key = new ManagedCmk(this, 'OrdersKey', {
      alias: 'orders/data',
      description: 'Orders data at rest',
      administrators: [admins],
    });
    this.data = new EnvelopeEncryptedBucket(this, 'OrdersData', { key: this.key });
    this.data.grantReadWrite(this.appRole);
    this.dbPassword = new EncryptedSecureStringParam(this, 'DbPassword', {
      key: this.key,
      parameterName: '/orders/db/password',
      value: SecureStringValue.generated({ length: 32 }),
    });
    this.dbPassword.grantRead(this.appRole);
    this.canary = new KeyHealthCanary(this, 'OrdersKeyHealth', { key: this.key });

    new CfnOutput(this, 'KeyArn', { value: this.key.keyArn });
    new CfnOutput(this, 'KeyAlias', { value: this.key.aliasName });
    new CfnOutput(this, 'BucketName', { value: this.data.bucket.bucketName });
    new CfnOutput(this, 'CanaryFunctionName', { value: this.canary.function.functionName });
    new CfnOutput(this, 'ParameterName', { value: this.dbPassword.parameterName });
  }
}

/** The account baseline: audit trail, auditor, default EBS encryption. */
export class BaselineStack extends Stack {
  public readonly audit: KeyAuditTrail;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.audit = new KeyAuditTrail(this, 'KmsAudit');
    new KeyAuditorRole(this, 'Auditor', { assumedBy: new iam.AccountPrincipal(this.account), trail: this.audit });
    const ebsKey = new ManagedCmk(this, 'EbsKey', { alias: 'ebs/default', description: 'Default EBS encryption', audit: this.audit });
    new EbsDefaultEncryption(this, 'EbsDefault', { key: ebsKey });
  }
}

/** Build both stacks of the example app. */
export function buildExampleApp(app: App, env: Environment = defaultEnv()): { demo: OrdersServiceStack; baseline: BaselineStack } {
  const demo = new OrdersServiceStack(app, 'KmsGovernanceDemo', { env, description: 'cdk-kms-governance example: an orders service' });
  const baseline = new BaselineStack(app, 'KmsGovernanceBaseline', { env, description: 'cdk-kms-governance example: account KMS baseline' });
  return { demo, baseline };
}

function defaultEnv(): Environment {
  return { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
}
