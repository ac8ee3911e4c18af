import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LibraryFunctionOptions } from '../library-function';
import { IManagedKey } from '../managed-key';
import { deadLetterQueue } from './dead-letter-queue';
import { operationalKey } from './operational-key';
import { grantServiceIntegration } from './service-grants';
import { LAMBDA_NO_TRACING, LAMBDA_OUTSIDE_VPC, VPC_NETWORK_INTERFACES, acknowledge } from '../private/acknowledgements';
import { ServiceActions, Sid } from '../private/kms-actions';

export interface HardenedFunctionProps {
  /** The user's options: the operational key and the network placement. */
  readonly options?: LibraryFunctionOptions;
  /** Creates the projen-generated function class with the hardened options. */
  readonly create: (scope: Construct, id: string, props: lambda.FunctionOptions) => lambda.Function;
  readonly description: string;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly reservedConcurrentExecutions?: number;
  readonly environment?: Record<string, string>;
}

/**
 * A library Lambda function hardened once, for every handler (COMPLIANCE: Lambda hygiene):
 * the latest runtime (from the generated class), explicit memory and timeout, reserved
 * concurrency, a KMS-encrypted SSL-only dead-letter queue, its own KMS-encrypted log group kept
 * for a year, JSON logs, and a role whose only permissions are a customer managed policy scoped to
 * those resources. The role refuses further identity-policy statements from CDK, so that nothing
 * lands in an inline policy: callers add what the handler needs to `policy`, and key use goes
 * into key policies.
 */
export class HardenedFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly encryptionKey: IManagedKey;
  /**
   * How long CloudFormation should wait for a custom resource this function serves: the first
   * attempt and the two retries Lambda makes of a failed asynchronous event (about 1 and 2 minutes
   * later), each at most the function's timeout. The handlers answer before their own timeout
   * (src/private/handlers/deadline.ts), so this bounds only a handler that cannot answer at all:
   * the stack then fails in minutes rather than after CloudFormation's default hour.
   */
  public readonly serviceTimeout: Duration;

  constructor(scope: Construct, id: string, props: HardenedFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.encryptionKey = props.options?.operationalKey ?? operationalKey(this);
    const timeout = props.timeout ?? Duration.minutes(1);
    this.serviceTimeout = Duration.seconds(3 * timeout.toSeconds() + 180);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: this.encryptionKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    grantServiceIntegration(this.encryptionKey, this, 'logs');

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', this.encryptionKey);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.policy = new iam.ManagedPolicy(this, 'Permissions', {
      description: `Permissions of: ${props.description}`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
      ],
    });
    if (props.options?.vpc) {
      // Lambda manages the function's network interfaces; these EC2 calls take no resource ARN.
      this.policy.addStatements(new iam.PolicyStatement({
        actions: ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
    }
    // Lambda sends failed events to the encrypted dead-letter queue through SQS.
    this.encryptionKey.grantScoped(this.role, {
      actions: [...ServiceActions.QUEUE_PRODUCER],
      viaServices: [`sqs.${stack.region}.amazonaws.com`],
      statementId: Sid.DEAD_LETTER_QUEUE,
    });

    this.function = props.create(this, 'Function', {
      description: props.description,
      role: this.role.withoutPolicyUpdates({ addGrantsToResources: false }),
      memorySize: props.memorySize ?? 256,
      timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 1,
      deadLetterQueue: this.deadLetterQueue,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: props.environment,
      vpc: props.options?.vpc,
      vpcSubnets: props.options?.vpcSubnets,
      securityGroups: props.options?.securityGroups,
    });
    // Lambda checks at creation that the role may send to the dead-letter queue.
    this.function.node.addDependency(this.policy);
    acknowledge(this.function.node.defaultChild!, [LAMBDA_NO_TRACING, ...(props.options?.vpc ? [] : LAMBDA_OUTSIDE_VPC)]);
    if (props.options?.vpc) acknowledge(this.policy.node.defaultChild!, [VPC_NETWORK_INTERFACES]);
  }
}
