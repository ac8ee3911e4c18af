import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { firing, ifProd, ifProdText, newConditionalRuleStack, newRuleStack } from '../../support';

/** RdsCustomerManagedKey: DB instances and clusters. */

const RULE = 'RdsCustomerManagedKey';
const INSTANCE = { dbInstanceClass: 'db.t4g.micro', engine: 'postgres', allocatedStorage: '20', masterUsername: 'admin', manageMasterUserPassword: true };

test('compliant: encrypted with a customer managed key (L2 cluster, L1 instance); cluster members and copies that inherit', () => {
  const { stack } = newRuleStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new rds.DatabaseCluster(stack, 'Cluster', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    writer: rds.ClusterInstance.serverlessV2('Writer'),
    storageEncrypted: true,
    storageEncryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
  });
  new rds.CfnDBInstance(stack, 'Instance', { ...INSTANCE, storageEncrypted: true, kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
  new rds.CfnDBInstance(stack, 'Replica', { dbInstanceClass: 'db.t4g.micro', sourceDbInstanceIdentifier: 'prod-db' });
  new rds.CfnDBCluster(stack, 'Restored', { engine: 'aurora-postgresql', snapshotIdentifier: 'snap' });
  expect(firing(stack, RULE)).toEqual([]);
});

test('non-compliant: not encrypted, aws/rds (no key), alias/aws/rds, a copy that names an AWS managed key', () => {
  const { stack } = newRuleStack();
  new rds.CfnDBInstance(stack, 'Plain', INSTANCE);
  new rds.CfnDBInstance(stack, 'NoKey', { ...INSTANCE, storageEncrypted: true });
  new rds.CfnDBCluster(stack, 'ClusterAlias', { engine: 'aurora-mysql', storageEncrypted: true, kmsKeyId: 'alias/aws/rds' });
  new rds.CfnDBCluster(stack, 'ClusterPlain', { engine: 'aurora-mysql' });
  new rds.CfnDBInstance(stack, 'CopyManaged', { dbInstanceClass: 'db.t4g.micro', sourceDbInstanceIdentifier: 'prod-db', kmsKeyId: 'alias/aws/rds' });
  expect(firing(stack, RULE)).toEqual(['S/ClusterAlias', 'S/ClusterPlain', 'S/CopyManaged', 'S/NoKey', 'S/Plain']);
});

test('token: a key from a parameter is a specific key; StorageEncrypted from a parameter cannot be proven', () => {
  const { stack, param } = newConditionalRuleStack();
  new rds.CfnDBInstance(stack, 'KeyParam', { ...INSTANCE, storageEncrypted: true, kmsKeyId: param.valueAsString });
  new rds.CfnDBCluster(stack, 'EncryptedParam', { engine: 'aurora-mysql', storageEncrypted: param.valueAsString as any, kmsKeyId: 'alias/db' });
  expect(firing(stack, RULE)).toEqual(['S/EncryptedParam']);
});

test('Fn::If: a branch without encryption or with the AWS managed key is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  new rds.CfnDBCluster(stack, 'EncryptedEither', { engine: 'aurora-mysql', storageEncrypted: ifProd(condition, true, false), kmsKeyId: 'alias/db' });
  new rds.CfnDBInstance(stack, 'KeyEither', { ...INSTANCE, storageEncrypted: true, kmsKeyId: ifProdText(condition, 'alias/db', 'alias/aws/rds') });
  new rds.CfnDBInstance(stack, 'Both', { ...INSTANCE, storageEncrypted: true, kmsKeyId: ifProdText(condition, 'alias/db', 'alias/db-dr') });
  expect(firing(stack, RULE)).toEqual(['S/EncryptedEither', 'S/KeyEither']);
});
