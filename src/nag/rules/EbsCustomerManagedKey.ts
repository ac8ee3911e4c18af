import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, asArray, booleanValue, isObject, variants } from '../private/cfn';
import { KeyChoice, ebsDefaultEncryptionCovers, keyChoice } from '../private/encryption';
import { RuleContext, defineRule } from '../private/rule';

/** The EBS volumes a resource describes, by type: where its `Ebs` block-device settings are. */
const VOLUMES_OF: Record<string, (props: Json) => unknown> = {
  'AWS::EC2::Volume': (p) => [{ Ebs: p }],
  'AWS::EC2::Instance': (p) => p.BlockDeviceMappings,
  'AWS::EC2::LaunchTemplate': (p) => (isObject(p.LaunchTemplateData) ? p.LaunchTemplateData.BlockDeviceMappings : undefined),
  'AWS::AutoScaling::LaunchConfiguration': (p) => p.BlockDeviceMappings,
};

/** EBS volumes are encrypted with a customer managed key (see `documentation`). */
export default defineRule('EbsCustomerManagedKey', {
  level: NagMessageLevel.ERROR,
  info: 'An EBS volume (a volume, or a block device of an instance, launch template or launch configuration) is not encrypted with a customer managed KMS key.',
  explanation:
    'An unencrypted volume and its snapshots can be read by anyone who can attach or copy them; under the AWS managed key aws/ebs, ' +
    'snapshots cannot be shared with another account and every principal of the account that may use EC2 can decrypt. Give each ' +
    'volume a customer managed key, or set one as the account\'s EBS default with EbsDefaultEncryption.',
  resources: '`AWS::EC2::Volume`, `AWS::EC2::Instance`, `AWS::EC2::LaunchTemplate`, `AWS::AutoScaling::LaunchConfiguration`',
  mirrors: 'Security Hub **EC2.3** (attached EBS volumes encrypted) and **EC2.7** (EBS default encryption); Checkov **CKV_AWS_3**, **CKV_AWS_8**',
  checks: [
    'Every EBS volume the resource describes — the volume itself, or each `BlockDeviceMappings` entry with an `Ebs` block (instance ',
    'store `VirtualName` and `NoDevice` entries are not EBS) — has `Encrypted: true` and a `KmsKeyId` that is not an AWS managed key ',
    '(`alias/aws/ebs`, also built with `Fn::Join`/`Fn::Sub`).\n\n',
    'A volume without `KmsKeyId` complies when the app sets the EBS default encryption of its account and Region to a customer ',
    'managed key with this library\'s `EbsDefaultEncryption` (in the same stack, or in a stack of the same literal account and ',
    'Region): EBS then encrypts it with that key, whatever `Encrypted` says. (A launch configuration cannot name a key at all: ',
    'its devices comply only that way.) An instance or launch template without block-device ',
    'mappings is not applicable: its root volume follows the AMI and the account default (Security Hub EC2.7).',
  ].join(''),
  fix: '`new ec2.Volume(this, id, { encrypted: true, encryptionKey: key, … })`, `ec2.BlockDeviceVolume.ebs(size, { encrypted: true, kmsKey: key })`, or `EbsDefaultEncryption`.',
}, (node, context) => {
  const volumesOf = VOLUMES_OF[node.cfnResourceType];
  if (!volumesOf) return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  let applicable = false;
  for (const variant of variants(volumesOf(props), `The EBS volumes of ${node.node.path}`)) {
    for (const mapping of asArray(variant)) {
      if (!isObject(mapping) || !isObject(mapping.Ebs)) continue;
      applicable = true;
      if (!encryptedWithCustomerKey(mapping.Ebs, node, context)) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return applicable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
});

function encryptedWithCustomerKey(ebs: Json, node: CfnResource, context: RuleContext): boolean {
  if (ebs.KmsKeyId === undefined) return ebsDefaultEncryptionCovers(node, context);
  const what = `Encrypted of ${node.node.path}`;
  return booleanValue(ebs.Encrypted, what) === true && keyChoice(ebs.KmsKeyId) === KeyChoice.CUSTOMER_MANAGED;
}
