import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  Aws,
  CfnOutput,
  CfnParameter,
  DockerImageAssetLocation,
  DockerImageAssetSource,
  FileAssetLocation,
  FileAssetPackaging,
  FileAssetSource,
  Fn,
  ISynthesisSession,
  Lazy,
  Names,
  Stack,
  StackSynthesizer,
  Token,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { Construct } from 'constructs';
import { EbsDefaultEncryption } from './ebs-default-encryption';
import { KeyAdminRole } from './key-admin-role';
import { KeyAuditTrail } from './key-audit-trail';
import { KeyAuditorRole } from './key-auditor-role';
import { KeyHealthCanary } from './key-health-canary';
import { ManagedCmk } from './managed-cmk';
import { acknowledge, auditorReadsParameterLogGroup } from './private/acknowledgements';
import { markInlineHandlers } from './private/inline-handler';
import { normalizeAlias, quote, validateLength, validatePattern } from './private/validate';

/** The logical IDs of the baseline's CloudFormation parameters. */
const SECURITY_ACCOUNT_PARAMETER = 'SecurityAccountId';
const TRAIL_LOG_GROUP_PARAMETER = 'OrganizationTrailLogGroupName';

/** An AWS account ID. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** A CloudWatch Logs log group name. */
const LOG_GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/**
 * The largest template StackSets accepts by URL (`TemplateURL`: 1 MB).
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
const MAX_TEMPLATE_BYTES = 1_000_000;

/** The room a Region name takes in a role name (the longest Region names are 14 characters). */
const REGION_NAME_ROOM = 15;

/** Brand for `KmsGovernanceBaseline.isKmsGovernanceBaseline` (works across package copies). */
const BASELINE_BRAND = Symbol.for('cdk-kms-governance.KmsGovernanceBaseline');

/**
 * Properties of a `KmsGovernanceBaseline`.
 *
 * There is no `env`: the baseline is one template for every account and Region of a stack set.
 * What differs between organizations (the security account, the trail's log group) is a
 * CloudFormation parameter whose default can be given here and overridden per stack set.
 */
export interface KmsGovernanceBaselineProps {
  /**
   * The central security account whose principals may assume the key administrator and key
   * auditor roles (with MFA): the default of the `SecurityAccountId` parameter.
   *
   * @default - no default: the stack set must give `SecurityAccountId` in its `parameters`
   */
  readonly securityAccountId?: string;

  /**
   * Create a `ManagedCmk` (alias `ebsKeyAlias`) and make it the default EBS key of every account
   * and Region, with EBS encryption by default on (`EbsDefaultEncryption`).
   *
   * @default true
   */
  readonly ebsDefaultEncryption?: boolean;

  /**
   * The alias of the EBS key (without `alias/`), the same in every account and Region.
   *
   * @default 'cdk-kms-governance/ebs'
   */
  readonly ebsKeyAlias?: string;

  /**
   * Let the EC2 Auto Scaling service-linked role use the EBS key (see
   * `EbsDefaultEncryptionProps.autoScaling`).
   *
   * IMPORTANT: the key policy then names `AWSServiceRoleForAutoScaling`, and AWS KMS refuses a key
   * policy naming a role that does not exist: in every target account the role must exist before
   * the stack set reaches it, new accounts included. Off by default for that reason.
   *
   * @default false
   */
  readonly ebsAutoScaling?: boolean;

  /**
   * Probe the EBS key every 5 minutes with a `KeyHealthCanary` (a real envelope round trip), with
   * an alarm when the key stops working. Costs KMS requests in every account and Region: about
   * 52,000 a month per key (see the scale model in `bench/results.md`).
   *
   * @default false
   */
  readonly ebsKeyHealthCanary?: boolean;

  /**
   * Create a `KeyAdminRole` (administrator of the EBS key) that principals of the security
   * account may assume with MFA.
   *
   * @default true
   */
  readonly keyAdminRole?: boolean;

  /**
   * Create a `KeyAuditorRole` (read-only) that principals of the security account may assume with
   * MFA.
   *
   * @default true
   */
  readonly keyAuditorRole?: boolean;

  /**
   * The start of the two role names: `<prefix>KeyAdmin-<Region>` and `<prefix>KeyAuditor-<Region>`.
   * The names are fixed so that the security account can address the roles in every account;
   * they carry the Region because IAM is global and the baseline deploys once per Region.
   *
   * IMPORTANT: changing it replaces the roles.
   *
   * @default 'KmsGovernance'
   */
  readonly roleNamePrefix?: string;

  /**
   * Attach the KMS alarms of `KeyAuditTrail` to an existing trail's CloudWatch Logs log group (the
   * `OrganizationTrailLogGroupName` parameter) and let the auditor role read it.
   *
   * An organization trail delivers to CloudWatch Logs in one account only (the one that owns the
   * trail): turn this on in a stack set that targets that account, or accounts that have a trail
   * and log group of their own under the same name. The deployment fails where the log group does
   * not exist.
   *
   * @default false
   */
  readonly auditAlarms?: boolean;

  /**
   * The default of the `OrganizationTrailLogGroupName` parameter (with `auditAlarms`).
   *
   * @default - no default: the stack set must give `OrganizationTrailLogGroupName`
   */
  readonly trailLogGroupName?: string;

  /**
   * A description of the baseline template.
   *
   * @default - what the baseline holds
   */
  readonly description?: string;
}

/**
 * The KMS baseline of every account and Region of an AWS Organization, as one environment-agnostic
 * template for CloudFormation StackSets (`KmsGovernanceStackSet`):
 * - a `ManagedCmk` made the default EBS key, with EBS encryption by default on
 *   (`EbsDefaultEncryption`, Security Hub EC2.7);
 * - a `KeyAdminRole` that administers that key and a read-only `KeyAuditorRole`, both assumable
 *   from the central security account with MFA;
 * - optionally, the alarms of `KeyAuditTrail` on an existing trail's log group.
 *
 * Define it inside the stack that deploys the stack set (the management account's or a delegated
 * administrator's). It is not a deployment of its own (`cdk list` does not show it): its template
 * becomes a file asset of that stack, which the stack set reads by URL.
 *
 * Everything account- or Region-specific is a pseudo parameter (`AWS::AccountId`, `AWS::Region`)
 * or a CloudFormation parameter, never a value fixed at synth: synthesis fails on a literal
 * account ID or Region in the template, on a cross-stack reference, and on any context lookup
 * (`fromLookup`). The library's handlers are inline code (`Code.ZipFile`), so they exist in every
 * target Region without an asset bucket there; file and Docker assets are refused.
 *
 * @example
 * declare const app: App;
 * const management = new Stack(app, 'Management', { env: { account: '111111111111', region: 'us-east-1' } });
 * const baseline = new KmsGovernanceBaseline(management, 'KmsBaseline', { securityAccountId: '222222222222' });
 */
export class KmsGovernanceBaseline extends Stack {
  /** Whether `x` is a `KmsGovernanceBaseline` (of any copy of this library). */
  public static isKmsGovernanceBaseline(x: unknown): x is KmsGovernanceBaseline {
    return typeof x === 'object' && x !== null && (x as any)[BASELINE_BRAND] === true;
  }

  /** The file name of the synthesized template in the cloud assembly. */
  public readonly templateFile: string;
  /** The stack that deploys the stack set and holds the template as a file asset. */
  public readonly parentStack: Stack;
  /** The EBS key (with `ebsDefaultEncryption`). */
  public readonly ebsKey?: ManagedCmk;
  /** The default EBS encryption (with `ebsDefaultEncryption`). */
  public readonly ebsDefaultEncryption?: EbsDefaultEncryption;
  /** The health canary of the EBS key (with `ebsKeyHealthCanary`). */
  public readonly ebsKeyHealthCanary?: KeyHealthCanary;
  /** The key administrator role (with `keyAdminRole`). */
  public readonly keyAdminRole?: KeyAdminRole;
  /** The key auditor role (with `keyAuditorRole`). */
  public readonly keyAuditorRole?: KeyAuditorRole;
  /** The audit alarms (with `auditAlarms`). */
  public readonly auditTrail?: KeyAuditTrail;
  /** The `SecurityAccountId` parameter (with either role). */
  public readonly securityAccountParameter?: CfnParameter;
  /** The `OrganizationTrailLogGroupName` parameter (with `auditAlarms`). */
  public readonly trailLogGroupParameter?: CfnParameter;
  private synthesizedTemplateUrl?: string;

  constructor(scope: Construct, id: string, props: KmsGovernanceBaselineProps = {}) {
    const parentStack = findParentStack(scope, id);
    super(scope, id, {
      synthesizer: new BaselineSynthesizer(),
      // CDK's metadata resource carries a condition listing Regions; the template is for all of them.
      analyticsReporting: false,
      description: props.description ?? 'KMS governance baseline of every account and Region: default EBS key, key administrator and auditor roles (cdk-kms-governance)',
    });
    Object.defineProperty(this, BASELINE_BRAND, { value: true });
    markInlineHandlers(this);
    this.parentStack = parentStack;
    this.templateFile = `${Names.uniqueId(this)}.baseline.template.json`;

    const ebs = props.ebsDefaultEncryption ?? true;
    const admin = props.keyAdminRole ?? true;
    const auditor = props.keyAuditorRole ?? true;
    const alarms = props.auditAlarms ?? false;
    if (!ebs && !admin && !auditor && !alarms) {
      throw new Error(
        "A KmsGovernanceBaseline needs at least one part: 'ebsDefaultEncryption', 'keyAdminRole', 'keyAuditorRole' or 'auditAlarms'. Received: all false",
      );
    }
    validatePattern('securityAccountId', props.securityAccountId, ACCOUNT_ID_PATTERN, 'must be an AWS account ID (12 digits)');
    const prefix = props.roleNamePrefix ?? 'KmsGovernance';
    validateLength('roleNamePrefix', prefix, 1, 64 - 'KeyAuditor-'.length - REGION_NAME_ROOM);
    validatePattern('roleNamePrefix', prefix, /^[\w+=,.@-]+$/, 'may contain only letters, digits and + = , . @ _ -');
    if (props.trailLogGroupName !== undefined && !alarms) {
      throw new Error(`'trailLogGroupName' applies only with 'auditAlarms: true'. Received: ${quote(props.trailLogGroupName)} with auditAlarms ${props.auditAlarms}`);
    }
    validatePattern('trailLogGroupName', props.trailLogGroupName, LOG_GROUP_NAME_PATTERN, 'must be a log group name (1-512 of letters, digits and . - _ / #)');
    const alias = normalizeAlias('ebsKeyAlias', props.ebsKeyAlias ?? 'cdk-kms-governance/ebs');

    if (alarms) {
      this.trailLogGroupParameter = new CfnParameter(this, TRAIL_LOG_GROUP_PARAMETER, {
        type: 'String',
        description: 'The CloudWatch Logs log group of the organization trail, in this account and Region',
        allowedPattern: LOG_GROUP_NAME_PATTERN.source,
        constraintDescription: 'must be a log group name',
        default: props.trailLogGroupName,
      });
      this.auditTrail = new KeyAuditTrail(this, 'AuditAlarms', {
        existingLogGroup: logs.LogGroup.fromLogGroupName(this, 'OrganizationTrailLogGroup', this.trailLogGroupParameter.valueAsString),
      });
    }

    if (ebs) {
      this.ebsKey = new ManagedCmk(this, 'EbsKey', {
        alias,
        description: 'Default key of Amazon EBS in this account and Region (cdk-kms-governance baseline)',
        audit: this.auditTrail,
      });
      this.ebsDefaultEncryption = new EbsDefaultEncryption(this, 'EbsDefaultEncryption', {
        key: this.ebsKey,
        autoScaling: props.ebsAutoScaling ?? false,
      });
      if (props.ebsKeyHealthCanary ?? false) {
        this.ebsKeyHealthCanary = new KeyHealthCanary(this, 'EbsKeyHealth', { key: this.ebsKey });
      }
      new CfnOutput(this, 'EbsKeyArn', { value: this.ebsKey.keyArn, description: 'The default EBS key' });
    } else if (props.ebsKeyAlias !== undefined || props.ebsAutoScaling !== undefined || props.ebsKeyHealthCanary !== undefined) {
      throw new Error("'ebsKeyAlias', 'ebsAutoScaling' and 'ebsKeyHealthCanary' apply only with 'ebsDefaultEncryption'. Received: ebsDefaultEncryption false");
    }

    if (admin || auditor) {
      this.securityAccountParameter = new CfnParameter(this, SECURITY_ACCOUNT_PARAMETER, {
        type: 'String',
        description: 'The security account whose principals may assume the key administrator and auditor roles (with MFA)',
        allowedPattern: ACCOUNT_ID_PATTERN.source,
        constraintDescription: 'must be an AWS account ID (12 digits)',
        default: props.securityAccountId,
      });
      const securityAccount = new iam.AccountPrincipal(this.securityAccountParameter.valueAsString);
      if (admin) {
        this.keyAdminRole = new KeyAdminRole(this, 'KeyAdminRole', {
          assumedBy: securityAccount,
          roleName: Fn.join('', [prefix, 'KeyAdmin-', Aws.REGION]),
          keys: this.ebsKey ? [this.ebsKey] : [],
        });
        new CfnOutput(this, 'KeyAdminRoleArn', { value: this.keyAdminRole.roleArn, description: 'The key administrator role' });
      }
      if (auditor) {
        this.keyAuditorRole = new KeyAuditorRole(this, 'KeyAuditorRole', {
          assumedBy: securityAccount,
          roleName: Fn.join('', [prefix, 'KeyAuditor-', Aws.REGION]),
          trail: this.auditTrail,
        });
        if (this.trailLogGroupParameter) {
          acknowledge(this.keyAuditorRole.permissions.node.defaultChild!, [auditorReadsParameterLogGroup(TRAIL_LOG_GROUP_PARAMETER)]);
        }
        new CfnOutput(this, 'KeyAuditorRoleArn', { value: this.keyAuditorRole.roleArn, description: 'The key auditor role' });
      }
    } else if (props.securityAccountId !== undefined) {
      throw new Error(`'securityAccountId' applies only with 'keyAdminRole' or 'keyAuditorRole'. Received: ${quote(props.securityAccountId)} with both false`);
    }

    this.node.addValidation({ validate: () => this.accountSpecificValues() });
  }

  /**
   * The template's URL: the S3 location of the file asset of the parent stack. Use it only in the
   * parent stack.
   */
  public get templateUrl(): string {
    // Undefined until the baseline is synthesized (the tree's preparation resolves every token
    // early); the baseline synthesizes before its parent stack, whose template holds the URL.
    return Lazy.uncachedString({ produce: () => this.synthesizedTemplateUrl });
  }

  /** The names of the template's CloudFormation parameters. */
  public get parameterNames(): string[] {
    return this.parameters().map((p) => this.getLogicalId(p));
  }

  /** The defaults of the template's CloudFormation parameters, by name (parameters without one are absent). */
  public get parameterDefaults(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const p of this.parameters().filter((c) => c.default !== undefined)) {
      result[this.getLogicalId(p)] = String(p.default);
    }
    return result;
  }

  private parameters(): CfnParameter[] {
    return this.node.findAll().filter((c): c is CfnParameter => c instanceof CfnParameter);
  }

  /**
   * Refused: a baseline has no context lookups (`fromLookup`), whose values belong to one account
   * and Region.
   */
  public reportMissingContextKey(report: cxschema.MissingContext): void {
    throw new Error(
      `KmsGovernanceBaseline '${this.node.path}' cannot use context lookups (${report.provider} ${report.key}): ` +
        'a lookup reads one account and Region, and the baseline is deployed to many. Use a CloudFormation parameter instead.',
    );
  }

  /**
   * Writes the template into the cloud assembly and adds it to the parent stack as a file asset,
   * instead of emitting a stack artifact.
   *
   * @internal
   */
  public _synthesizeTemplate(
    session: ISynthesisSession,
    _lookupRoleArn?: string,
    _lookupRoleExternalId?: string,
    _lookupRoleAdditionalOptions?: { [key: string]: any },
  ): void {
    const template = JSON.stringify(this._toCloudFormation(), undefined, 1);
    const sourceHash = crypto.createHash('sha256').update(template).digest('hex');
    this.synthesizedTemplateUrl = this.parentStack.synthesizer.addFileAsset({
      packaging: FileAssetPackaging.FILE,
      sourceHash,
      fileName: this.templateFile,
    }).httpUrl;
    fs.writeFileSync(path.join(session.assembly.outdir, this.templateFile), template);
  }

  /** The resolved template, for validation and sizing. */
  public templateJson(): any {
    return this._toCloudFormation();
  }

  /** Literal account IDs and Regions, cross-stack imports, and a template too large for StackSets. */
  private accountSpecificValues(): string[] {
    const errors: string[] = [];
    if (!Token.isUnresolved(this.account) || !Token.isUnresolved(this.region)) {
      errors.push(`KmsGovernanceBaseline '${this.node.path}' must be environment-agnostic. Received: account ${this.account}, region ${this.region}`);
    }
    const template = this._toCloudFormation();
    const found: string[] = [];
    for (const section of ['Resources', 'Outputs', 'Conditions', 'Rules', 'Mappings']) {
      scan(template[section], section, found);
    }
    for (const f of found) errors.push(`KmsGovernanceBaseline '${this.node.path}': ${f}`);
    const size = Buffer.byteLength(JSON.stringify(template));
    if (size > MAX_TEMPLATE_BYTES) {
      errors.push(`KmsGovernanceBaseline '${this.node.path}': the template must be at most ${MAX_TEMPLATE_BYTES} bytes for StackSets (TemplateURL). Received: ${size} bytes`);
    }
    return errors;
  }
}

/** Account IDs (12 digits) and Region names inside a template string. */
const ACCOUNT_IN_STRING = /(^|[^0-9])(\d{12})(?![0-9])/;
const REGION_IN_STRING = /\b((?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-(?:central|north|south|east|west|northeast|northwest|southeast|southwest)-\d)\b/;

function scan(value: unknown, where: string, found: string[]): void {
  if (typeof value === 'string') {
    const account = ACCOUNT_IN_STRING.exec(value);
    if (account) {
      found.push(`an account ID is fixed in the template at ${where}: use the AWS::AccountId pseudo parameter or a CloudFormation parameter. Received: ${quote(value)}`);
    }
    const region = REGION_IN_STRING.exec(value);
    if (region) {
      found.push(`a Region is fixed in the template at ${where}: use the AWS::Region pseudo parameter or a CloudFormation parameter. Received: ${quote(value)}`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => scan(v, `${where}[${i}]`, found));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Fn::ImportValue') {
        found.push(`a cross-stack reference (Fn::ImportValue) at ${where}: exports of one account and Region do not exist in the others. Received: ${JSON.stringify(v)}`);
        continue;
      }
      // The inline handler code is the library's bundle, not configuration.
      if (k === 'ZipFile') continue;
      scan(v, `${where}.${k}`, found);
    }
  }
}

function findParentStack(scope: Construct, id: string): Stack {
  let parent: Stack | undefined;
  try {
    parent = Stack.of(scope);
  } catch {
    parent = undefined;
  }
  if (parent === undefined || KmsGovernanceBaseline.isKmsGovernanceBaseline(parent)) {
    throw new Error(
      `KmsGovernanceBaseline '${id}' must be defined inside the stack that deploys its stack set (its template is a file asset of that stack). ` +
        `Received: scope '${scope.node.path || '(the app)'}'${parent ? ', another baseline' : ', which is in no stack'}`,
    );
  }
  return parent;
}

/**
 * The synthesizer of a baseline: the template only, no stack artifact, and no assets (the
 * accounts and Regions of a stack set have no asset bucket for them).
 */
class BaselineSynthesizer extends StackSynthesizer {
  public addFileAsset(asset: FileAssetSource): FileAssetLocation {
    throw new Error(
      `A KmsGovernanceBaseline cannot hold file assets (received: ${asset.fileName ?? asset.executable?.join(' ') ?? asset.sourceHash}): ` +
        'StackSets deploys it to accounts and Regions that have no asset bucket. The library\'s own handlers are inline code; use inline code for yours.',
    );
  }

  public addDockerImageAsset(asset: DockerImageAssetSource): DockerImageAssetLocation {
    throw new Error(`A KmsGovernanceBaseline cannot hold Docker image assets (received: ${asset.directoryName ?? asset.sourceHash}): StackSets deploys it to accounts and Regions that have no image repository for them.`);
  }

  public synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
  }
}
