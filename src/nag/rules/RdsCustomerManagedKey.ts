import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, booleanValue, pick, variants } from '../private/cfn';
import { KeyChoice, keyChoice } from '../private/encryption';
import { defineRule } from '../private/rule';

/** The properties that make an RDS resource take its encryption from elsewhere. */
const INHERITED_FROM: Record<string, string[]> = {
  'AWS::RDS::DBInstance': ['DBClusterIdentifier', 'SourceDBInstanceIdentifier', 'DBSnapshotIdentifier', 'SourceDBClusterIdentifier'],
  'AWS::RDS::DBCluster': ['SnapshotIdentifier', 'SourceDBClusterIdentifier'],
};

/** An RDS instance or cluster is encrypted with a customer managed key (see `documentation`). */
export default defineRule('RdsCustomerManagedKey', {
  level: NagMessageLevel.ERROR,
  info: 'The RDS DB instance or cluster is not encrypted at rest with a customer managed KMS key (StorageEncrypted off, or the AWS managed key aws/rds).',
  explanation:
    'An unencrypted database, its snapshots and its read replicas can be read by anyone who can copy or restore them. Under ' +
    'aws/rds, snapshots cannot be shared with another account and every principal of the account that may use RDS can decrypt. ' +
    'Encryption cannot be turned on later without a copy and a restore: choose the key at creation.',
  resources: '`AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`',
  mirrors: 'Security Hub **RDS.3** (DB instances) and **RDS.27** (DB clusters) encrypted at rest; Checkov **CKV_AWS_16**',
  checks: [
    '`StorageEncrypted` is true and `KmsKeyId` is set to a key that is not AWS managed (`alias/aws/…`). A DB instance of a cluster ',
    '(`DBClusterIdentifier`: the cluster is checked), and instances and clusters that inherit their encryption from a source ',
    '(`SourceDBInstanceIdentifier`, `SourceDBClusterIdentifier`, `DBSnapshotIdentifier`, `SnapshotIdentifier`), are not ',
    'applicable unless they name a `KmsKeyId`, which must then be customer managed.',
  ].join(''),
  fix: '`new rds.DatabaseCluster(this, id, { storageEncrypted: true, storageEncryptionKey: key, … })`.',
}, (node, context) => {
  const inheritFrom = INHERITED_FROM[node.cfnResourceType];
  if (!inheritFrom) return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const path = node.node.path;
  let applicable = false;
  for (const p of variants(pick(props, 'StorageEncrypted', 'KmsKeyId', ...inheritFrom), `The encryption settings of ${path}`) as Json[]) {
    const inherits = inheritFrom.some((name) => p[name] !== undefined);
    if (inherits && p.KmsKeyId === undefined) continue;
    applicable = true;
    // With a source, StorageEncrypted is the source's (CloudFormation refuses it); the key is the one given.
    if (!inherits && booleanValue(p.StorageEncrypted, `StorageEncrypted of ${path}`) !== true) return NagRuleCompliance.NON_COMPLIANT;
    if (keyChoice(p.KmsKeyId) !== KeyChoice.CUSTOMER_MANAGED) return NagRuleCompliance.NON_COMPLIANT;
  }
  return applicable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
});
