import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  FailureToleranceMode,
  KmsGovernanceBaseline,
  KmsGovernanceBaselineProps,
  KmsGovernanceStackSet,
  KmsGovernanceStackSetProps,
  RegionConcurrency,
  StackSetCaller,
} from '../src';
import { newStack, unacknowledged } from './support';

const SECURITY = '222222222222';
const OU = 'ou-ab12-cd34ef56';
const REGIONS = ['us-east-1', 'eu-west-1'];

function stackSetApp(props: Partial<KmsGovernanceStackSetProps> = {}, baselineProps: KmsGovernanceBaselineProps = { securityAccountId: SECURITY }) {
  const { app, stack } = newStack('Management');
  const baseline = new KmsGovernanceBaseline(stack, 'Baseline', baselineProps);
  const stackSet = new KmsGovernanceStackSet(stack, 'StackSet', { baseline, organizationalUnitIds: [OU], regions: REGIONS, ...props });
  return { app, stack, baseline, stackSet };
}

describe('KmsGovernanceStackSet defaults', () => {
  // GIVEN a baseline and a stack set with only the targets
  const { app, stack, baseline, stackSet } = stackSetApp();
  const template = Template.fromStack(stack);

  test('service-managed, automatic deployment on, stacks retained when an account leaves', () => {
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      ManagedExecution: { Active: true },
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: [OU] }, Regions: REGIONS }],
      Parameters: Match.absent(),
      StackSetName: stackSet.stackSetName,
    });
  });

  test('safe operation preferences: a quarter of the accounts at once, 10 % tolerance, one Region after the other', () => {
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      OperationPreferences: {
        MaxConcurrentPercentage: 25,
        FailureTolerancePercentage: 10,
        ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
        RegionConcurrencyType: 'SEQUENTIAL',
        RegionOrder: REGIONS,
      },
    });
  });

  test('the stack set is retained with its stack, so deleting the stack deletes no instance', () => {
    template.hasResource('AWS::CloudFormation::StackSet', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the template URL is the file asset of the baseline template, in the bootstrap bucket', () => {
    const assembly = app.synth();
    const body = fs.readFileSync(path.join(assembly.directory, baseline.templateFile), 'utf-8');
    const hash = crypto.createHash('sha256').update(body).digest('hex');
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      TemplateURL: { 'Fn::Sub': `https://s3.us-east-1.\${AWS::URLSuffix}/cdk-hnb659fds-assets-123456789012-us-east-1/${hash}.json` },
    });
  });

  test('compliant: no unacknowledged finding of any pack', () => {
    expect(unacknowledged(stack)).toEqual([]);
  });

  test('recognized across package copies', () => {
    expect(KmsGovernanceStackSet.isKmsGovernanceStackSet(stackSet)).toBe(true);
    expect(KmsGovernanceStackSet.isKmsGovernanceStackSet(baseline)).toBe(false);
  });
});

describe('KmsGovernanceStackSet options', () => {
  test('operation preferences, caller, name, parameters, removal policy', () => {
    const { stack } = stackSetApp({
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
      organizationalUnitIds: [OU, 'r-ab12'],
      operationPreferences: { maxConcurrentPercentage: 50, failureTolerancePercentage: 0, failureToleranceMode: FailureToleranceMode.SOFT, regionOrder: ['eu-west-1'] },
      callAs: StackSetCaller.DELEGATED_ADMIN,
      stackSetName: 'kms-baseline',
      managedExecution: false,
      parameters: { SecurityAccountId: '333333333333' },
      removalPolicy: RemovalPolicy.DESTROY,
      description: 'KMS',
    }, {});
    const template = Template.fromStack(stack);
    template.hasResource('AWS::CloudFormation::StackSet', {
      DeletionPolicy: 'Delete',
      Properties: {
        StackSetName: 'kms-baseline',
        CallAs: 'DELEGATED_ADMIN',
        Description: 'KMS',
        ManagedExecution: { Active: false },
        Parameters: [{ ParameterKey: 'SecurityAccountId', ParameterValue: '333333333333' }],
        OperationPreferences: {
          MaxConcurrentPercentage: 50,
          FailureTolerancePercentage: 0,
          ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
          RegionConcurrencyType: 'SEQUENTIAL',
          // the given order first, then the others in the order of 'regions'
          RegionOrder: ['eu-west-1', 'us-east-1', 'ap-southeast-2'],
        },
      },
    });
  });

  test('parallel Regions have no Region order', () => {
    const { stack } = stackSetApp({ operationPreferences: { regionConcurrency: RegionConcurrency.PARALLEL } });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFormation::StackSet', {
      OperationPreferences: { RegionConcurrencyType: 'PARALLEL', RegionOrder: Match.absent() },
    });
  });

  test('two stack sets for different OUs, or the same OU in different Regions, are fine', () => {
    const { app, stack, baseline } = stackSetApp();
    new KmsGovernanceStackSet(stack, 'Other', { baseline, organizationalUnitIds: ['ou-ab12-99999999'], regions: REGIONS });
    new KmsGovernanceStackSet(stack, 'Elsewhere', { baseline, organizationalUnitIds: [OU], regions: ['ap-south-1'] });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('KmsGovernanceStackSet bad input', () => {
  test.each(['ou-123', 'OU-AB12-CD34EF56', 'ou-ab12-cd34', 'ou_ab12_cd34ef56', 'r-', 'r-AB12', '123456789012', ''])('a malformed OU id (%s)', (ou) => {
    expect(() => stackSetApp({ organizationalUnitIds: [ou] })).toThrow('\'organizationalUnitIds\' must hold only an organizational unit ID');
  });

  test.each(['us-east', 'US-EAST-1', 'useast1', 'us-east-1a', 'mars-1'])('a malformed Region (%s)', (region) => {
    expect(() => stackSetApp({ regions: [region] })).toThrow(`'regions' must hold only a Region name such as 'us-east-1'. Received: "${region}"`);
  });

  test('no targets, duplicate targets', () => {
    expect(() => stackSetApp({ organizationalUnitIds: [] })).toThrow("'organizationalUnitIds' must name at least one target. Received: []");
    expect(() => stackSetApp({ regions: [] })).toThrow("'regions' must name at least one target");
    expect(() => stackSetApp({ regions: ['us-east-1', 'us-east-1'] })).toThrow(/'regions'.*us-east-1/);
  });

  test.each([
    [{ maxConcurrentPercentage: 0 }, "'operationPreferences.maxConcurrentPercentage' must be a whole number between 1 and 100  percent. Received: 0"],
    [{ maxConcurrentPercentage: 101 }, "'operationPreferences.maxConcurrentPercentage' must be a whole number between 1 and 100"],
    [{ maxConcurrentPercentage: 12.5 }, "'operationPreferences.maxConcurrentPercentage' must be a whole number. Received: 12.5"],
    [{ failureTolerancePercentage: -1 }, "'operationPreferences.failureTolerancePercentage' must be a whole number between 0 and 100"],
    [{ regionOrder: ['ap-south-1'] }, "'operationPreferences.regionOrder' may hold only Regions of 'regions' (us-east-1, eu-west-1). Received: ap-south-1"],
    [{ regionOrder: ['us-east-1'], regionConcurrency: RegionConcurrency.PARALLEL }, "'operationPreferences.regionOrder' applies only with RegionConcurrency.SEQUENTIAL"],
  ])('operation preferences %j', (operationPreferences, message) => {
    expect(() => stackSetApp({ operationPreferences })).toThrow(message);
  });

  test('a malformed stack set name', () => {
    expect(() => stackSetApp({ stackSetName: '1-kms' })).toThrow("'stackSetName' must start with a letter and hold only letters, digits and hyphens. Received: \"1-kms\"");
  });

  test('parameters: unknown, missing, malformed', () => {
    expect(() => stackSetApp({ parameters: { Nope: 'x' } })).toThrow("'parameters' may name only the baseline's parameters (SecurityAccountId). Received: Nope");
    expect(() => stackSetApp({}, {})).toThrow("'parameters' must give SecurityAccountId: the baseline has no default for it");
    expect(() => stackSetApp({ parameters: { SecurityAccountId: '1234' } })).toThrow("'parameters['SecurityAccountId']' must be an AWS account ID (12 digits). Received: \"1234\"");
  });

  test('a baseline of another stack', () => {
    const app = new App();
    const baseline = new KmsGovernanceBaseline(new Stack(app, 'A'), 'Baseline', { securityAccountId: SECURITY });
    expect(() => new KmsGovernanceStackSet(new Stack(app, 'B'), 'StackSet', { baseline, organizationalUnitIds: [OU], regions: REGIONS }))
      .toThrow("'baseline' must be defined in the stack of the stack set ('B'): its template is a file asset of that stack. Received: 'A/Baseline' in 'A'");
  });

  test('no baseline', () => {
    expect(() => new KmsGovernanceStackSet(new Stack(new App(), 'A'), 'StackSet', { organizationalUnitIds: [OU], regions: REGIONS } as any)).toThrow("'baseline' is required");
  });

  test('two baselines for the same OU and Region in one app', () => {
    const { app, stack: first } = stackSetApp();
    const second = new Stack(app, 'Second', { env: { account: '123456789012', region: 'eu-west-1' } });
    new KmsGovernanceStackSet(second, 'StackSet', {
      baseline: new KmsGovernanceBaseline(second, 'Baseline', { securityAccountId: SECURITY }),
      organizationalUnitIds: ['ou-ab12-99999999', OU],
      regions: ['eu-west-1'],
    });
    expect(first.node.path).toBe('Management');
    expect(() => app.synth()).toThrow(/KmsGovernanceStackSet 'Management\/StackSet' and 'Second\/StackSet' both deploy a KMS baseline to 'ou-ab12-cd34ef56' in eu-west-1: their default EBS keys would overwrite each other/);
  });

  test('a root target overlaps every OU in the same Region', () => {
    const { app, stack } = stackSetApp();
    new KmsGovernanceStackSet(stack, 'Everywhere', {
      baseline: new KmsGovernanceBaseline(stack, 'Second', { securityAccountId: SECURITY }),
      organizationalUnitIds: ['r-ab12'],
      regions: ['us-east-1'],
    });
    expect(() => app.synth()).toThrow(/both deploy a KMS baseline to 'ou-ab12-cd34ef56' and 'r-ab12' \(a root covers every OU\) in us-east-1/);
  });
});
