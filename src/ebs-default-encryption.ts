import { Annotations, CfnResource, CustomResource, Duration, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { EbsDefaultEncryptionFunction } from './ebs-default-encryption-function';
import { HardenedFunction } from './internal/hardened-function';
import { grantServiceIntegration } from './internal/service-grants';
import { LibraryFunctionOptions } from './library-function';
import { IManagedKey } from './managed-key';
import { ManagedKeyBase } from './managed-key-base';
import { EBS_ACCOUNT_SETTINGS, acknowledge } from './private/acknowledgements';
import { EBS_HANDLER_ID, EBS_RESOURCE_TYPE, toProperties } from './private/contracts/ebs-default-encryption.contract';
import { inlineHandlerFunction, usesInlineHandlers } from './private/inline-handler';
import { CREATE_GRANT_ACTIONS, SYMMETRIC_USAGE_ACTIONS, Sid } from './private/kms-actions';

/**
 * The path of the EC2 Auto Scaling service-linked role, after `role/`.
 *
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html
 */
const AUTO_SCALING_SLR_PATH = 'aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';

/**
 * Properties of an `EbsDefaultEncryption`.
 */
export interface EbsDefaultEncryptionProps extends LibraryFunctionOptions {
  /**
   * The key that encrypts new EBS volumes and snapshot copies in this account and Region by
   * default. It must be a symmetric encryption key in the stack's Region (Amazon EBS supports no
   * other).
   *
   * With a `ManagedCmk` (or any `ManagedKeyBase`), the statements EBS needs are written into its
   * key policy. With any other `IKey` nothing can be written: its key policy must already let
   * EC2 use the key for the account (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey
   * and CreateGrant with `kms:GrantIsForAWSResource`), and let the Auto Scaling service-linked
   * role do the same if Auto Scaling groups launch instances here. A synth warning says so.
   */
  readonly key: kms.IKey;

  /**
   * What Delete does besides resetting the default key to the AWS managed key
   * (`alias/aws/ebs`): `false` leaves encryption by default on, so that removing the construct
   * never silently lets unencrypted volumes be created; `true` also turns it off.
   *
   * @default false
   */
  readonly disableOnDelete?: boolean;

  /**
   * Also let the EC2 Auto Scaling service-linked role
   * (`arn:<partition>:iam::<account>:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`)
   * use the key and create grants for AWS resources, so that Auto Scaling groups can launch
   * instances whose volumes the key encrypts. The role is named in the key policy (statements
   * `AutoScalingEbs` and `AutoScalingEbsGrants`).
   *
   * IMPORTANT: AWS KMS refuses a key policy that names a role that does not exist
   * (`MalformedPolicyDocumentException: Policy contains a statement with one or more invalid
   * principals`), so the deployment of the key fails in an account where the role has never been
   * created. It is created with the first Auto Scaling group; create it once beforehand with
   * `aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com`, or set
   * this to `false`. Only a `ManagedKeyBase` key is changed.
   *
   * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
   * @default true
   */
  readonly autoScaling?: boolean;
}

/**
 * Account-and-Region default EBS encryption with a customer managed key (Security Hub EC2.7,
 * CIS 2.2.1). CloudFormation has no resource for the setting, so a bundled custom-resource handler
 * calls `EnableEbsEncryptionByDefault` and `ModifyEbsDefaultKmsKeyId`, and reads both back.
 *
 * For a `ManagedCmk`, the key policy gets what EBS needs: use of the key by the account's
 * principals only through EC2 and only from this account (`EbsViaEc2`), grants for persistent
 * resources (`EbsGrantsViaEc2`), and, unless `autoScaling` is `false`, use by the Auto Scaling
 * service-linked role (`AutoScalingEbs`, `AutoScalingEbsGrants`).
 *
 * On Delete the default key goes back to the AWS managed key and encryption by default stays
 * on, unless `disableOnDelete` is `true`.
 *
 * The setting belongs to the account and Region, so there can be one `EbsDefaultEncryption` per
 * stack, and there should be one per account and Region: two stacks that both set it overwrite
 * each other, and deleting either resets the default key.
 *
 * @example
 * const key = new ManagedCmk(this, 'EbsKey', { alias: 'ebs/default' });
 * new EbsDefaultEncryption(this, 'EbsDefault', { key });
 */
export class EbsDefaultEncryption extends Construct {
  /** The default EBS key. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: EbsDefaultEncryptionProps) {
    super(scope, id);
    if (props?.key === undefined) {
      throw new Error("'key' is required: the symmetric KMS key to make the default EBS key. Received: undefined");
    }
    const stack = Stack.of(this);
    if (stack.node.tryFindChild(EBS_HANDLER_ID) !== undefined) {
      const first = otherInstances(this).find((other) => Stack.of(other) === stack);
      throw new Error(
        'Only one EbsDefaultEncryption may be defined per stack: default EBS encryption is a setting of the account and Region. ' +
          `Stack '${stack.node.path}' already has ${first ? `'${first.node.path}'` : 'one'}; received a second one, '${this.node.path}'.`,
      );
    }
    validateKey(props.key, stack);
    this.key = props.key;
    const disableOnDelete = props.disableOnDelete ?? false;
    const autoScaling = props.autoScaling ?? true;
    warnOnOtherStacks(this, stack);

    const hardened = new HardenedFunction(stack, EBS_HANDLER_ID, {
      // In a KmsGovernanceBaseline (deployed by StackSets to accounts and Regions without an asset
      // bucket), the handler is inline code in the template.
      create: (s, i, p) => (usesInlineHandlers(stack) ? inlineHandlerFunction(s, i, 'ebs-default-encryption.lambda', p) : new EbsDefaultEncryptionFunction(s, i, p)),
      description: 'Sets default EBS encryption and the default EBS key of the account and Region (cdk-kms-governance)',
      options: props,
      memorySize: 256,
      timeout: Duration.minutes(1),
      reservedConcurrentExecutions: 1,
    });
    // The EBS default-encryption APIs act on an account-and-Region setting and have no resource
    // ARN (no resource types in the Service Authorization Reference), so Resource must be "*".
    // The role belongs to this handler alone; the finding is acknowledged with the reason.
    acknowledge(hardened.policy.node.defaultChild!, [EBS_ACCOUNT_SETTINGS]);
    hardened.policy.addStatements(new iam.PolicyStatement({
      actions: [
        ...(disableOnDelete ? ['ec2:DisableEbsEncryptionByDefault'] : []),
        'ec2:EnableEbsEncryptionByDefault',
        'ec2:GetEbsDefaultKmsKeyId',
        'ec2:GetEbsEncryptionByDefault',
        'ec2:ModifyEbsDefaultKmsKeyId',
        'ec2:ResetEbsDefaultKmsKeyId',
      ],
      resources: ['*'],
    }));
    // No KMS permission for the handler: ModifyEbsDefaultKmsKeyId needs none of the caller (EC2
    // validates the key asynchronously), and the handler reads the setting back instead.

    if (ManagedKeyBase.isManagedKey(props.key)) {
      grantEbs(props.key, stack, autoScaling);
    } else {
      Annotations.of(this).addWarningV2(
        'cdk-kms-governance:ebsKeyPolicyNotManaged',
        '\'key\' is not a ManagedCmk, so its key policy cannot be changed from here. It must let the account use the key through ' +
          `ec2.${stack.region}.amazonaws.com (Encrypt, Decrypt, ReEncrypt*, GenerateDataKey*, DescribeKey, and CreateGrant with the ` +
          'condition kms:GrantIsForAWSResource)' +
          (autoScaling ? ', and let the Auto Scaling service-linked role do the same, or Auto Scaling launches fail.' : '.'),
      );
    }

    new CustomResource(this, 'Resource', {
      serviceToken: hardened.function.functionArn,
      resourceType: EBS_RESOURCE_TYPE,
      properties: toProperties({ kmsKeyArn: props.key.keyArn, disableOnDelete }),
      serviceTimeout: hardened.serviceTimeout,
    });
  }
}

/** The key-policy statements of EBS encryption with this key. */
function grantEbs(key: IManagedKey, stack: Stack, autoScaling: boolean): void {
  // The principals of this account, only through EC2 (as the AWS managed key aws/ebs allows), and
  // grants for persistent resources: the contract's EBS statements (EbsViaEc2, EbsGrantsViaEc2),
  // which any volume of the app using the key gets too.
  grantServiceIntegration(key, stack, 'ebs');
  if (!autoScaling) return;

  // Named directly, as the EC2 Auto Scaling guide requires: the service-linked role gets no key
  // access from IAM, and no kms:ViaService condition (its requests are not documented as via EC2).
  const slr = new iam.ArnPrincipal(stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: AUTO_SCALING_SLR_PATH }));
  key.grantScoped(slr, { actions: [...SYMMETRIC_USAGE_ACTIONS], statementId: Sid.AUTO_SCALING_EBS });
  key.grantScoped(slr, { actions: [...CREATE_GRANT_ACTIONS], statementId: Sid.AUTO_SCALING_EBS_GRANTS });
}

function validateKey(key: kms.IKey, stack: Stack): void {
  if (ManagedKeyBase.isManagedKey(key) && (key.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT || key.keyUsage !== kms.KeyUsage.ENCRYPT_DECRYPT)) {
    throw new Error(
      '\'key\' must be a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT): Amazon EBS supports no other. ' +
        `Received: ${key.node.path} (${key.keySpec}, ${key.keyUsage})`,
    );
  }
  const cfnKey = key.node.defaultChild;
  if (CfnResource.isCfnResource(cfnKey) && cfnKey.cfnResourceType === kms.CfnKey.CFN_RESOURCE_TYPE_NAME && (cfnKey as kms.CfnKey).enabled === false) {
    throw new Error(`'key' must be enabled: EC2 cannot launch instances whose default EBS key is disabled. Received: ${key.node.path} (enabled: false)`);
  }
  const keyRegion = key.env.region;
  if (Token.compareStrings(keyRegion, stack.region) === TokenComparison.DIFFERENT) {
    throw new Error(
      `'key' must be in the stack's Region (${stack.region}): the default EBS key is a setting of one Region. ` +
        `Received: a key in ${keyRegion} (${key.node.path})`,
    );
  }
}

/** Warn when another stack of the app sets the same account and Region. */
function warnOnOtherStacks(self: EbsDefaultEncryption, stack: Stack): void {
  const concrete = (s: string) => !Token.isUnresolved(s);
  if (!concrete(stack.account) || !concrete(stack.region)) return;
  for (const other of otherInstances(self)) {
    const otherStack = Stack.of(other);
    if (otherStack !== stack && otherStack.account === stack.account && otherStack.region === stack.region) {
      Annotations.of(self).addWarningV2(
        'cdk-kms-governance:ebsDefaultEncryptionConflict',
        `'${other.node.path}' sets default EBS encryption for the same account and Region (${stack.account}, ${stack.region}): ` +
          'the two overwrite each other, and deleting either resets the default key. Keep one.',
      );
    }
  }
}

function otherInstances(self: EbsDefaultEncryption): IConstruct[] {
  return self.node.root.node.findAll().filter((c) => c instanceof EbsDefaultEncryption && c !== self);
}
