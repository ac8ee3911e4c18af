import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The cdk-nag findings the library accepts on the resources it creates, each with its reason,
 * shipped with the construct that causes it: a user's own run of the cdk-nag packs (or ours) on an
 * app that uses the library shows no finding on the library's resources. They are finding-level
 * (`AwsSolutions-IAM5[Resource::*]`, never a bare rule id), recorded as CDK's acknowledged-rules
 * metadata on the one resource that causes the finding, and only
 * in the configuration that causes it. test/compliance.test.ts checks that each one still matches
 * a finding, and that nothing else is found.
 */
export interface Acknowledgement {
  /** The finding id as cdk-nag v3 reports it, with the finding suffix where there is one. */
  readonly id: string;
  /** Why the finding is accepted. */
  readonly reason: string;
}

/** The cdk-nag packs that hold the same rule under their own prefix. */
const COMPLIANCE_PACKS = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];

/**
 * Record `acknowledgements` on `resource` (the CfnResource), as the metadata that
 * `Validations.of(resource).acknowledge()` writes and cdk-nag reads. Written directly because
 * `acknowledge()` refuses ids with more than one `::`, which cdk-nag's finding ids for resources
 * named by CloudFormation pseudo parameters have (`IAM5[Resource::arn:<AWS::Partition>:…]`).
 */
export function acknowledge(resource: IConstruct, acknowledgements: readonly Acknowledgement[]): void {
  for (const a of acknowledgements) resource.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [a.id]: a.reason });
}

/** A library function outside a VPC (the `vpc` option is not set). */
export const LAMBDA_OUTSIDE_VPC: readonly Acknowledgement[] = COMPLIANCE_PACKS.map((pack) => ({
  id: `${pack}-LambdaInsideVPC`,
  reason:
    'The library functions call only AWS APIs (KMS, SSM, EC2, CloudWatch) and hold no network-reachable data. A VPC is ' +
    'opt-in (`vpc` prop) because it needs VPC endpoints or a NAT to reach those APIs, which the library cannot assume.',
}));

/** Every library function: no X-Ray tracing. */
export const LAMBDA_NO_TRACING: Acknowledgement = {
  id: 'Serverless-LambdaTracing',
  reason:
    'X-Ray tracing is off: active tracing needs xray:PutTraceSegments on Resource "*" (an IAM5 finding of its own) and ' +
    'the functions are short, single-call handlers whose outcome is reported in their result and logs.',
};

/** Every dead-letter queue of the library. */
export const DEAD_LETTER_QUEUE_WITHOUT_REDRIVE: Acknowledgement = {
  id: 'Serverless-SQSRedrivePolicy',
  reason: 'This queue is itself a dead-letter queue (of a library function or of an EventBridge target); a dead-letter queue for it would only move the problem.',
};

/** The dead-letter queue of an EventBridge target (KeyAuditTrail, KeyMaterialExpiryAlarm). */
export const EVENT_TARGET_DEAD_LETTER_QUEUE: Acknowledgement = {
  id: 'AwsSolutions-SQS3',
  reason:
    'The queue is the dead-letter queue of an EventBridge rule target of the library. SQS3 recognizes a dead-letter queue only ' +
    'when another queue\'s RedrivePolicy names it, not when an EventBridge target does.',
};

/** The buckets of EnvelopeEncryptedBucket (data and access logs). */
export const BUCKET_WITHOUT_REPLICATION: readonly Acknowledgement[] = COMPLIANCE_PACKS.map((pack) => ({
  id: `${pack}-S3BucketReplicationEnabled`,
  reason:
    'Cross-Region replication needs a destination bucket and key in another Region that the construct cannot choose; ' +
    'durability within the Region comes from S3 itself and versioning, which is on. Users who need a second Region add ' +
    'a replication rule to `bucket`.',
}));

const IAM5_ALL_RESOURCES = 'AwsSolutions-IAM5[Resource::*]';

/** A library function's policy in a VPC: the network-interface actions. */
export const VPC_NETWORK_INTERFACES: Acknowledgement = {
  id: IAM5_ALL_RESOURCES,
  reason:
    'With the vpc prop, Lambda manages the function\'s network interfaces with ec2:CreateNetworkInterface, ' +
    'DescribeNetworkInterfaces, DeleteNetworkInterface, AssignPrivateIpAddresses and UnassignPrivateIpAddresses, ' +
    'which AWS documents with Resource "*" (as in the AWS managed AWSLambdaVPCAccessExecutionRole).',
};

/** The canary probe's policy: cloudwatch:PutMetricData. */
export const CANARY_METRICS: Acknowledgement = {
  id: IAM5_ALL_RESOURCES,
  reason:
    'cloudwatch:PutMetricData has no resource-level permissions; the statement is limited by the ' +
    'cloudwatch:namespace condition to the canary\'s own namespace.',
};

/** The EbsDefaultEncryption handler's policy: the account-level EBS settings. */
export const EBS_ACCOUNT_SETTINGS: Acknowledgement = {
  id: IAM5_ALL_RESOURCES,
  reason:
    'ec2:Enable/Disable/GetEbsEncryptionByDefault and ec2:Get/Modify/ResetEbsDefaultKmsKeyId act on an account-and-Region ' +
    'setting and have no resource-level permissions (no resource types in the Service Authorization Reference). The policy ' +
    'holds only these EC2 actions (Disable only with disableOnDelete); it belongs to the handler role alone.',
};

/** KeyAuditorRole's read-only policy. */
export const AUDITOR_READS_ALL_KEYS: Acknowledgement = {
  id: IAM5_ALL_RESOURCES,
  reason:
    'KeyAuditorRole reads every key of the account by design (an auditor must see all of them). kms:List*, ' +
    'cloudtrail:LookupEvents/DescribeTrails and logs:GetQueryResults take no resource ARN. The same policy explicitly denies ' +
    'every cryptographic and administrative KMS action.',
};

/**
 * KmsGovernanceBaseline with audit alarms: KeyAuditorRole reads the organization trail's log group,
 * known only by the name a CloudFormation parameter gives.
 */
export function auditorReadsParameterLogGroup(parameterName: string): Acknowledgement {
  return {
    id: `${IAM5_ALL_RESOURCES.replace('::*]', '')}::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<${parameterName}>:*]`,
    reason:
      `The auditor reads the trail log group named by the ${parameterName} parameter. A log group known only by name has the ` +
      'ARN log-group:<name>:*, whose :* covers the log streams of that one log group (logs:GetLogEvents, FilterLogEvents and ' +
      'DescribeLogStreams authorize on it); no other log group matches.',
  };
}
