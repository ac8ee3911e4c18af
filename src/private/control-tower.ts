/**
 * The AWS Control Tower proactive controls that apply to what the library creates, and how each is
 * met: by construction, or by a prop an organization that enables the control must set. Control
 * Tower enforces them as CloudFormation hooks at deployment, where no CDK acknowledgement applies.
 * README's "AWS Control Tower" table is generated from this data, and the tests hold it true.
 *
 * @see https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html
 */
export interface ControlTowerControl {
  /** The control id, e.g. `CT.KMS.PR.3`. */
  readonly control: string;
  /** What it requires, in short. */
  readonly requires: string;
  /** How the library meets it. */
  readonly met: string;
  /** Whether a default configuration meets it, or an organization must set a prop. */
  readonly byDefault: boolean;
  /** The resource types it applies to among the library's. */
  readonly types: readonly string[];
}

export const CONTROL_TOWER_CONTROLS: readonly ControlTowerControl[] = [
  { control: 'CT.KMS.PR.1', requires: 'symmetric keys rotate', met: 'rotation on by default', byDefault: true, types: ['AWS::KMS::Key'] },
  {
    control: 'CT.KMS.PR.2',
    requires: 'RSA keys for encryption are longer than 2048 bits',
    met: 'RSA_2048 with ENCRYPT_DECRYPT is a synth error (`allowRsa2048Encryption` to override)',
    byDefault: true,
    types: ['AWS::KMS::Key'],
  },
  {
    control: 'CT.KMS.PR.3',
    requires: 'the key policy denies kms:CreateGrant that is neither by an AWS service nor for an AWS resource',
    met: 'statement `DenyGrantsNotForAwsResources` in every key (`allowGrantsOutsideAwsResources` to leave it out)',
    byDefault: true,
    types: ['AWS::KMS::Key'],
  },
  {
    control: 'CT.SQS.PR.1',
    requires: 'every queue has a dead-letter queue',
    met: 'the library\'s queues are dead-letter queues, marked as such (`RedriveAllowPolicy` allowAll)',
    byDefault: true,
    types: ['AWS::SQS::Queue'],
  },
  {
    control: 'CT.S3.PR.4',
    requires: 'buckets have event notifications',
    met: 'the library\'s buckets send their events to Amazon EventBridge',
    byDefault: true,
    types: ['AWS::S3::Bucket'],
  },
  {
    control: 'CT.LAMBDA.PR.3',
    requires: 'Lambda functions run in a customer VPC',
    met: 'set `vpc` on KeyHealthCanary, EbsDefaultEncryption and EncryptedSecureStringParam (the functions then need VPC endpoints or a NAT)',
    byDefault: false,
    types: ['AWS::Lambda::Function'],
  },
  {
    control: 'CT.S3.PR.9',
    requires: 'buckets have S3 Object Lock',
    met: 'set `objectLockRetention` and `accessLogsBucket` (a central log bucket: S3 delivers no access logs to an Object Lock bucket) on EnvelopeEncryptedBucket and KeyAuditTrail',
    byDefault: false,
    types: ['AWS::S3::Bucket'],
  },
  {
    control: 'CT.S3.PR.2',
    requires: 'buckets log their access',
    met: 'set `accessLogsBucket` (a central log bucket) on EnvelopeEncryptedBucket and KeyAuditTrail: the log bucket they create does not log its own access',
    byDefault: false,
    types: ['AWS::S3::Bucket'],
  },
];
