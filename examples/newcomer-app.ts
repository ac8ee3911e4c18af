import { App, Environment, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ManagedCmk } from '../src';

/**
 * What a new user writes: a keys stack with one ManagedCmk, and an app stack of plain L2s that
 * use it, with no library-specific code. On a real account every one of them must deploy: the key
 * policy learns what each service needs (README "What a real account needs").
 */
export class NewcomerKeysStack extends Stack {
  public readonly key: ManagedCmk;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.key = new ManagedCmk(this, 'AppKey', { alias: 'newcomer/app', description: 'Encrypts everything of the newcomer app' });
  }
}

/** The app stack: DynamoDB, Secrets Manager, an Aurora cluster, a log group, a Lambda function, SNS to SQS. */
export class NewcomerAppStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { readonly key: ManagedCmk }) {
    super(scope, id, props);
    const key = props.key;
    new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    new secretsmanager.Secret(this, 'ApiToken', { encryptionKey: key });
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new rds.DatabaseCluster(this, 'Db', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncryptionKey: key,
      credentials: rds.Credentials.fromGeneratedSecret('app', { encryptionKey: key }),
    });
    new logs.LogGroup(this, 'AppLogs', { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR });
    new lambda.Function(this, 'Worker', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
      environment: { MODE: 'production' },
      environmentEncryption: key,
      role: new iam.Role(this, 'WorkerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
    });
    const jobs = new sqs.Queue(this, 'Jobs', { encryptionMasterKey: key, enforceSSL: true });
    new sns.Topic(this, 'Events', { masterKey: key, enforceSSL: true }).addSubscription(new subs.SqsSubscription(jobs));
  }
}

/** Both stacks in one environment. */
export function buildNewcomerApp(app: App, env?: Environment): { keys: NewcomerKeysStack; app: NewcomerAppStack } {
  const keys = new NewcomerKeysStack(app, 'NewcomerKeys', { env });
  return { keys, app: new NewcomerAppStack(app, 'NewcomerApp', { env, key: keys.key }) };
}
