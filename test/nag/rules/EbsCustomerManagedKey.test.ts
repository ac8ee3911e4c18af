import { Size, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EbsDefaultEncryption, ManagedCmk } from '../../../src';
import { TEST_ENV, firing, ifProd, newConditionalRuleStack, newRuleStack } from '../../support';

/** EbsCustomerManagedKey: volumes, and the block devices of instances, launch templates and launch configurations. */

const RULE = 'EbsCustomerManagedKey';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

test('compliant: encrypted with a customer managed key (volume, launch template, instance, launch configuration); instance store; no mappings', () => {
  const { stack } = newRuleStack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  new ec2.Volume(stack, 'Volume', { availabilityZone: 'us-east-1a', size: Size.gibibytes(8), encrypted: true, encryptionKey: key });
  new ec2.LaunchTemplate(stack, 'Template', { blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, kmsKey: key }) }] });
  new ec2.CfnInstance(stack, 'Instance', {
    imageId: 'ami-12345678',
    blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true, kmsKeyId: KEY_ARN } }, { deviceName: '/dev/sdb', virtualName: 'ephemeral0' }, { deviceName: '/dev/sdc', noDevice: {} }],
  });
  new ec2.CfnInstance(stack, 'NoMappings', { imageId: 'ami-12345678' });
  expect(firing(stack, RULE)).toEqual([]);
});

test('compliant: no KmsKeyId where EbsDefaultEncryption sets a customer managed default in the same account and Region', () => {
  const { app, stack } = newRuleStack();
  new EbsDefaultEncryption(stack, 'Default', { key: new ManagedCmk(stack, 'EbsKey', { alias: 'ebs' }) });
  new ec2.CfnVolume(stack, 'SameStack', { availabilityZone: 'us-east-1a', size: 8 });
  // A launch configuration cannot name a key: with the default set, its encrypted devices use it.
  new autoscaling.CfnLaunchConfiguration(stack, 'Config', { imageId: 'ami-12345678', instanceType: 't3.micro', blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true } }] });
  const sibling = new Stack(app, 'Sibling', { env: TEST_ENV });
  new ec2.CfnVolume(sibling, 'SameEnv', { availabilityZone: 'us-east-1a', size: 8, encrypted: true });
  const elsewhere = new Stack(app, 'Elsewhere', { env: { ...TEST_ENV, region: 'eu-west-1' } });
  new ec2.CfnVolume(elsewhere, 'OtherRegion', { availabilityZone: 'eu-west-1a', size: 8, encrypted: true });
  expect(firing(app, RULE)).toEqual(['Elsewhere/OtherRegion']);
});

test('non-compliant: unencrypted, aws/ebs (no key), alias/aws/ebs, one device among several', () => {
  const { stack } = newRuleStack();
  new ec2.Volume(stack, 'Plain', { availabilityZone: 'us-east-1a', size: Size.gibibytes(8) });
  new ec2.CfnVolume(stack, 'DefaultKey', { availabilityZone: 'us-east-1a', size: 8, encrypted: true });
  new ec2.CfnVolume(stack, 'Alias', { availabilityZone: 'us-east-1a', size: 8, encrypted: true, kmsKeyId: 'alias/aws/ebs' });
  new ec2.LaunchTemplate(stack, 'Template', { blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8) }] });
  new ec2.CfnInstance(stack, 'Instance', {
    imageId: 'ami-12345678',
    blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true, kmsKeyId: KEY_ARN } }, { deviceName: '/dev/sdf', ebs: { volumeSize: 100 } }],
  });
  new autoscaling.CfnLaunchConfiguration(stack, 'Config', { imageId: 'ami-12345678', instanceType: 't3.micro', blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true } }] });
  expect(firing(stack, RULE)).toEqual(['S/Alias', 'S/Config', 'S/DefaultKey', 'S/Instance', 'S/Plain/Resource', 'S/Template/Resource']);
});

test('token: a key from a parameter is a specific key; Encrypted from a parameter cannot be proven', () => {
  const { stack, param } = newConditionalRuleStack();
  new ec2.CfnVolume(stack, 'KeyParam', { availabilityZone: 'us-east-1a', size: 8, encrypted: true, kmsKeyId: param.valueAsString });
  new ec2.CfnVolume(stack, 'EncryptedParam', { availabilityZone: 'us-east-1a', size: 8, encrypted: param.valueAsString as any, kmsKeyId: KEY_ARN });
  expect(firing(stack, RULE)).toEqual(['S/EncryptedParam']);
});

test('Fn::If: a branch with an unencrypted device is a finding', () => {
  const { stack, condition } = newConditionalRuleStack();
  new ec2.CfnInstance(stack, 'Either', {
    imageId: 'ami-12345678',
    blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: ifProd(condition, { Encrypted: true, KmsKeyId: KEY_ARN }, { VolumeSize: 8 }) }],
  });
  new ec2.CfnVolume(stack, 'Both', { availabilityZone: 'us-east-1a', size: 8, encrypted: true, kmsKeyId: ifProd(condition, KEY_ARN, 'alias/volumes') });
  expect(firing(stack, RULE)).toEqual(['S/Either']);
});
