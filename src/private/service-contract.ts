/**
 * The service-integration contract: for each AWS service that CloudFormation or a CDK L2 can point at a
 * KMS key, what a real account needs in the key policy, as data in one place. A `ManagedCmk` gives the
 * account root administration only (`RootAccess.ADMINISTRATION_ONLY`), so IAM cannot supply key use:
 * every use a service makes must be allowed by the key policy itself.
 *
 * Three kinds of use:
 * - **through the service** (forward access): the service calls AWS KMS with the caller's credentials
 *   (the CloudFormation execution role that creates the resource, then its users). The key policy allows
 *   the principals of the key's account, only through that service in the key's Region (`kms:ViaService`,
 *   `kms:CallerAccount`), so an IAM policy must still allow the caller — and only through the service;
 *   grants only for AWS resources (`kms:GrantIsForAWSResource`).
 * - **by a service principal**: the service calls AWS KMS with its own identity; the statement names it
 *   and carries source conditions (`aws:SourceAccount`, `aws:SourceArn`) or, where AWS documents that the
 *   service sends none, the narrowest condition it does honour.
 * - **publishing**: a service principal writes into a queue or topic encrypted with the key.
 *
 * Every fact carries the AWS documentation it comes from. Where the documentation is unclear, the entry
 * says so in `notes`; README's "What a real account needs" table is generated from this data.
 */

import * as iam from 'aws-cdk-lib/aws-iam';
import { CREATE_GRANT_ACTIONS, KmsCondition } from './kms-actions';

/** A reference from a CloudFormation property to a key. `[]` marks a list: `Replicas[].SSESpecification.KMSMasterKeyId`. */
export interface KeyReferenceSpec {
  /** The CloudFormation resource type. */
  readonly type: string;
  /** The property path, in CloudFormation names. */
  readonly path: string;
}

/** Use of the key through a service, with the caller's credentials (forward access sessions). */
export interface ViaServiceUse {
  /** The service endpoint prefix: `dynamodb` for `dynamodb.<region>.amazonaws.com`. */
  readonly endpoint: string;
  /** What the creating principal (and users of the resource) need, besides grants. */
  readonly actions: readonly string[];
  /** Whether the service creates grants on the key (CreateGrant with `kms:GrantIsForAWSResource`). */
  readonly grants: boolean;
  /** The Sid of the statement. */
  readonly sid: string;
  /**
   * The Sid of the grants statement.
   * @default `<sid>Grants`
   */
  readonly grantsSid?: string;
}

/** Use of the key by a service principal with its own identity. */
export interface ServicePrincipalUse {
  /** The service principal; `{region}` stands for the key's Region. */
  readonly principal: string;
  readonly actions: readonly string[];
  /**
   * The conditions, with `{partition}`, `{region}` and `{account}` placeholders for the key's
   * environment. They always scope the use to the key's account.
   */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  readonly sid: string;
}

/** One AWS service integration. */
export interface ServiceIntegration {
  /** A stable id, e.g. `dynamodb`. */
  readonly id: string;
  /** The service, as AWS names it. */
  readonly service: string;
  /** The CloudFormation properties that point at a key. */
  readonly references: readonly KeyReferenceSpec[];
  /** Use through the service with the caller's credentials, if the service makes any. */
  readonly viaService?: ViaServiceUse;
  /** Use by the service principal, if any. */
  readonly servicePrincipal?: ServicePrincipalUse;
  /** What a user of the resource needs on the key, for the README (granted by the L2s' `grant*`). */
  readonly runtime: string;
  /** The encryption context the service uses, for the README. */
  readonly encryptionContext?: string;
  /** Where the AWS documentation is unclear, or reality differs from it. */
  readonly notes?: string;
  /** The AWS documentation the entry is built from. */
  readonly docs: readonly string[];
}

const KMS_DOCS = 'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service';

/**
 * The source conditions of a service principal that publishes into this account's resources: its
 * calls come from this account, for resources whose ARN matches `arnPattern`.
 */
function fromThisAccount(arnPattern?: string): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'aws:SourceAccount': '{account}' },
    ...(arnPattern ? { ArnLike: { 'aws:SourceArn': arnPattern } } : {}),
  };
}

/**
 * The contract. Integrations that only publish into encrypted queues and topics come after the
 * services whose resources are encrypted.
 */
export const SERVICE_INTEGRATIONS: readonly ServiceIntegration[] = [
  {
    id: 's3',
    service: 'Amazon S3 (SSE-KMS, S3 Bucket Keys)',
    references: [{ type: 'AWS::S3::Bucket', path: 'BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault.KMSMasterKeyID' }],
    runtime: 'writers kms:GenerateDataKey (and kms:Decrypt for multipart uploads), readers kms:Decrypt, through s3.<region> with the bucket ARN as context (Bucket Keys)',
    encryptionContext: 'aws:s3:arn = the object ARN, or the bucket ARN with S3 Bucket Keys',
    notes: 'Creating a bucket with a key makes no documented KMS call, so nothing is added at creation: S3 calls AWS KMS as each requester, and the L2 grants (bucket.grantRead/grantWrite, EnvelopeEncryptedBucket.grant*) put that use in the key policy.',
    docs: ['https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html', 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html'],
  },
  {
    id: 'dynamodb',
    service: 'Amazon DynamoDB',
    references: [
      { type: 'AWS::DynamoDB::Table', path: 'SSESpecification.KMSMasterKeyId' },
      { type: 'AWS::DynamoDB::GlobalTable', path: 'Replicas[].SSESpecification.KMSMasterKeyId' },
    ],
    viaService: {
      endpoint: 'dynamodb',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      grants: true,
      sid: 'ViaDynamoDb',
    },
    runtime: 'the same actions through dynamodb.<region>: DynamoDB calls AWS KMS as the table user',
    encryptionContext: 'aws:dynamodb:tableName, aws:dynamodb:subscriberId',
    notes: 'AWS documents kms:ViaService dynamodb.*.amazonaws.com for global tables; the key policy names only its own Region (a replica in another Region uses a key of that Region).',
    docs: ['https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html'],
  },
  {
    id: 'rds',
    service: 'Amazon RDS and Aurora',
    references: [
      { type: 'AWS::RDS::DBInstance', path: 'KmsKeyId' },
      { type: 'AWS::RDS::DBInstance', path: 'PerformanceInsightsKMSKeyId' },
      { type: 'AWS::RDS::DBCluster', path: 'KmsKeyId' },
      { type: 'AWS::RDS::DBCluster', path: 'PerformanceInsightsKmsKeyId' },
    ],
    viaService: { endpoint: 'rds', actions: ['kms:DescribeKey'], grants: true, sid: 'ViaRds' },
    runtime: 'none for database clients; Performance Insights API callers kms:Decrypt and kms:GenerateDataKey through rds.<region>',
    encryptionContext: 'aws:rds:db-id (the DbiResourceId, unknown at synth)',
    notes: 'RDS documents CreateGrant and DescribeKey for the creating principal. A master user secret managed by RDS under this key (MasterUserSecret.KmsKeyId) is covered by the Secrets Manager entry.',
    docs: ['https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html', 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.Keys.html'],
  },
  {
    id: 'secretsmanager',
    service: 'AWS Secrets Manager',
    references: [
      { type: 'AWS::SecretsManager::Secret', path: 'KmsKeyId' },
      { type: 'AWS::RDS::DBInstance', path: 'MasterUserSecret.KmsKeyId' },
      { type: 'AWS::RDS::DBCluster', path: 'MasterUserSecret.KmsKeyId' },
    ],
    viaService: { endpoint: 'secretsmanager', actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'], grants: false, sid: 'ViaSecretsManager' },
    runtime: 'readers kms:Decrypt, writers kms:Decrypt and kms:GenerateDataKey, through secretsmanager.<region>',
    encryptionContext: 'SecretARN, SecretVersionId',
    notes: 'Secrets Manager calls GenerateDataKey and Decrypt as the caller when a value is created or the key changes, to check the caller may use the key. It uses no grants.',
    docs: ['https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html', 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html'],
  },
  {
    id: 'sqs',
    service: 'Amazon SQS',
    references: [{ type: 'AWS::SQS::Queue', path: 'KmsMasterKeyId' }],
    runtime: 'producers kms:GenerateDataKey and kms:Decrypt, consumers kms:Decrypt (queue.grantSendMessages/grantConsumeMessages)',
    notes: 'CreateQueue makes no documented KMS call. Services that send into the queue are the publishing entries below. The SQS guide documents no encryption context.',
    docs: ['https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html'],
  },
  {
    id: 'sns',
    service: 'Amazon SNS',
    references: [{ type: 'AWS::SNS::Topic', path: 'KmsMasterKeyId' }],
    runtime: 'publishers kms:GenerateDataKey and kms:Decrypt (topic.grantPublish)',
    notes: 'CreateTopic makes no documented KMS call. Services that publish into the topic are the publishing entries below.',
    docs: ['https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html'],
  },
  {
    id: 'logs',
    service: 'Amazon CloudWatch Logs',
    references: [{ type: 'AWS::Logs::LogGroup', path: 'KmsKeyId' }],
    servicePrincipal: {
      principal: 'logs.{region}.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:{partition}:logs:{region}:{account}:log-group:*' } },
      sid: 'CloudWatchLogs',
    },
    runtime: 'none: CloudWatch Logs encrypts and decrypts with its own service principal',
    encryptionContext: 'aws:logs:arn = the log group ARN',
    notes: 'CloudFormation fails to create the log group without this statement (aws/aws-cdk#28304). The documented condition is the encryption context of this account\'s log groups; AWS documents no aws:SourceAccount/aws:SourceArn for it. Newer pages say CloudWatch Logs "now supports kms:ViaService" for callers; which operations is not documented.',
    docs: ['https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html'],
  },
  {
    id: 'lambda',
    service: 'AWS Lambda (environment variables)',
    references: [{ type: 'AWS::Lambda::Function', path: 'KmsKeyArn' }],
    viaService: { endpoint: 'lambda', actions: ['kms:Decrypt', 'kms:Encrypt'], grants: true, sid: 'ViaLambda' },
    runtime: 'none beyond the grant Lambda creates',
    notes: 'Lambda creates a grant with the caller\'s permissions (CreateGrant, Encrypt); Decrypt is needed to view and manage the variables. One page says the execution role decrypts the variables, another that the grant does: unclear.',
    docs: ['https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html'],
  },
  {
    id: 'ebs',
    service: 'Amazon EBS and EC2 (volumes, instances, launch templates)',
    references: [
      { type: 'AWS::EC2::Volume', path: 'KmsKeyId' },
      { type: 'AWS::EC2::Instance', path: 'BlockDeviceMappings[].Ebs.KmsKeyId' },
      { type: 'AWS::EC2::LaunchTemplate', path: 'LaunchTemplateData.BlockDeviceMappings[].Ebs.KmsKeyId' },
    ],
    viaService: {
      endpoint: 'ec2',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      grants: true,
      sid: 'EbsViaEc2',
      grantsSid: 'EbsGrantsViaEc2',
    },
    runtime: 'none for instances; whoever launches or attaches needs the same through ec2.<region>',
    encryptionContext: 'aws:ebs:id = the volume or snapshot id',
    notes: 'The actions are those of the AWS managed key aws/ebs. An Auto Scaling group needs its service-linked role in the key policy too (EbsDefaultEncryption autoScaling).',
    docs: ['https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html', 'https://docs.aws.amazon.com/kms/latest/developerguide/services-ebs.html'],
  },
  {
    id: 'efs',
    service: 'Amazon EFS',
    references: [{ type: 'AWS::EFS::FileSystem', path: 'KmsKeyId' }],
    viaService: {
      endpoint: 'elasticfilesystem',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
      grants: true,
      sid: 'ViaEfs',
    },
    runtime: 'none for NFS clients',
    encryptionContext: 'aws:elasticfilesystem:filesystem:id',
    docs: ['https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html'],
  },
  {
    id: 'kinesis',
    service: 'Amazon Kinesis Data Streams',
    references: [{ type: 'AWS::Kinesis::Stream', path: 'StreamEncryption.KeyId' }],
    viaService: { endpoint: 'kinesis', actions: ['kms:DescribeKey', 'kms:GenerateDataKey'], grants: false, sid: 'ViaKinesis' },
    runtime: 'producers kms:GenerateDataKey, consumers kms:Decrypt (stream.grantWrite/grantRead)',
    encryptionContext: 'aws:kinesis:arn = the stream ARN',
    notes: 'Which KMS calls StartStreamEncryption makes as the caller is not documented; DescribeKey and GenerateDataKey are what a producer needs, so the creator gets them.',
    docs: ['https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html'],
  },
  {
    id: 'backup',
    service: 'AWS Backup (vault encryption)',
    references: [{ type: 'AWS::Backup::BackupVault', path: 'EncryptionKeyArn' }],
    viaService: { endpoint: 'backup', actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'], grants: true, sid: 'ViaBackup' },
    runtime: 'the backup role: use of the key (the exact actions are in its service role policy)',
    notes: 'Creating a vault also needs kms:RetireGrant in the creator\'s IAM policy: RetireGrant is not effective in a key policy.',
    docs: ['https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault.html', 'https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html'],
  },
  {
    id: 'ecr',
    service: 'Amazon ECR (repository encryption)',
    references: [{ type: 'AWS::ECR::Repository', path: 'EncryptionConfiguration.KmsKey' }],
    viaService: { endpoint: 'ecr', actions: ['kms:DescribeKey'], grants: true, sid: 'ViaEcr' },
    runtime: 'none for push and pull (ECR uses its grants)',
    encryptionContext: 'aws:ecr:arn = the repository ARN',
    notes: 'Deleting the repository also needs kms:RetireGrant in the IAM policy of the principal that deletes it: RetireGrant is not effective in a key policy.',
    docs: ['https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html'],
  },
  {
    id: 'cloudtrail',
    service: 'AWS CloudTrail (trail encryption)',
    references: [{ type: 'AWS::CloudTrail::Trail', path: 'KMSKeyId' }],
    servicePrincipal: {
      principal: 'cloudtrail.amazonaws.com',
      actions: ['kms:GenerateDataKey*'],
      conditions: {
        ...fromThisAccount('arn:{partition}:cloudtrail:{region}:{account}:trail/*'),
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:{partition}:cloudtrail:*:{account}:trail/*' },
      },
      sid: 'CloudTrailTrails',
    },
    runtime: 'log readers kms:Decrypt',
    encryptionContext: 'aws:cloudtrail:arn = the trail ARN',
    notes: 'KeyAuditTrail scopes its own trail to its ARN (CloudTrailEncrypt); this entry covers trails of this account that the app creates otherwise.',
    docs: ['https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html'],
  },
  {
    id: 'eventbridge',
    service: 'Amazon EventBridge (event bus encryption)',
    references: [{ type: 'AWS::Events::EventBus', path: 'KmsKeyIdentifier' }],
    servicePrincipal: {
      principal: 'events.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
      conditions: fromThisAccount('arn:{partition}:events:{region}:{account}:event-bus/*'),
      sid: 'EventBridgeEventBuses',
    },
    runtime: 'none: EventBridge decrypts for pattern matching only',
    encryptionContext: 'aws:events:event-bus:arn = the bus ARN',
    notes: 'The documented example puts an ARN in aws:SourceAccount; this statement uses the account id. kms:DescribeKey carries no encryption context, so the statement scopes by source only.',
    docs: ['https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html'],
  },

  // Publishing into encrypted queues and topics (the reference is the publishing resource's target).
  {
    id: 'sns-to-sqs',
    service: 'Amazon SNS publishing to an encrypted SQS queue',
    references: [{ type: 'AWS::SNS::Subscription', path: 'Endpoint' }],
    servicePrincipal: {
      principal: 'sns.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      conditions: fromThisAccount('arn:{partition}:sns:{region}:{account}:*'),
      sid: 'SnsToSqs',
    },
    runtime: '-',
    docs: ['https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html', 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html'],
  },
  {
    id: 'eventbridge-to-sqs',
    service: 'Amazon EventBridge rules delivering to an encrypted SQS queue (target or dead-letter queue)',
    references: [
      { type: 'AWS::Events::Rule', path: 'Targets[].Arn' },
      { type: 'AWS::Events::Rule', path: 'Targets[].DeadLetterConfig.Arn' },
    ],
    servicePrincipal: {
      principal: 'events.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      conditions: fromThisAccount('arn:{partition}:events:{region}:{account}:rule/*'),
      sid: 'EventBridgeDeadLetters',
    },
    runtime: '-',
    notes: 'The SQS guide lists CloudWatch Events among the services that send aws:SourceArn for encrypted queues.',
    docs: ['https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html', 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html'],
  },
  {
    id: 'eventbridge-to-sns',
    service: 'Amazon EventBridge rules delivering to an encrypted SNS topic',
    references: [{ type: 'AWS::Events::Rule', path: 'Targets[].Arn' }],
    servicePrincipal: {
      principal: 'events.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': 'arn:{partition}:sns:{region}:{account}:*' } },
      sid: 'EventBridgeTopic',
    },
    runtime: '-',
    encryptionContext: 'aws:sns:topicArn = the topic ARN (set by SNS on every data key of the topic)',
    notes: 'The SNS guide: "Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported for EventBridge-to-encrypted topics" (delivery fails with them, awslabs/landing-zone-accelerator-on-aws#407). The statement is bound instead to topics of the key\'s account by the encryption context SNS sets, which the GameLift guide documents for SNS topics; kms:ViaService is not used, as AWS documents it for principals of an account, not for service principals.',
    docs: ['https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html', 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html', 'https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html'],
  },
  {
    id: 'cloudwatch-to-sns',
    service: 'Amazon CloudWatch alarms notifying an encrypted SNS topic',
    references: [
      { type: 'AWS::CloudWatch::Alarm', path: 'AlarmActions[]' },
      { type: 'AWS::CloudWatch::Alarm', path: 'OKActions[]' },
      { type: 'AWS::CloudWatch::Alarm', path: 'InsufficientDataActions[]' },
    ],
    servicePrincipal: {
      principal: 'cloudwatch.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      conditions: fromThisAccount('arn:{partition}:cloudwatch:{region}:{account}:alarm:*'),
      sid: 'CloudWatchAlarms',
    },
    runtime: '-',
    notes: 'Documented in an AWS Knowledge Center article; that CloudWatch sends aws:SourceAccount/aws:SourceArn to AWS KMS is not in AWS reference documentation (check with integ:aws).',
    docs: ['https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns'],
  },
  {
    id: 's3-notifications',
    service: 'Amazon S3 event notifications to an encrypted SQS queue or SNS topic',
    references: [
      { type: 'AWS::S3::Bucket', path: 'NotificationConfiguration.QueueConfigurations[].Queue' },
      { type: 'AWS::S3::Bucket', path: 'NotificationConfiguration.TopicConfigurations[].Topic' },
      { type: 'Custom::S3BucketNotifications', path: 'NotificationConfiguration.QueueConfigurations[].QueueArn' },
      { type: 'Custom::S3BucketNotifications', path: 'NotificationConfiguration.TopicConfigurations[].TopicArn' },
    ],
    servicePrincipal: {
      principal: 's3.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      conditions: fromThisAccount(),
      sid: 'S3Notifications',
    },
    runtime: '-',
    notes: 'The SQS guide lists Amazon S3 among the services that send aws:SourceArn; a bucket ARN has no account, so the account is the condition.',
    docs: ['https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html'],
  },
];

/** The AWS documentation of the `kms:ViaService` condition, for the README. */
export const VIA_SERVICE_DOCS = KMS_DOCS;

/** Integrations that publish into a queue or topic: their reference is a queue or topic, not a key. */
export const PUBLISHING_INTEGRATIONS: ReadonlySet<string> = new Set(['sns-to-sqs', 'eventbridge-to-sqs', 'eventbridge-to-sns', 'cloudwatch-to-sns', 's3-notifications']);

/** The encrypted destination each publishing integration delivers to. */
export const PUBLISHING_DESTINATION: Readonly<Record<string, 'AWS::SQS::Queue' | 'AWS::SNS::Topic' | 'any'>> = {
  'sns-to-sqs': 'AWS::SQS::Queue',
  'eventbridge-to-sqs': 'AWS::SQS::Queue',
  'eventbridge-to-sns': 'AWS::SNS::Topic',
  'cloudwatch-to-sns': 'AWS::SNS::Topic',
  's3-notifications': 'any',
};

/**
 * Resource types that hold a key reference and have no contract entry: a resource of one of these
 * that references a library key gets a synth warning, as its service's needs are unknown here.
 * Matched by the property names CloudFormation uses for keys.
 */
export const KEY_PROPERTY_NAMES: readonly string[] = ['KmsKeyId', 'KmsKeyArn', 'KMSKeyId', 'KmsMasterKeyId', 'KMSMasterKeyId', 'KmsKeyIdentifier', 'EncryptionKeyArn', 'KmsKey', 'KeyId'];

/** The environment of a key, for the placeholders of the contract. */
export interface KeyEnvironment {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** One statement of an integration, with the key's environment filled in. */
export interface IntegrationStatement {
  readonly principal: iam.IPrincipal;
  readonly actions: readonly string[];
  readonly conditions: Record<string, Record<string, unknown>>;
  readonly sid: string;
}

/**
 * The key-policy statements of an integration for a key in `env`: use through the service by the
 * principals of the key's account (and their grants for AWS resources), and use by the service
 * principal with its conditions.
 */
export function integrationStatements(entry: ServiceIntegration, env: KeyEnvironment): IntegrationStatement[] {
  const fill = (s: string) => s.replace(/\{partition\}/g, env.partition).replace(/\{region\}/g, env.region).replace(/\{account\}/g, env.account);
  const out: IntegrationStatement[] = [];
  const via = entry.viaService;
  if (via) {
    const conditions = {
      StringEquals: { [KmsCondition.VIA_SERVICE]: `${via.endpoint}.${env.region}.amazonaws.com`, [KmsCondition.CALLER_ACCOUNT]: env.account },
    };
    // The conditions are part of the principal too, so that separation of duties tells this
    // account-wide, service-bound use from the account root's administration.
    const principal = new iam.AccountPrincipal(env.account).withConditions(conditions);
    out.push({ principal, actions: via.actions, conditions, sid: via.sid });
    if (via.grants) out.push({ principal, actions: CREATE_GRANT_ACTIONS, conditions, sid: via.grantsSid ?? `${via.sid}Grants` });
  }
  const sp = entry.servicePrincipal;
  if (sp) {
    const conditions: Record<string, Record<string, unknown>> = {};
    for (const [op, kv] of Object.entries(sp.conditions)) {
      conditions[op] = Object.fromEntries(Object.entries(kv).map(([k, v]) => [k, typeof v === 'string' ? fill(v) : v.map(fill)]));
    }
    out.push({ principal: new iam.ServicePrincipal(fill(sp.principal)), actions: sp.actions, conditions, sid: sp.sid });
  }
  return out;
}

/** The integration with an id; throws for an unknown id (a library defect). */
export function integration(id: string): ServiceIntegration {
  const found = SERVICE_INTEGRATIONS.find((i) => i.id === id);
  if (!found) throw new Error(`no service integration '${id}'`);
  return found;
}
