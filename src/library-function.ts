import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IManagedKey } from './managed-key';

/**
 * Where and how the Lambda functions the library creates run: the key-health canary and the
 * custom-resource handlers. Each is a hardened function with its own encrypted log group and
 * dead-letter queue.
 */
export interface LibraryFunctionOptions {
  /**
   * A key for the function's log group, dead-letter queue and alarm topic.
   *
   * @default - the stack's operational key, created once per stack by the library
   */
  readonly operationalKey?: IManagedKey;

  /**
   * Run the function in this VPC. It then needs a route to the AWS APIs it calls (VPC endpoints
   * or a NAT): KMS and CloudWatch for the canary, EC2 for default EBS encryption, SSM, KMS and
   * (for values from a secret) Secrets Manager for SecureString parameters.
   *
   * An organization with the AWS Control Tower control CT.LAMBDA.PR.3 refuses functions outside a
   * VPC: set this there.
   *
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of the VPC to use.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the function.
   *
   * @default - a new security group that allows all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}
