/**
 * Policy-behaviour test helper: answers "may principal P do action A on resource R (with
 * context C)" for synthesized CDK stacks.
 *
 * TEST SUPPORT ONLY. It is built on `@cloud-copilot/iam-simulate` (AGPL, dev dependency):
 * never import this module (or that package) from `src/`.
 *
 * What is evaluated
 * - identity policies of the principal: inline role/user/group `Policies`, `AWS::IAM::Policy`
 *   and `AWS::IAM::ManagedPolicy` attached through `Roles`/`Users`/`Groups`, `ManagedPolicyArns`
 *   (template managed policies, or documents passed in `options.externalManagedPolicies`),
 *   the groups of a user, and a role/user `PermissionsBoundary`;
 * - the resource policy of the resource: KMS key policy (`AWS::KMS::Key` / `ReplicaKey`), S3
 *   bucket policy, SQS queue policy, SNS topic policy, and the role trust policy for `sts:*`
 *   actions on a role ARN.
 * No SCPs/RCPs, session policies, VPC endpoint policies or KMS grants are modelled.
 *
 * KMS key-policy semantics ("delegation to IAM") are implemented by iam-simulate itself
 * (`KmsServiceAuthorizer`): for a KMS *key* resource, a same-account identity policy only counts
 * when a key-policy Allow statement matches the caller at account level (Principal
 * `arn:aws:iam::<acct>:root` or `"<acct>"`) for that action with its conditions satisfied;
 * otherwise only key-policy statements naming the principal directly can allow. Explicit denies
 * in any policy win. S3 (and other services) use the normal same-account rule: identity policy
 * OR resource policy, no explicit deny. Role trust policies (`StsServiceAuthorizer`) must allow
 * the caller directly, or at account level in which case the identity policy must allow too.
 */
import {
  allowedContextKeysForRequest,
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey,
  type RequestAnalysis,
  type Simulation,
  type StatementExplain,
} from '@cloud-copilot/iam-simulate';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  CfnResolutionError,
  CfnResolver,
  type CfnTemplate,
  type ResourceRecord,
  type StackEnvironment,
  type StackModel,
} from './policy-intrinsics';
import { TEST_ENV } from './stacks';

export { CfnResolutionError } from './policy-intrinsics';
export type { StackEnvironment } from './policy-intrinsics';

/** Default environment used for env-agnostic stacks: the test environment. */
export const DEFAULT_ACCOUNT = TEST_ENV.account;
export const DEFAULT_REGION = TEST_ENV.region;
export const DEFAULT_PARTITION = 'aws';

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: any;
}

export interface SimulationRequest {
  /**
   * The caller: an IAM role / user ARN (`roleArn()` / `userArn()` give ARNs of template
   * principals), an STS assumed-role ARN (mapped to its role), an account root ARN, or a service
   * principal such as `cloudtrail.amazonaws.com`.
   */
  readonly principal: string;
  /** e.g. `kms:Decrypt`. Must be a real IAM action. */
  readonly action: string;
  /** Resource ARN (`keyArn()`, `bucketArn()`, `objectArn()`, ...), or `*` for wildcard-only actions. */
  readonly resource: string;
  /**
   * Request context. Defaults are filled in first and can be overridden here:
   * `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:PrincipalIsAWSService`,
   * `aws:PrincipalTag/<key>` (the tags of a template role or user), `aws:PrincipalServiceName`
   * (service principals), `kms:CallerAccount` (kms actions), `aws:PrincipalOrgID` and
   * `aws:PrincipalOrgPaths` (principals of member accounts of `options.organization`),
   * `aws:RequestedRegion`, and `aws:SecureTransport=true`.
   * Keys that do not apply to the action/resource are an error (see `allowInapplicableContextKeys`).
   */
  readonly context?: Record<string, string | string[]>;
  /** Do not fill in the default context keys listed above. */
  readonly noDefaultContext?: boolean;
  /** Silently ignore request context keys that do not apply to the action (as AWS would). */
  readonly allowInapplicableContextKeys?: boolean;
  /**
   * Resource policy to use instead of looking it up in the templates; `null` means "no resource
   * policy". Required for KMS keys / buckets / queues / topics / roles not defined in the templates.
   */
  readonly resourcePolicy?: PolicyDocument | null;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** Full result of one simulation. */
export interface SimulationResult {
  readonly decision: Decision;
  readonly request: SimulationRequest;
  /** The context actually passed to the simulator (defaults + request, normalized). */
  readonly effectiveContext: Record<string, string | string[]>;
  /** Context keys given in the request that do not apply to the action (ignored). */
  readonly ignoredContextKeys: string[];
  /** Names of the identity policies evaluated (stack/logicalId, or ARN for external ones). */
  readonly identityPolicies: string[];
  readonly permissionBoundaries: string[];
  /** Where the resource policy came from, if any. */
  readonly resourcePolicySource?: string;
  /** iam-simulate's analysis (statements that allowed / denied / did not match). */
  readonly analysis?: RequestAnalysis;
  readonly notes: string[];
}

/**
 * The AWS Organization that accounts of a simulation belong to. AWS puts `aws:PrincipalOrgID` and
 * `aws:PrincipalOrgPaths` into the request context of a principal (an IAM role, user or account
 * root) of a member account, and neither for a principal of an account outside any organization
 * nor for an AWS service principal.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
 */
export interface SimulatedOrganization {
  /** The Organization id, `o-…`. */
  readonly id: string;
  /** The id of its root, `r-…`. */
  readonly rootId: string;
  /**
   * The member accounts, each with the OU ids from the root down to the account's parent (`[]`
   * for an account directly under the root). `aws:PrincipalOrgPaths` of such an account is the one
   * path `<id>/<rootId>/<ou>/…/<parent ou>/` (with the trailing `/`, as AWS writes it).
   */
  readonly accounts: Record<string, readonly string[]>;
}

export interface PolicySimulatorOptions {
  /** The Organization of the accounts: fills `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths`. Default: no organization. */
  readonly organization?: SimulatedOrganization;
  /** Account for stacks without a concrete account. Default 123456789012. */
  readonly account?: string;
  /** Region for stacks without a concrete region. Default us-east-1. */
  readonly region?: string;
  /** Per-stack environment (fromTemplates only; fromStacks reads it from the stack). */
  readonly stackEnvironments?: Record<string, StackEnvironment>;
  /** Values for template parameters, as `Name` or `StackName.Name`. Otherwise Default is used. */
  readonly parameters?: Record<string, string | string[]>;
  /** Documents of managed policies not defined in the templates (e.g. AWS managed), by ARN. */
  readonly externalManagedPolicies?: Record<string, PolicyDocument>;
  /**
   * What to do with a `ManagedPolicyArns` / `PermissionsBoundary` entry whose document is unknown.
   * 'error' (default) throws; 'ignore' evaluates without it (noted in the explanation).
   */
  readonly unknownManagedPolicies?: 'error' | 'ignore';
}

interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

interface PrincipalPolicies {
  readonly identity: NamedPolicy[];
  readonly boundaries: NamedPolicy[];
  readonly notes: string[];
  /** Canonical principal ARN (role ARN incl. path for assumed-role sessions). */
  readonly principalArn?: string;
  /** The role's or user's tags, which AWS puts in the request as `aws:PrincipalTag/<key>`. */
  readonly tags?: Record<string, string>;
}

interface ResourcePolicyInfo {
  readonly policy?: NamedPolicy;
  readonly account: string;
  readonly source?: string;
  readonly notes: string[];
}

interface Attachment {
  readonly kind: 'role' | 'user' | 'group';
  readonly account: string;
  readonly name: string;
  readonly policy: () => NamedPolicy;
}

interface Entity {
  readonly kind: 'role' | 'user' | 'group';
  readonly rec: ResourceRecord;
  readonly name: string;
  readonly arn: string;
}

const IAM_KIND_BY_TYPE: Record<string, Entity['kind']> = {
  'AWS::IAM::Role': 'role',
  'AWS::IAM::User': 'user',
  'AWS::IAM::Group': 'group',
};

/** STS actions whose resource policy is the role's trust policy. */
const TRUST_POLICY_ACTIONS = new Set([
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
]);

export class PolicySimulator {
  /** Synthesizes the given stacks (they may belong to the same or different apps). */
  static fromStacks(stacks: cdk.Stack[], options?: PolicySimulatorOptions): PolicySimulator;
  static fromStacks(...stacks: cdk.Stack[]): PolicySimulator;
  static fromStacks(...args: any[]): PolicySimulator {
    const [stacks, options]: [cdk.Stack[], PolicySimulatorOptions] = Array.isArray(args[0])
      ? [args[0], args[1] ?? {}]
      : [args, {}];
    if (stacks.length === 0) throw new Error('PolicySimulator.fromStacks: no stacks given');
    const defaults = { account: options.account ?? DEFAULT_ACCOUNT, region: options.region ?? DEFAULT_REGION };
    const models: StackModel[] = stacks.map((stack) => ({
      name: stack.stackName,
      template: Template.fromStack(stack).toJSON(),
      account: cdk.Token.isUnresolved(stack.account) ? defaults.account : stack.account,
      region: cdk.Token.isUnresolved(stack.region) ? defaults.region : stack.region,
      partition: DEFAULT_PARTITION,
      constructPaths: constructPaths(stack),
    }));
    return new PolicySimulator(models, options);
  }

  /** Uses already-synthesized templates, keyed by stack name. */
  static fromTemplates(templates: Record<string, CfnTemplate>, options: PolicySimulatorOptions = {}): PolicySimulator {
    const models: StackModel[] = Object.entries(templates).map(([name, template]) => {
      const env = options.stackEnvironments?.[name] ?? {};
      return {
        name,
        template,
        account: env.account ?? options.account ?? DEFAULT_ACCOUNT,
        region: env.region ?? options.region ?? DEFAULT_REGION,
        partition: env.partition ?? DEFAULT_PARTITION,
      };
    });
    if (models.length === 0) throw new Error('PolicySimulator.fromTemplates: no templates given');
    return new PolicySimulator(models, options);
  }

  private readonly resolver: CfnResolver;
  private readonly defaultAccount: string;
  private readonly defaultRegion: string;
  private readonly resolvedPolicyCache = new Map<string, PolicyDocument>();
  private readonly principalCache = new Map<string, PrincipalPolicies>();
  private readonly resultCache = new Map<string, Promise<SimulationResult>>();
  private entitiesCache?: Entity[];
  private attachmentsCache?: Attachment[];

  private constructor(stacks: StackModel[], private readonly options: PolicySimulatorOptions) {
    this.resolver = new CfnResolver(stacks, options.parameters ?? {});
    this.defaultAccount = options.account ?? DEFAULT_ACCOUNT;
    this.defaultRegion = options.region ?? DEFAULT_REGION;
  }

  // ---------------------------------------------------------------------------------------------
  // ARN helpers

  /**
   * ARN of a template resource, found by logical ID or by construct path (suffix, on `/`
   * boundaries; a trailing `/Resource` may be omitted), e.g. `AppRole`, `Stack/AppRole`.
   */
  arnOf(idOrPath: string, ...types: string[]): string {
    const rec = this.find(idOrPath, types);
    const arn = this.resolver.describe(rec).arn;
    if (!arn) throw new Error(`${rec.stack.name}/${rec.logicalId} (${rec.type}) has no ARN`);
    return arn;
  }
  roleArn(idOrPath: string): string { return this.arnOf(idOrPath, 'AWS::IAM::Role'); }
  userArn(idOrPath: string): string { return this.arnOf(idOrPath, 'AWS::IAM::User'); }
  keyArn(idOrPath: string): string { return this.arnOf(idOrPath, 'AWS::KMS::Key', 'AWS::KMS::ReplicaKey'); }
  aliasArn(idOrPath: string): string { return this.arnOf(idOrPath, 'AWS::KMS::Alias'); }
  bucketArn(idOrPath: string): string { return this.arnOf(idOrPath, 'AWS::S3::Bucket'); }
  /** ARN of an object (default key `example-object`) in a template bucket. */
  objectArn(bucketIdOrPath: string, key = 'example-object'): string { return `${this.bucketArn(bucketIdOrPath)}/${key}`; }
  queueArn(idOrPath: string): string { return this.arnOf(idOrPath, 'AWS::SQS::Queue'); }
  topicArn(idOrPath: string): string { return this.arnOf(idOrPath, 'AWS::SNS::Topic'); }
  /** Account a stack is resolved in. */
  accountOf(stackName: string): string { return this.stack(stackName).account; }
  /** Root principal ARN of an account (default: the default account). */
  rootArn(account = this.defaultAccount): string { return `arn:${DEFAULT_PARTITION}:iam::${account}:root`; }

  /** The resolved (intrinsic-free) policy document of a template resource's property, for debugging. */
  resolvedProperty(idOrPath: string, property: string): unknown {
    const rec = this.find(idOrPath, []);
    return this.resolver.resolve(rec.stack, rec.properties[property], `Resources.${rec.logicalId}.Properties.${property}`);
  }

  private stack(name: string): StackModel {
    const s = this.resolver.stacks.find((x) => x.name === name);
    if (!s) throw new Error(`No stack named ${name} (have: ${this.resolver.stacks.map((x) => x.name).join(', ')})`);
    return s;
  }

  private find(idOrPath: string, types: string[]): ResourceRecord {
    const candidates = this.resolver.allResources(...types);
    const norm = idOrPath.replace(/^\/+|\/+$/g, '');
    const matches = candidates.filter((rec) => {
      if (rec.logicalId === norm || `${rec.stack.name}/${rec.logicalId}` === norm) return true;
      if (!rec.path) return false;
      const paths = [rec.path, rec.path.replace(/\/Resource$/, '')];
      return paths.some((p) => p === norm || p.endsWith(`/${norm}`));
    });
    if (matches.length === 1) return matches[0];
    const what = types.length ? types.join(' or ') : 'resource';
    if (matches.length === 0) {
      const known = candidates.map((r) => `${r.stack.name}/${r.logicalId}${r.path ? ` (${r.path})` : ''}`);
      throw new Error(`No ${what} matches "${idOrPath}". Known: ${known.join(', ') || 'none'}`);
    }
    throw new Error(`"${idOrPath}" is ambiguous for ${what}: ${matches.map((r) => `${r.stack.name}/${r.logicalId}`).join(', ')}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Simulation

  /** The decision for a request. */
  async decide(req: SimulationRequest): Promise<Decision> {
    return (await this.simulate(req)).decision;
  }

  async isAllowed(req: SimulationRequest): Promise<boolean> {
    return (await this.decide(req)) === 'Allowed';
  }

  /** Human-readable explanation of the decision (which statements matched and why others did not). */
  async explain(req: SimulationRequest): Promise<string> {
    return formatExplanation(await this.simulate(req));
  }

  /**
   * Asserts a decision; on mismatch throws an Error whose message is the explanation.
   * Use as `await sim.expectDecision(req, 'Allowed')`.
   */
  async expectDecision(req: SimulationRequest, expected: Decision): Promise<void> {
    const result = await this.simulate(req);
    if (result.decision !== expected) {
      throw new Error(`Expected ${expected} but was ${result.decision}\n${formatExplanation(result)}`);
    }
  }

  /** Runs (or returns the cached) simulation of a request. */
  simulate(req: SimulationRequest): Promise<SimulationResult> {
    const key = cacheKey(req);
    let p = this.resultCache.get(key);
    if (!p) {
      p = this.runRequest(req);
      this.resultCache.set(key, p);
      // do not cache failures: let the caller see the error again on retry
      p.catch(() => this.resultCache.delete(key));
    }
    return p;
  }

  private async runRequest(req: SimulationRequest): Promise<SimulationResult> {
    const actionParts = req.action.split(':');
    if (actionParts.length !== 2) throw new Error(`Invalid action "${req.action}" (expected service:Action)`);
    const service = actionParts[0].toLowerCase();
    const principal = this.principalPolicies(req.principal);
    const resource = this.resourcePolicyFor(req);
    const notes = [...principal.notes, ...resource.notes];

    const context = await this.buildContext(req, principal, service, actionParts[1]);

    const simulation: Simulation = {
      request: {
        principal: req.principal,
        action: req.action,
        resource: { resource: req.resource, accountId: resource.account },
        contextVariables: context.values,
      },
      identityPolicies: principal.identity.map((p) => ({ name: p.name, policy: p.policy })),
      permissionBoundaryPolicies: principal.boundaries.length
        ? principal.boundaries.map((p) => ({ name: p.name, policy: p.policy }))
        : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // (the document itself must not carry extra keys: the validator rejects them)
      resourcePolicy: resource.policy?.policy,
    };
    const response = await runSimulation(simulation, { simulationMode: 'Strict' });
    if (response.resultType === 'error') {
      throw new Error(
        `iam-simulate rejected the request ${req.action} by ${req.principal} on ${req.resource}: ` +
        `${JSON.stringify(response.errors, null, 2)}`,
      );
    }
    let decision: Decision = response.overallResult;
    const analysis = response.resultType === 'single' ? response.result.analysis : undefined;

    if (context.needsUnsafe.length > 0) {
      // iam-simulate 0.1.x's runSimulation drops context keys whose variable part is separated by
      // ':' (kms:EncryptionContext:<key>). The policies were validated by runSimulation above, so
      // re-run the same simulation with the full context through runUnsafeSimulation. Policies are
      // passed in the (plain-data) ValidatedPolicy shape so they carry a name (its resource policy
      // loader needs one).
      decision = runUnsafeSimulation({
        ...simulation,
        identityPolicies: simulation.identityPolicies.map((p) => ({ name: p.name, policy: validated(p.policy, p.name) })),
        permissionBoundaryPolicies: simulation.permissionBoundaryPolicies?.map((p) => ({ name: p.name, policy: validated(p.policy, p.name) })),
        resourcePolicy: resource.policy ? validated(resource.policy.policy, resource.policy.name) : undefined,
      }, { simulationMode: 'Strict' });
      notes.push(
        `Decision computed with ${context.needsUnsafe.join(', ')} (via runUnsafeSimulation); the statement ` +
        'analysis above was produced without those keys and may disagree on statements that use them.',
      );
    }

    return {
      decision,
      request: req,
      effectiveContext: context.values,
      ignoredContextKeys: context.ignored,
      identityPolicies: principal.identity.map((p) => p.name),
      permissionBoundaries: principal.boundaries.map((p) => p.name),
      resourcePolicySource: resource.source,
      analysis,
      notes,
    };
  }

  private async buildContext(
    req: SimulationRequest,
    principal: PrincipalPolicies,
    service: string,
    actionName: string,
  ): Promise<{ values: Record<string, string | string[]>; ignored: string[]; needsUnsafe: string[] }> {
    const defaults: Record<string, string | string[]> = {};
    // aws:PrincipalOrgPaths is multi-valued: set once the defaults are known.
    let orgPaths: string[] | undefined;
    if (!req.noDefaultContext) {
      defaults['aws:SecureTransport'] = 'true';
      const region = arnRegion(req.resource);
      defaults['aws:RequestedRegion'] = region || this.defaultRegion;
      if (isServicePrincipal(req.principal)) {
        defaults['aws:PrincipalIsAWSService'] = 'true';
        defaults['aws:PrincipalServiceName'] = req.principal;
      } else if (principal.principalArn) {
        const account = arnAccount(principal.principalArn);
        defaults['aws:PrincipalArn'] = principal.principalArn;
        defaults['aws:PrincipalAccount'] = account;
        defaults['aws:PrincipalIsAWSService'] = 'false';
        defaults['aws:PrincipalType'] = principalType(principal.principalArn);
        for (const [k, v] of Object.entries(principal.tags ?? {})) defaults[`aws:PrincipalTag/${k}`] = v;
        if (service === 'kms') defaults['kms:CallerAccount'] = account;
        const org = this.options.organization;
        const ous = org?.accounts[account];
        if (org && ous) {
          defaults['aws:PrincipalOrgID'] = org.id;
          orgPaths = [[org.id, org.rootId, ...ous].map((part) => `${part}/`).join('')];
        }
      }
    }
    if (orgPaths) defaults['aws:PrincipalOrgPaths'] = orgPaths;
    const userKeys = new Set(Object.keys(req.context ?? {}).map((k) => k.toLowerCase()));
    const merged: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(defaults)) if (!userKeys.has(k.toLowerCase())) merged[k] = v;
    Object.assign(merged, req.context ?? {});

    let allowed: string[];
    try {
      allowed = await allowedContextKeysForRequest(service, actionName, req.resource, false, undefined);
    } catch {
      // e.g. unknown action or ambiguous resource type: pass everything through, runSimulation
      // reports the actual problem.
      return { values: merged, ignored: [], needsUnsafe: [] };
    }
    const exact = new Set(allowed);
    // Variable keys are written `kms:EncryptionContext:${Key}`, `<key>`, or `aws:PrincipalTag/tag-key`.
    const variablePrefixes = allowed
      .map((k) => /^(.*?)(\$\{|<|(?<=\/)tag-key$)/.exec(k)?.[1])
      .filter((p): p is string => !!p);

    const values: Record<string, string | string[]> = {};
    const ignored: string[] = [];
    const needsUnsafe: string[] = [];
    for (const [key, value] of Object.entries(merged)) {
      const lower = key.toLowerCase();
      const applies = exact.has(lower) || variablePrefixes.some((p) => lower.startsWith(p) && lower.length > p.length);
      if (!applies) {
        if (userKeys.has(lower)) ignored.push(key);
        continue;
      }
      // mirror runSimulation's own check to find keys it would wrongly drop
      const slash = lower.indexOf('/');
      const libraryAccepts = exact.has(lower) ||
        (slash >= 0 && allowed.some((k) => k.startsWith(lower.slice(0, slash + 1))));
      if (!libraryAccepts) needsUnsafe.push(key);
      const type = await typeForContextKey(lower).catch(() => undefined);
      if (type && isConditionKeyArray(type)) values[key] = [value].flat();
      else values[key] = Array.isArray(value) ? value[0] : value;
    }
    if (ignored.length > 0 && !req.allowInapplicableContextKeys) {
      throw new Error(
        `Context key(s) ${ignored.join(', ')} do not apply to ${req.action} on ${req.resource}; AWS would never ` +
        'send them, so conditions on them would be evaluated as missing. Remove them or set allowInapplicableContextKeys.',
      );
    }
    return { values, ignored, needsUnsafe };
  }

  // ---------------------------------------------------------------------------------------------
  // Identity side

  private entities(): Entity[] {
    if (!this.entitiesCache) {
      this.entitiesCache = this.resolver.allResources(...Object.keys(IAM_KIND_BY_TYPE)).map((rec) => {
        const d = this.resolver.describe(rec);
        return { kind: IAM_KIND_BY_TYPE[rec.type], rec, name: d.name, arn: d.arn! };
      });
    }
    return this.entitiesCache;
  }

  /** AWS::IAM::Policy / AWS::IAM::ManagedPolicy attachments through Roles / Users / Groups. */
  private attachments(): Attachment[] {
    if (!this.attachmentsCache) {
      const out: Attachment[] = [];
      for (const rec of this.resolver.allResources('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
        const policy = () => ({
          name: rec.type === 'AWS::IAM::ManagedPolicy' ? `${rec.stack.name}/${rec.logicalId} (${this.resolver.describe(rec).arn})` : `${rec.stack.name}/${rec.logicalId}`,
          policy: this.document(rec, 'PolicyDocument'),
        });
        for (const [prop, kind] of [['Roles', 'role'], ['Users', 'user'], ['Groups', 'group']] as const) {
          const names = this.resolver.resolveStringList(rec.stack, rec.properties[prop], `Resources.${rec.logicalId}.Properties.${prop}`);
          for (const name of names) out.push({ kind, account: rec.stack.account, name: nameFromArnOrName(name), policy });
        }
      }
      this.attachmentsCache = out;
    }
    return this.attachmentsCache;
  }

  /** Resolves a policy-document property of a resource (cached). */
  private document(rec: ResourceRecord, prop: string, value: unknown = rec.properties[prop], suffix = ''): PolicyDocument {
    const key = `${rec.stack.name}\u0000${rec.logicalId}\u0000${prop}${suffix}`;
    let doc = this.resolvedPolicyCache.get(key);
    if (!doc) {
      const where = `Resources.${rec.logicalId}.Properties.${prop}${suffix}`;
      if (value === undefined) throw new CfnResolutionError(`${rec.stack.name}: ${where} is missing`);
      const resolved = this.resolver.resolve(rec.stack, value, where);
      doc = normalizePolicyDocument(typeof resolved === 'string' ? JSON.parse(resolved) : resolved);
      this.resolvedPolicyCache.set(key, doc);
    }
    return doc;
  }

  private managedPolicy(arn: string, usedBy: string, notes: string[]): NamedPolicy | undefined {
    const tpl = this.resolver.allResources('AWS::IAM::ManagedPolicy').find((rec) => this.resolver.describe(rec).arn === arn);
    if (tpl) return { name: `${tpl.stack.name}/${tpl.logicalId} (${arn})`, policy: this.document(tpl, 'PolicyDocument') };
    const external = this.options.externalManagedPolicies?.[arn];
    if (external) return { name: arn, policy: normalizePolicyDocument(external) };
    if (this.options.unknownManagedPolicies === 'ignore') {
      notes.push(`Managed policy ${arn} (used by ${usedBy}) is not in the templates or externalManagedPolicies; ignored.`);
      return undefined;
    }
    throw new Error(
      `Managed policy ${arn} (used by ${usedBy}) is neither defined in the templates nor given in ` +
      'options.externalManagedPolicies (set options.unknownManagedPolicies = "ignore" to skip it)',
    );
  }

  private entityPolicies(entity: Entity, notes: string[]): NamedPolicy[] {
    const { rec } = entity;
    const out: NamedPolicy[] = [];
    const inline = this.resolver.resolve(rec.stack, rec.properties.Policies, `Resources.${rec.logicalId}.Properties.Policies`);
    if (inline !== undefined) {
      if (!Array.isArray(inline)) throw new CfnResolutionError(`${rec.stack.name}/${rec.logicalId}: Policies is not a list`);
      inline.forEach((p: any, i) => {
        out.push({
          name: `${rec.stack.name}/${rec.logicalId}#inline:${p.PolicyName ?? i}`,
          policy: this.document(rec, 'Policies', rec.properties.Policies[i]?.PolicyDocument, `[${i}].PolicyDocument`),
        });
      });
    }
    const arns = this.resolver.resolveStringList(rec.stack, rec.properties.ManagedPolicyArns, `Resources.${rec.logicalId}.Properties.ManagedPolicyArns`);
    for (const arn of arns) {
      const p = this.managedPolicy(arn, `${rec.stack.name}/${rec.logicalId}`, notes);
      if (p) out.push(p);
    }
    for (const a of this.attachments()) {
      if (a.kind === entity.kind && a.account === rec.stack.account && a.name === entity.name) out.push(a.policy());
    }
    return out;
  }

  private principalPolicies(principal: string): PrincipalPolicies {
    let cached = this.principalCache.get(principal);
    if (cached) return cached;
    const notes: string[] = [];
    if (isServicePrincipal(principal)) {
      cached = { identity: [], boundaries: [], notes };
    } else {
      const parsed = parsePrincipalArn(principal);
      const entity = parsed && this.entities().find((e) =>
        e.kind === parsed.kind && arnAccount(e.arn) === parsed.account &&
        (parsed.byNameOnly ? e.name === parsed.name : e.arn === principal));
      if (!parsed) {
        throw new Error(`Unsupported principal "${principal}": use an IAM role/user ARN, an STS assumed-role ARN, ` +
          'an account root ARN or a service principal (*.amazonaws.com)');
      }
      if (parsed.kind === 'root') {
        // The root user has every permission in its account without any IAM policy (iam-simulate has
        // no notion of that), but resource policies still apply: e.g. a key policy must allow the account.
        const identity: NamedPolicy[] = [{
          name: 'implicit root-user permissions',
          policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        }];
        cached = { identity, boundaries: [], notes, principalArn: parsed.canonicalArn };
      } else if (!entity) {
        notes.push(`Principal ${principal} is not defined in the templates: no identity policies.`);
        cached = { identity: [], boundaries: [], notes, principalArn: parsed.canonicalArn };
      } else {
        const identity = this.entityPolicies(entity, notes);
        if (entity.kind === 'user') {
          for (const group of this.groupsOf(entity)) identity.push(...this.entityPolicies(group, notes));
        }
        const boundaries: NamedPolicy[] = [];
        const pb = this.resolver.resolve(entity.rec.stack, entity.rec.properties.PermissionsBoundary,
          `Resources.${entity.rec.logicalId}.Properties.PermissionsBoundary`);
        if (pb !== undefined) {
          if (typeof pb !== 'string') throw new CfnResolutionError(`${entity.rec.logicalId}: PermissionsBoundary is not a string`);
          const p = this.managedPolicy(pb, `${entity.rec.stack.name}/${entity.rec.logicalId} (permissions boundary)`, notes);
          if (p) boundaries.push(p);
        }
        cached = { identity, boundaries, notes, principalArn: entity.arn, tags: this.tagsOf(entity.rec) };
      }
    }
    this.principalCache.set(principal, cached);
    return cached;
  }

  private tagsOf(rec: ResourceRecord): Record<string, string> {
    const tags = this.resolver.resolve(rec.stack, rec.properties.Tags, `Resources.${rec.logicalId}.Properties.Tags`) ?? [];
    if (!Array.isArray(tags)) throw new CfnResolutionError(`${rec.stack.name}/${rec.logicalId}: Tags is not a list`);
    return Object.fromEntries(tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
  }

  private groupsOf(user: Entity): Entity[] {
    const names = new Set(this.resolver.resolveStringList(user.rec.stack, user.rec.properties.Groups,
      `Resources.${user.rec.logicalId}.Properties.Groups`));
    for (const rec of this.resolver.allResources('AWS::IAM::UserToGroupAddition')) {
      if (rec.stack.account !== user.rec.stack.account) continue;
      const users = this.resolver.resolveStringList(rec.stack, rec.properties.Users, `Resources.${rec.logicalId}.Properties.Users`);
      if (users.includes(user.name)) {
        names.add(this.resolver.resolveString(rec.stack, rec.properties.GroupName, `Resources.${rec.logicalId}.Properties.GroupName`));
      }
    }
    return this.entities().filter((e) => e.kind === 'group' && e.rec.stack.account === user.rec.stack.account && names.has(e.name));
  }

  // ---------------------------------------------------------------------------------------------
  // Resource side

  private resourcePolicyFor(req: SimulationRequest): ResourcePolicyInfo {
    const notes: string[] = [];
    const arn = req.resource;
    const lookup = this.lookupResourcePolicy(req.action.toLowerCase(), arn);
    const known = typeof lookup === 'object' ? lookup : undefined;
    const account = known?.account ?? (arnAccount(arn) || this.defaultAccount);
    if (req.resourcePolicy !== undefined) {
      if (known?.policy) notes.push(`Resource policy from the templates (${known.source}) replaced by request.resourcePolicy.`);
      return {
        account,
        policy: req.resourcePolicy === null ? undefined : { name: 'request.resourcePolicy', policy: normalizePolicyDocument(req.resourcePolicy) },
        source: req.resourcePolicy === null ? undefined : 'request.resourcePolicy',
        notes,
      };
    }
    if (lookup === undefined) return { account, notes };
    if (lookup === 'unknown') {
      throw new Error(
        `${arn} is not defined in the templates, so its resource policy is unknown. ` +
        'Pass request.resourcePolicy (a document, or null for "none") to simulate it anyway.',
      );
    }
    if (!lookup.policy) notes.push(`${lookup.source} has no resource policy.`);
    return { account: lookup.account, policy: lookup.policy, source: lookup.policy ? lookup.source : undefined, notes };
  }

  /**
   * undefined: the service's resource policies are not modelled (identity policies only);
   * 'unknown': modelled type but the resource is not in the templates.
   */
  private lookupResourcePolicy(action: string, arn: string):
  { account: string; policy?: NamedPolicy; source: string } | 'unknown' | undefined {
    const service = action.split(':')[0];
    const byArn = (...types: string[]) => this.resolver.allResources(...types).find((rec) => this.resolver.describe(rec).arn === arn);

    if (service === 'kms' && /^arn:[^:]+:kms:[^:]*:[^:]*:key\//.test(arn)) {
      const key = byArn('AWS::KMS::Key', 'AWS::KMS::ReplicaKey');
      if (!key) return 'unknown';
      const source = `key policy of ${key.stack.name}/${key.logicalId}`;
      if (key.properties.KeyPolicy === undefined) {
        // CloudFormation applies the default key policy (account root: kms:*) when none is given.
        return {
          account: key.stack.account,
          source: `${source} (default key policy: account root kms:*)`,
          policy: {
            name: source,
            policy: {
              Version: '2012-10-17',
              Statement: [{ Sid: 'DefaultKeyPolicy', Effect: 'Allow', Principal: { AWS: `arn:${key.stack.partition}:iam::${key.stack.account}:root` }, Action: 'kms:*', Resource: '*' }],
            },
          },
        };
      }
      return { account: key.stack.account, source, policy: { name: source, policy: this.document(key, 'KeyPolicy') } };
    }
    if (service === 's3') {
      const m = /^arn:[^:]+:s3:::([^/]+)/.exec(arn);
      if (!m) return undefined;
      const bucket = this.resolver.allResources('AWS::S3::Bucket').find((rec) => this.resolver.describe(rec).name === m[1]);
      if (!bucket) return 'unknown';
      const policies = this.resolver.allResources('AWS::S3::BucketPolicy').filter((rec) =>
        rec.stack.account === bucket.stack.account &&
        this.resolver.resolveString(rec.stack, rec.properties.Bucket, `Resources.${rec.logicalId}.Properties.Bucket`) === m[1]);
      return this.merged(`bucket ${m[1]} (${bucket.stack.name}/${bucket.logicalId})`, bucket.stack.account, policies);
    }
    if (service === 'sqs' && /^arn:[^:]+:sqs:/.test(arn)) {
      const queue = byArn('AWS::SQS::Queue');
      if (!queue) return 'unknown';
      const policies = [
        ...this.resolver.allResources('AWS::SQS::QueuePolicy').filter((rec) =>
          this.resolver.resolveStringList(rec.stack, rec.properties.Queues, `Resources.${rec.logicalId}.Properties.Queues`)
            .map(queueUrlToArn).includes(arn)),
        ...this.resolver.allResources('AWS::SQS::QueueInlinePolicy').filter((rec) =>
          queueUrlToArn(this.resolver.resolveString(rec.stack, rec.properties.Queue, `Resources.${rec.logicalId}.Properties.Queue`)) === arn),
      ];
      return this.merged(`queue ${queue.stack.name}/${queue.logicalId}`, queue.stack.account, policies);
    }
    if (service === 'sns' && /^arn:[^:]+:sns:/.test(arn)) {
      const topic = byArn('AWS::SNS::Topic');
      if (!topic) return 'unknown';
      const policies = [
        ...this.resolver.allResources('AWS::SNS::TopicPolicy').filter((rec) =>
          this.resolver.resolveStringList(rec.stack, rec.properties.Topics, `Resources.${rec.logicalId}.Properties.Topics`).includes(arn)),
        ...this.resolver.allResources('AWS::SNS::TopicInlinePolicy').filter((rec) =>
          this.resolver.resolveString(rec.stack, rec.properties.TopicArn, `Resources.${rec.logicalId}.Properties.TopicArn`) === arn),
      ];
      return this.merged(`topic ${topic.stack.name}/${topic.logicalId}`, topic.stack.account, policies);
    }
    if (TRUST_POLICY_ACTIONS.has(action) && /^arn:[^:]+:iam::[^:]*:role\//.test(arn)) {
      const role = byArn('AWS::IAM::Role');
      if (!role) return 'unknown';
      const source = `trust policy of ${role.stack.name}/${role.logicalId}`;
      return { account: role.stack.account, source, policy: { name: source, policy: this.document(role, 'AssumeRolePolicyDocument') } };
    }
    // Resources of other types: no resource policy is modelled; use the owning stack's account.
    return undefined;
  }

  private merged(what: string, account: string, policies: ResourceRecord[]): { account: string; policy?: NamedPolicy; source: string } {
    if (policies.length === 0) return { account, source: what };
    const source = `${what} policy ${policies.map((p) => `${p.stack.name}/${p.logicalId}`).join(' + ')}`;
    const statements = policies.flatMap((p) => {
      const doc = this.document(p, 'PolicyDocument');
      return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    });
    return { account, source, policy: { name: source, policy: { Version: '2012-10-17', Statement: statements } } };
  }
}

// -----------------------------------------------------------------------------------------------
// helpers

/** Logical ID -> construct path of the CloudFormation resources of a stack (not of nested stacks). */
function constructPaths(stack: cdk.Stack): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of stack.node.findAll()) {
    if (c instanceof cdk.CfnResource && cdk.Stack.of(c) === stack) {
      out[stack.resolve(c.logicalId)] = c.node.path;
    }
  }
  return out;
}

function validated(policy: PolicyDocument, name: string): any {
  // Shape of @cloud-copilot/iam-policy's ValidatedPolicy (plain data), already validated by runSimulation.
  return { __validated: true, policyDocument: policy, metadata: { name }, errors: [] };
}

function cacheKey(req: SimulationRequest): string {
  const ctx = Object.entries(req.context ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([req.principal, req.action, req.resource, ctx, !!req.noDefaultContext,
    !!req.allowInapplicableContextKeys, req.resourcePolicy === undefined ? '<templates>' : req.resourcePolicy]);
}

/** CloudFormation allows booleans/numbers where IAM expects strings; IAM treats them as strings. */
function normalizePolicyDocument(doc: any): PolicyDocument {
  if (!doc || typeof doc !== 'object' || doc.Statement === undefined) {
    throw new CfnResolutionError(`Not a policy document: ${JSON.stringify(doc)}`);
  }
  const stringify = (v: any): any => {
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    if (Array.isArray(v)) return v.map(stringify);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stringify(x)]));
    return v;
  };
  return stringify(doc);
}

function isServicePrincipal(p: string): boolean {
  return !p.startsWith('arn:') && /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(p);
}

function arnAccount(arn: string): string {
  return arn.startsWith('arn:') ? arn.split(':')[4] ?? '' : '';
}

function arnRegion(arn: string): string {
  return arn.startsWith('arn:') ? arn.split(':')[3] ?? '' : '';
}

function principalType(arn: string): string {
  if (/:root$/.test(arn)) return 'Account';
  if (/:iam::[^:]*:user\//.test(arn)) return 'User';
  return 'AssumedRole';
}

/** `arn:aws:iam::123:role/Name` or just `Name` (policy attachments may use either). */
function nameFromArnOrName(value: string): string {
  return value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
}

function queueUrlToArn(url: string): string {
  const m = /^https:\/\/sqs\.([^.]+)\.[^/]+\/(\d{12})\/(.+)$/.exec(url);
  return m ? `arn:aws:sqs:${m[1]}:${m[2]}:${m[3]}` : url;
}

interface ParsedPrincipal {
  readonly kind: 'role' | 'user' | 'group' | 'root';
  readonly account: string;
  readonly name: string;
  /** Match template entities by account + name (assumed-role sessions carry no path). */
  readonly byNameOnly: boolean;
  readonly canonicalArn: string;
}

function parsePrincipalArn(p: string): ParsedPrincipal | undefined {
  let m = /^arn:([^:]+):iam::(\d{12}):root$/.exec(p);
  if (m) return { kind: 'root', account: m[2], name: 'root', byNameOnly: false, canonicalArn: p };
  m = /^arn:([^:]+):iam::(\d{12}):(role|user)(\/.*)?\/([^/]+)$/.exec(p);
  if (m) return { kind: m[3] as 'role' | 'user', account: m[2], name: m[5], byNameOnly: false, canonicalArn: p };
  m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(p);
  if (m) {
    return { kind: 'role', account: m[2], name: m[3], byNameOnly: true, canonicalArn: `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` };
  }
  return undefined;
}

// -----------------------------------------------------------------------------------------------
// explanation

/** Formats a simulation result for humans (used in failure messages). */
export function formatExplanation(r: SimulationResult): string {
  const { request: req, analysis: a } = r;
  const lines: string[] = [];
  const scope = isServicePrincipal(req.principal) ? ' (service principal)' : a ? (a.sameAccount ? ' (same account)' : ' (cross-account)') : '';
  lines.push(`${r.decision}: ${req.principal} -> ${req.action} on ${req.resource}${scope}`);
  lines.push(`  context: ${JSON.stringify(r.effectiveContext)}`);
  if (r.ignoredContextKeys.length) lines.push(`  ignored (inapplicable) context keys: ${r.ignoredContextKeys.join(', ')}`);
  lines.push(`  identity policies: ${r.identityPolicies.join(', ') || 'none'}${a?.identityAnalysis ? ` => ${a.identityAnalysis.result}` : ''}`);
  if (a?.identityAnalysis) lines.push(...statementLines(a.identityAnalysis));
  if (r.permissionBoundaries.length) {
    lines.push(`  permissions boundary: ${r.permissionBoundaries.join(', ')}${a?.permissionBoundaryAnalysis ? ` => ${a.permissionBoundaryAnalysis.result}` : ''}`);
    if (a?.permissionBoundaryAnalysis) lines.push(...statementLines(a.permissionBoundaryAnalysis));
  }
  lines.push(`  resource policy: ${r.resourcePolicySource ?? 'none'}${a?.resourceAnalysis && r.resourcePolicySource ? ` => ${a.resourceAnalysis.result}` : ''}`);
  if (a?.resourceAnalysis && r.resourcePolicySource) lines.push(...statementLines(a.resourceAnalysis, 'resource policy'));
  if (req.action.toLowerCase().startsWith('kms:') && /:key\//.test(req.resource) && a?.sameAccount) {
    const delegating = a.resourceAnalysis?.allowStatements.filter((s) => s.principalMatch === 'AccountLevelMatch') ?? [];
    lines.push(delegating.length
      ? `  KMS: key policy delegates this request to IAM via ${delegating.map((s) => label(s.explain)).join(', ')}; identity policies count.`
      : '  KMS: no key-policy statement allows the account (root) for this request, so identity policies cannot grant it.');
  }
  if (a?.blockedBy?.length) lines.push(`  blocked by: ${a.blockedBy.join(', ')}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

interface AnalysisLike {
  readonly allowStatements: Array<{ policyId: string; explain: StatementExplain; principalMatch: string }>;
  readonly denyStatements: Array<{ policyId: string; explain: StatementExplain; principalMatch: string }>;
  readonly unmatchedStatements: Array<{ policyId: string; explain: StatementExplain; principalMatch: string }>;
}

function label(e: StatementExplain): string {
  return `${e.effect} ${/^\d+$/.test(e.identifier) ? `#${e.identifier}` : `"${e.identifier}"`}`;
}

function statementLines(a: AnalysisLike, policyName?: string): string[] {
  const out: string[] = [];
  const name = (s: { policyId: string }) => policyName ?? s.policyId;
  for (const s of a.denyStatements) out.push(`    DENY    ${name(s)} ${label(s.explain)} matched${s.principalMatch === 'AccountLevelMatch' ? ' (account-level)' : ''}`);
  for (const s of a.allowStatements) out.push(`    ALLOW   ${name(s)} ${label(s.explain)} matched${s.principalMatch === 'AccountLevelMatch' ? ' (account-level principal)' : ''}`);
  for (const s of a.unmatchedStatements) {
    const e = s.explain;
    const why: string[] = [];
    if (!e.actionMatch) why.push('action');
    if (!e.resourceMatch) why.push('resource');
    if (e.principalMatch === 'NoMatch') why.push('principal');
    if (!e.conditionMatch) {
      const failed = (e.conditions ?? []).filter((c) => !c.matches).map((c) => `${c.operator} ${c.conditionKeyValue}${c.failedBecauseMissing ? ' (key missing)' : ''}`);
      why.push(`condition${failed.length ? ` [${failed.join('; ')}]` : ''}`);
    }
    out.push(`    no match ${name(s)} ${label(e)}: ${why.join(', ') || 'n/a'} did not match`);
  }
  return out;
}
