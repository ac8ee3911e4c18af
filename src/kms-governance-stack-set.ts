import { Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { Construct, IConstruct } from 'constructs';
import { ACCOUNT_ID_PATTERN, KmsGovernanceBaseline } from './kms-governance-baseline';
import { quote, validateLength, validateNumberRange, validatePattern, validateUnique } from './private/validate';

/** An organizational unit ID or the root ID of an organization. */
const OU_ID_PATTERN = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;
/** A Region name (`us-east-1`, `us-gov-west-1`, `ap-southeast-5`, ...). */
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** Brand for recognizing stack sets across package copies. */
const STACK_SET_BRAND = Symbol.for('cdk-kms-governance.KmsGovernanceStackSet');

/**
 * In which order StackSets deploys to the Regions of an operation.
 */
export enum RegionConcurrency {
  /**
   * One Region at a time, in `regionOrder`: a failure beyond the failure tolerance stops the
   * operation before the next Region.
   */
  SEQUENTIAL = 'SEQUENTIAL',
  /** All Regions at the same time: faster, and a bad change reaches every Region at once. */
  PARALLEL = 'PARALLEL',
}

/**
 * How failures change the concurrency of a stack set operation.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperationPreferences.html
 */
export enum FailureToleranceMode {
  /**
   * Concurrency starts at most at the failure tolerance plus one, and drops as accounts fail, so
   * failures never exceed the tolerance plus one (the AWS default).
   */
  STRICT = 'STRICT_FAILURE_TOLERANCE',
  /** Concurrency stays at the maximum whatever fails; more failures may happen than tolerated. */
  SOFT = 'SOFT_FAILURE_TOLERANCE',
}

/**
 * Who the stack set is created as.
 */
export enum StackSetCaller {
  /** The organization's management account. */
  SELF = 'SELF',
  /** A delegated administrator account of StackSets (`member.org.stacksets.cloudformation.amazonaws.com`). */
  DELEGATED_ADMIN = 'DELEGATED_ADMIN',
}

/**
 * How stack set operations roll out: per Region, accounts in batches.
 */
export interface StackSetOperationOptions {
  /**
   * The largest share of a Region's accounts deployed at the same time, in percent (1-100,
   * rounded down, at least one account).
   *
   * @default 25
   */
  readonly maxConcurrentPercentage?: number;

  /**
   * The share of a Region's accounts that may fail before StackSets stops the operation in that
   * Region and the later ones, in percent (0-100, rounded down).
   *
   * @default 10
   */
  readonly failureTolerancePercentage?: number;

  /**
   * How failures change the concurrency.
   *
   * @default FailureToleranceMode.STRICT
   */
  readonly failureToleranceMode?: FailureToleranceMode;

  /**
   * One Region at a time, or all at once.
   *
   * @default RegionConcurrency.SEQUENTIAL
   */
  readonly regionConcurrency?: RegionConcurrency;

  /**
   * The order of the Regions with `RegionConcurrency.SEQUENTIAL`: some or all of `regions`, each
   * once; the others follow in the order of `regions`. Automatic deployments to new accounts do
   * not follow it (StackSets documents so).
   *
   * @default - the order of `regions`
   */
  readonly regionOrder?: string[];
}

/**
 * Properties of a `KmsGovernanceStackSet`.
 */
export interface KmsGovernanceStackSetProps {
  /** The baseline to deploy: a `KmsGovernanceBaseline` defined in the same stack. */
  readonly baseline: KmsGovernanceBaseline;

  /**
   * The organizational units to deploy to (`ou-xxxx-xxxxxxxx`), or the organization's root
   * (`r-xxxx`). Every account below them is covered, in nested OUs too, except the management
   * account (StackSets never deploys there with service-managed permissions).
   */
  readonly organizationalUnitIds: string[];

  /** The Regions to deploy to, in every account. */
  readonly regions: string[];

  /**
   * How operations roll out.
   *
   * @default - 25 % of the accounts at a time, 10 % failure tolerance (strict), one Region at a time
   */
  readonly operationPreferences?: StackSetOperationOptions;

  /**
   * Values for the baseline's CloudFormation parameters, by name (`SecurityAccountId`,
   * `OrganizationTrailLogGroupName`). Every parameter without a default needs one.
   *
   * @default - the parameters' defaults
   */
  readonly parameters?: { [name: string]: string };

  /**
   * The name of the stack set. Its instances are stacks named `StackSet-<name>-<id>`.
   *
   * IMPORTANT: changing it replaces the stack set.
   *
   * @default - derived from the construct path
   */
  readonly stackSetName?: string;

  /**
   * Who creates the stack set.
   *
   * @default StackSetCaller.SELF
   */
  readonly callAs?: StackSetCaller;

  /**
   * Let StackSets run non-conflicting operations at once and queue conflicting ones
   * (`ManagedExecution`).
   *
   * @default true
   */
  readonly managedExecution?: boolean;

  /**
   * A description of the stack set.
   *
   * @default - the baseline's description
   */
  readonly description?: string;

  /**
   * What happens to the stack set when it leaves the stack. With `RETAIN` its instances stay in
   * every account; with `DESTROY`, CloudFormation deletes every instance (the keys survive: their
   * deletion policy is Retain, as for any `ManagedCmk`) and then the stack set.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Deploys a `KmsGovernanceBaseline` to every account of some organizational units, in some
 * Regions, with CloudFormation StackSets and service-managed permissions:
 * - automatic deployment on: an account that joins a targeted OU gets the baseline, and one that
 *   leaves keeps its stacks (`RetainStacksOnAccountRemoval`): no StackSets operation ever deletes
 *   a key, a role or the EBS setting of an account;
 * - operations roll out one Region at a time, a quarter of the accounts at once, and stop when
 *   more than a tenth fail (`operationPreferences`);
 * - the template is read from the stack's file assets by URL (`TemplateURL`, up to 1 MB);
 *   the library's handlers inside it are inline code, so no asset bucket is needed in any
 *   target account or Region.
 *
 * Two stack sets of one app that target the same OU (or the root) in the same Region are refused:
 * each would overwrite the other's default EBS key.
 *
 * @example
 * declare const app: App;
 * const management = new Stack(app, 'Management', { env: { account: '111111111111', region: 'us-east-1' } });
 * const baseline = new KmsGovernanceBaseline(management, 'KmsBaseline', { securityAccountId: '222222222222' });
 * new KmsGovernanceStackSet(management, 'KmsBaselineStackSet', {
 *   baseline,
 *   organizationalUnitIds: ['ou-ab12-cd34ef56'],
 *   regions: ['us-east-1', 'eu-west-1'],
 * });
 */
export class KmsGovernanceStackSet extends Construct {
  /** Whether `x` is a `KmsGovernanceStackSet` (of any copy of this library). */
  public static isKmsGovernanceStackSet(x: unknown): x is KmsGovernanceStackSet {
    return typeof x === 'object' && x !== null && (x as any)[STACK_SET_BRAND] === true;
  }

  /** The stack set resource. */
  public readonly cfnStackSet: cloudformation.CfnStackSet;
  /** The name of the stack set. */
  public readonly stackSetName: string;
  /** The targeted OUs or root. */
  public readonly organizationalUnitIds: string[];
  /** The targeted Regions. */
  public readonly regions: string[];

  constructor(scope: Construct, id: string, props: KmsGovernanceStackSetProps) {
    super(scope, id);
    Object.defineProperty(this, STACK_SET_BRAND, { value: true });
    const baseline = props?.baseline;
    if (!KmsGovernanceBaseline.isKmsGovernanceBaseline(baseline)) {
      throw new Error(`'baseline' is required: a KmsGovernanceBaseline. Received: ${baseline === undefined ? 'undefined' : (baseline as IConstruct).node?.path ?? typeof baseline}`);
    }
    const stack = Stack.of(this);
    if (baseline.parentStack !== stack) {
      throw new Error(
        `'baseline' must be defined in the stack of the stack set ('${stack.node.path}'): its template is a file asset of that stack. ` +
          `Received: '${baseline.node.path}' in '${baseline.parentStack.node.path}'`,
      );
    }

    this.organizationalUnitIds = validateTargets('organizationalUnitIds', props.organizationalUnitIds, OU_ID_PATTERN, "an organizational unit ID ('ou-' + 4-32 + '-' + 8-32 lowercase letters or digits) or a root ID ('r-' + 4-32)");
    this.regions = validateTargets('regions', props.regions, REGION_PATTERN, "a Region name such as 'us-east-1'");
    const preferences = operationPreferences(props.operationPreferences ?? {}, this.regions);

    this.stackSetName = props.stackSetName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    validateLength('stackSetName', this.stackSetName, 1, 128);
    validatePattern('stackSetName', this.stackSetName, /^[a-zA-Z][-a-zA-Z0-9]*$/, 'must start with a letter and hold only letters, digits and hyphens');

    const parameters = stackSetParameters(baseline, props.parameters ?? {});

    this.cfnStackSet = new cloudformation.CfnStackSet(this, 'Resource', {
      stackSetName: this.stackSetName,
      description: props.description ?? baseline.templateOptions.description,
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs ?? StackSetCaller.SELF,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: true },
      managedExecution: { Active: props.managedExecution ?? true },
      // The baseline names its roles (so the security account can address them) and creates roles.
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      operationPreferences: preferences,
      parameters: Object.keys(parameters).length === 0
        ? undefined
        : Object.entries(parameters).map(([parameterKey, parameterValue]) => ({ parameterKey, parameterValue })),
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: this.organizationalUnitIds }, regions: this.regions }],
      templateUrl: baseline.templateUrl,
    });
    this.cfnStackSet.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);

    this.node.addValidation({ validate: () => this.overlaps() });
  }

  /** Other stack sets of the app that target one of this one's OUs (or a root) in one of its Regions. */
  private overlaps(): string[] {
    const errors: string[] = [];
    const others = this.node.root.node.findAll()
      .filter((c): c is KmsGovernanceStackSet => KmsGovernanceStackSet.isKmsGovernanceStackSet(c) && c !== this);
    for (const other of others) {
      for (const region of this.regions.filter((r) => other.regions.includes(r))) {
        for (const ou of this.organizationalUnitIds) {
          const clash = other.organizationalUnitIds.find((o) => o === ou || isRoot(o) || isRoot(ou));
          if (clash !== undefined && !Token.isUnresolved(ou) && !Token.isUnresolved(clash) && !Token.isUnresolved(region)) {
            errors.push(
              `KmsGovernanceStackSet '${this.node.path}' and '${other.node.path}' both deploy a KMS baseline to ${ou === clash ? `'${ou}'` : `'${ou}' and '${clash}' (a root covers every OU)`} in ${region}: ` +
                'their default EBS keys would overwrite each other. Target each OU and Region from one stack set.',
            );
          }
        }
      }
    }
    return errors;
  }
}

function isRoot(id: string): boolean {
  return id.startsWith('r-');
}

function validateTargets(prop: string, values: string[] | undefined, pattern: RegExp, what: string): string[] {
  if (values === undefined || values.length === 0) {
    throw new Error(`'${prop}' must name at least one target. Received: ${values === undefined ? 'undefined' : '[]'}`);
  }
  for (const v of values) {
    validatePattern(prop, v, pattern, `must hold only ${what}`);
  }
  validateUnique(prop, values);
  return [...values];
}

function operationPreferences(options: StackSetOperationOptions, regions: string[]): cloudformation.CfnStackSet.OperationPreferencesProperty {
  const maxConcurrent = options.maxConcurrentPercentage ?? 25;
  const tolerance = options.failureTolerancePercentage ?? 10;
  validateInteger('operationPreferences.maxConcurrentPercentage', maxConcurrent);
  validateNumberRange('operationPreferences.maxConcurrentPercentage', maxConcurrent, 1, 100, ' percent');
  validateInteger('operationPreferences.failureTolerancePercentage', tolerance);
  validateNumberRange('operationPreferences.failureTolerancePercentage', tolerance, 0, 100, ' percent');
  const concurrency = options.regionConcurrency ?? RegionConcurrency.SEQUENTIAL;
  const order = options.regionOrder ?? [];
  if (options.regionOrder !== undefined && concurrency === RegionConcurrency.PARALLEL) {
    throw new Error(`'operationPreferences.regionOrder' applies only with RegionConcurrency.SEQUENTIAL. Received: ${quote(order)} with PARALLEL`);
  }
  validateUnique('operationPreferences.regionOrder', order);
  const unknown = order.filter((r) => !Token.isUnresolved(r) && !regions.includes(r));
  if (unknown.length > 0) {
    throw new Error(`'operationPreferences.regionOrder' may hold only Regions of 'regions' (${regions.join(', ')}). Received: ${unknown.join(', ')}`);
  }
  return {
    maxConcurrentPercentage: maxConcurrent,
    failureTolerancePercentage: tolerance,
    concurrencyMode: options.failureToleranceMode ?? FailureToleranceMode.STRICT,
    regionConcurrencyType: concurrency,
    regionOrder: concurrency === RegionConcurrency.SEQUENTIAL ? [...order, ...regions.filter((r) => !order.includes(r))] : undefined,
  };
}

function validateInteger(prop: string, value: number): void {
  if (!Token.isUnresolved(value) && !Number.isInteger(value)) {
    throw new Error(`'${prop}' must be a whole number. Received: ${value}`);
  }
}

function stackSetParameters(baseline: KmsGovernanceBaseline, given: { [name: string]: string }): { [name: string]: string } {
  const names = baseline.parameterNames;
  const defaults = baseline.parameterDefaults;
  const unknown = Object.keys(given).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    throw new Error(`'parameters' may name only the baseline's parameters (${names.join(', ') || 'none'}). Received: ${unknown.join(', ')}`);
  }
  const missing = names.filter((k) => defaults[k] === undefined && given[k] === undefined);
  if (missing.length > 0) {
    throw new Error(`'parameters' must give ${missing.join(' and ')}: the baseline has no default for ${missing.length > 1 ? 'them' : 'it'}. Received: ${quote(given)}`);
  }
  if (given.SecurityAccountId !== undefined) {
    validatePattern("parameters['SecurityAccountId']", given.SecurityAccountId, ACCOUNT_ID_PATTERN, 'must be an AWS account ID (12 digits)');
  }
  return { ...given };
}
