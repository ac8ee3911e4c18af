/**
 * The central list of acknowledged cdk-nag findings: the one place where a finding may be
 * accepted, each with the reason. `test/compliance.test.ts` holds this list exactly: it fails on a
 * finding that is not listed here, and on an entry that no longer matches any finding.
 *
 * Entries are finding-level (`AwsSolutions-IAM5[Resource::*]`, never a bare `AwsSolutions-IAM5`)
 * and scoped to construct paths.
 */
export interface Acknowledgement {
  /** The finding id as cdk-nag v3 reports it, with the finding suffix where there is one. */
  readonly id: string;
  /** Matches the construct paths of the resources the acknowledgement covers. */
  readonly path: RegExp;
  /** Why the finding is accepted. */
  readonly reason: string;
}

/** The functions the library creates (`HardenedFunction`): the canary probe and the custom-resource handlers. */
const LIBRARY_FUNCTION = /(^|\/)(Probe|KmsGovernance[A-Za-z]+Handler)\/Function\/Resource$/;

/** The dead-letter queues the library creates, for its functions and its EventBridge targets. */
const DEAD_LETTER_QUEUE = /(^|\/)[^/]+\/DeadLetters\/Resource$/;

export const ACKNOWLEDGEMENTS: readonly Acknowledgement[] = [
  ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
    id: `${pack}-LambdaInsideVPC`,
    path: LIBRARY_FUNCTION,
    reason:
      'The library functions call only AWS APIs (KMS, SSM, EC2, CloudWatch) and hold no network-reachable data. A VPC is ' +
      'opt-in (`vpc` prop) because it needs VPC endpoints or a NAT to reach those APIs, which the library cannot assume.',
  })),
  {
    id: 'Serverless-LambdaTracing',
    path: LIBRARY_FUNCTION,
    reason:
      'X-Ray tracing is off: active tracing needs xray:PutTraceSegments on Resource "*" (an IAM5 finding of its own) and ' +
      'the functions are short, single-call handlers whose outcome is reported in their result and logs.',
  },
  {
    id: 'Serverless-SQSRedrivePolicy',
    path: DEAD_LETTER_QUEUE,
    reason: 'This queue is itself a dead-letter queue (of a library function or of an EventBridge target); a dead-letter queue for it would only move the problem.',
  },
  {
    id: 'AwsSolutions-SQS3',
    path: DEAD_LETTER_QUEUE,
    reason:
      'The queue is the dead-letter queue of the KeyAuditTrail EventBridge target. SQS3 recognizes a dead-letter queue only ' +
      'when another queue\'s RedrivePolicy names it, not when an EventBridge target does.',
  },
  ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
    id: `${pack}-S3BucketReplicationEnabled`,
    path: /\/(Bucket|AccessLogs)\/Resource$/,
    reason:
      'Cross-Region replication needs a destination bucket and key in another Region that the construct cannot choose; ' +
      'durability within the Region comes from S3 itself and versioning, which is on. Users who need a second Region add ' +
      'a replication rule to `bucket`.',
  })),
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    path: /(^|\/)Probe\/Permissions\/Resource$/,
    reason:
      'cloudwatch:PutMetricData has no resource-level permissions; the statement is limited by the ' +
      'cloudwatch:namespace condition to the canary\'s own namespace. In a VPC, the network-interface actions Lambda ' +
      'needs (ec2:CreateNetworkInterface, DescribeNetworkInterfaces, ...) take no resource ARN either.',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    path: /(^|\/)KmsGovernanceSecureStringHandler\/Permissions\/Resource$/,
    reason:
      'Only with the vpc prop: Lambda manages the function\'s network interfaces with ec2:CreateNetworkInterface, ' +
      'DescribeNetworkInterfaces, DeleteNetworkInterface, AssignPrivateIpAddresses and UnassignPrivateIpAddresses, ' +
      'which AWS documents with Resource "*" (as in the AWS managed AWSLambdaVPCAccessExecutionRole).',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    path: /(^|\/)KmsGovernanceEbsDefaultEncryptionHandler\/Permissions\/Resource$/,
    reason:
      'ec2:Enable/Disable/GetEbsEncryptionByDefault and ec2:Get/Modify/ResetEbsDefaultKmsKeyId act on an account-and-Region ' +
      'setting and have no resource-level permissions (no resource types in the Service Authorization Reference). The policy ' +
      'holds only these EC2 actions (Disable only with disableOnDelete), and in a VPC the network-interface actions Lambda ' +
      'needs, which take no resource ARN either; it belongs to the handler role alone.',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    path: /(^|\/)AuditPermissions\/Resource$/,
    reason:
      'KeyAuditorRole reads every key of the account by design (an auditor must see all of them). kms:List*, ' +
      'cloudtrail:LookupEvents/DescribeTrails and logs:GetQueryResults take no resource ARN. The same policy explicitly denies ' +
      'every cryptographic and administrative KMS action.',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<OrganizationTrailLogGroupName>:*]',
    path: /(^|\/)KeyAuditorRole\/AuditPermissions\/Resource$/,
    reason:
      'KmsGovernanceBaseline with auditAlarms: the auditor reads the trail log group named by the OrganizationTrailLogGroupName ' +
      'parameter. A log group known only by name has the ARN log-group:<name>:*, whose :* covers the log streams of that one ' +
      'log group (logs:GetLogEvents, FilterLogEvents, DescribeLogStreams authorize on it); no other log group matches.',
  },
];
