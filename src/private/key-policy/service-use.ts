import { Annotations, CfnResource, DefaultTokenResolver, IResolvable, IResolveContext, IPostProcessor, Reference, Stack, StringConcat, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { Conditions } from './conditions';
import { PassStep, deferToAppPass } from '../app-pass';
import { KEY_PROPERTY_NAMES, PUBLISHING_DESTINATION, PUBLISHING_INTEGRATIONS, SERVICE_INTEGRATIONS, ServiceIntegration, integrationStatements } from '../service-contract';

/**
 * How a key learns who uses it. Any resource of the app — an L2 or an L1, in the key's stack or
 * another — that points at a library key in an encryption property (per the service contract) gets
 * the contract's statements in that key's policy; a service that publishes into a queue or topic
 * encrypted with the key gets its publishing statement. This runs once per app, when synthesis
 * prepares the tree (the app pass, app-pass.ts), so every resource exists and none needs extra code.
 *
 * Why a pass over the tree and not the grant paths: CloudFormation creates resources with the
 * deploying role's credentials (DynamoDB, RDS, Lambda, EBS… call AWS KMS as the caller), which no L2
 * grant covers, and an L1 makes no grant at all. Only the template says which resource uses which
 * key. The statements hold no reference to the resource (account, Region and ARN patterns only), so a
 * resource in another stack never makes the key's stack depend on it.
 */

/** What a library key gives the pass: its resources, aliases, and how to add a statement. */
export interface ServiceUseTarget {
  /** The key's construct path, for messages. */
  readonly path: string;
  /** The key's own CloudFormation resource (`AWS::KMS::Key` or `AWS::KMS::ReplicaKey`). */
  readonly resource: CfnResource;
  /** Its aliases' resources, which a property may reference instead. */
  aliasResources(): CfnResource[];
  /** Its literal alias names (`alias/...`), which a property may hold instead. */
  aliasNames(): string[];
  /** Put a contract statement into the key policy. */
  allow(principal: iam.IPrincipal, actions: readonly string[], conditions: Conditions, sid: string): void;
}

/** The mark of the pass on the app root; a registered symbol, so that copies of the package share it. */
const SERVICE_USE = Symbol.for('cdk-kms-governance.ServiceUse');

/** The mark of a resource whose key use its construct grants itself, more narrowly than the contract. */
const USE_GRANTED = Symbol.for('cdk-kms-governance.KeyUseGranted');

/**
 * Tell the pass that a resource's construct has granted its service's key use itself, scoped more
 * narrowly than the contract can be (KeyAuditTrail names its own trail), so the pass adds nothing.
 */
export function markKeyUseGranted(resource: CfnResource): void {
  Object.defineProperty(resource, USE_GRANTED, { value: true });
}

/** Register a key with the app's pass, creating the pass on first use. */
export function registerServiceUse(scope: IConstruct, target: ServiceUseTarget): void {
  const root = scope.node.root as IConstruct & { [SERVICE_USE]?: ServiceUsePass };
  let pass = root[SERVICE_USE];
  if (!pass) {
    const created = new ServiceUsePass();
    pass = created;
    Object.defineProperty(root, SERVICE_USE, { value: pass });
    deferToAppPass(root, PassStep.READ, () => created.run(root));
  }
  pass.targets.push(target);
}

/** The contract entries by resource type, with the property paths to read. */
const BY_TYPE = new Map<string, Array<{ integration: ServiceIntegration; path: string[] }>>();
for (const integration of SERVICE_INTEGRATIONS) {
  for (const ref of integration.references) {
    const list = BY_TYPE.get(ref.type) ?? [];
    list.push({ integration, path: ref.path.split('.') });
    BY_TYPE.set(ref.type, list);
  }
}

/** Resource types whose key references the library handles itself, or that are no use of a key. */
const NOT_A_USE = /^(AWS::KMS::|AWS::IAM::|Custom::KmsGovernance|AWS::CloudFormation::|AWS::CDK::)/;

/** The one pass of an app. */
class ServiceUsePass {
  public readonly targets: ServiceUseTarget[] = [];

  public run(node: IConstruct): void {
    const resources = node.node.findAll().filter(CfnResource.isCfnResource);
    const keys = new Map<IConstruct, ServiceUseTarget>();
    const aliasNames = new Map<string, ServiceUseTarget>();
    for (const target of this.targets) {
      keys.set(target.resource, target);
      target.aliasResources().forEach((a) => keys.set(a, target));
      target.aliasNames().forEach((n) => aliasNames.set(n, target));
    }
    // What each queue and topic is encrypted with, for the publishing integrations.
    const destinations = new Map<IConstruct, { target: ServiceUseTarget; type: string }>();
    const uses: Array<{ resource: CfnResource; integration: ServiceIntegration; targets: Set<ServiceUseTarget> | Set<IConstruct> }> = [];

    for (const resource of resources) {
      if (USE_GRANTED in resource) continue;
      const entries = BY_TYPE.get(resource.cfnResourceType);
      if (!entries) {
        if (!NOT_A_USE.test(resource.cfnResourceType)) this.warnIfUnknownUse(resource, keys, aliasNames);
        continue;
      }
      const reader = new ReferenceReader(resource, keys);
      for (const { integration, path } of entries) {
        if (PUBLISHING_INTEGRATIONS.has(integration.id)) {
          const referenced = reader.referencedConstructs(path);
          if (referenced.size > 0) uses.push({ resource, integration, targets: referenced });
          continue;
        }
        const targets = reader.keysAt(path, aliasNames);
        if (targets.size === 0) continue;
        uses.push({ resource, integration, targets });
        if (resource.cfnResourceType === 'AWS::SQS::Queue' || resource.cfnResourceType === 'AWS::SNS::Topic') {
          for (const t of targets) destinations.set(resource, { target: t, type: resource.cfnResourceType });
        }
      }
    }

    for (const use of uses) {
      try {
        this.allowUse(use, destinations);
      } catch (e) {
        throw new Error(`${use.resource.node.path} (${use.resource.cfnResourceType}) uses a key for ${use.integration.service}, and its key policy cannot allow it: ${(e as Error).message}`);
      }
    }
  }

  private allowUse(
    use: { resource: CfnResource; integration: ServiceIntegration; targets: Set<ServiceUseTarget> | Set<IConstruct> },
    destinations: Map<IConstruct, { target: ServiceUseTarget; type: string }>,
  ): void {
    if (!PUBLISHING_INTEGRATIONS.has(use.integration.id)) {
      for (const target of use.targets as Set<ServiceUseTarget>) allowIntegration(target, use.integration);
      return;
    }
    const wanted = PUBLISHING_DESTINATION[use.integration.id];
    for (const c of use.targets as Set<IConstruct>) {
      const destination = destinations.get(c);
      if (destination && (wanted === 'any' || wanted === destination.type)) allowIntegration(destination.target, use.integration);
    }
  }

  /** A resource of a type without a contract entry that points at a library key: say so. */
  private warnIfUnknownUse(resource: CfnResource, keys: Map<IConstruct, ServiceUseTarget>, aliasNames: Map<string, ServiceUseTarget>): void {
    // Only resources with a key property are resolved: resolving every resource would double synth.
    if (!hasKeyProperty((resource as unknown as { cfnProperties?: unknown }).cfnProperties)) return;
    const reader = new ReferenceReader(resource, keys);
    for (const name of findKeyProperties(reader.properties())) {
      for (const target of reader.keysAt(name, aliasNames)) {
        Annotations.of(resource).addWarningV2(
          'cdk-kms-governance:unknownKeyUse',
          `${resource.node.path} (${resource.cfnResourceType}) uses the key ${target.path} through ${name.join('.')}, and the library ` +
            `knows no key policy requirements of ${resource.cfnResourceType}: grant what its service needs with key.grantScoped(...), ` +
            'or the service may be refused by the key policy.',
        );
      }
    }
  }
}

/** Put an integration's statements into a key's policy, in the key's environment. */
function allowIntegration(target: ServiceUseTarget, integration: ServiceIntegration): void {
  const stack = Stack.of(target.resource);
  for (const st of integrationStatements(integration, stack)) target.allow(st.principal, st.actions, st.conditions, st.sid);
}

/** The key property names in the L1's own (camelCase) spelling. */
const KEY_PROPERTY_NAMES_LOWER = new Set(KEY_PROPERTY_NAMES.map((n) => n.toLowerCase()));

/** Whether an L1's unresolved properties have a key property anywhere (plain objects and arrays only). */
function hasKeyProperty(value: unknown, depth = 0): boolean {
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => hasKeyProperty(v, depth + 1));
  return Object.entries(value).some(([k, v]) => (KEY_PROPERTY_NAMES_LOWER.has(k.toLowerCase()) && v !== undefined) || hasKeyProperty(v, depth + 1));
}

/**
 * The key property paths in a resource's properties: every property, at any depth, whose name is one
 * that CloudFormation uses for keys.
 */
function findKeyProperties(value: unknown, at: string[] = []): string[][] {
  if (Array.isArray(value)) return value.flatMap((v) => findKeyProperties(v, [...at.slice(0, -1), `${at[at.length - 1] ?? ''}[]`]));
  if (value === null || typeof value !== 'object') return [];
  const out: string[][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (KEY_PROPERTY_NAMES.includes(k)) out.push([...at, k]);
    else out.push(...findKeyProperties(v, [...at, k]));
  }
  return out;
}

/**
 * Reads which constructs a resource's properties reference: the properties are resolved once, with
 * every reference (`Ref`, `Fn::GetAtt`, in any stack) replaced by a marker that names its target.
 */
class ReferenceReader {
  private resolved?: unknown;
  private readonly targets: IConstruct[] = [];

  constructor(private readonly resource: CfnResource, private readonly keys: Map<IConstruct, ServiceUseTarget>) {}

  /** The library keys referenced (by reference or literal alias name) under a property path. */
  public keysAt(path: string[], aliasNames: Map<string, ServiceUseTarget>): Set<ServiceUseTarget> {
    const found = new Set<ServiceUseTarget>();
    for (const value of this.valuesAt(path)) {
      for (const c of this.markersIn(value)) {
        const target = this.keys.get(c);
        if (target) found.add(target);
      }
      if (typeof value === 'string' && aliasNames.has(value)) found.add(aliasNames.get(value)!);
    }
    return found;
  }

  /** Every construct referenced under a property path. */
  public referencedConstructs(path: string[]): Set<IConstruct> {
    return new Set(this.valuesAt(path).flatMap((v) => this.markersIn(v)));
  }

  private valuesAt(path: string[]): unknown[] {
    let values: unknown[] = [this.properties()];
    for (const part of path) {
      const list = part.endsWith('[]');
      const name = list ? part.slice(0, -2) : part;
      values = values.flatMap((v) => {
        const next = name === '' ? v : (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined);
        if (next === undefined) return [];
        return list && Array.isArray(next) ? next : [next];
      });
    }
    return values;
  }

  private markersIn(value: unknown): IConstruct[] {
    const text = JSON.stringify(value) ?? '';
    return [...text.matchAll(/\u00abkmsgov-ref:(\d+)\u00bb/g)].map((m) => this.targets[Number(m[1])]);
  }

  /** The resource's properties as its template will hold them, with references as markers. */
  public properties(): unknown {
    if (this.resolved === undefined) {
      const rendered = Tokenization.resolve((this.resource as unknown as { _toCloudFormation(): object })._toCloudFormation(), {
        scope: this.resource,
        resolver: new MarkingResolver(this.targets),
        preparing: true,
      });
      this.resolved = Object.values<{ Properties?: unknown }>(rendered?.Resources ?? {})[0]?.Properties ?? {};
    }
    return this.resolved;
  }
}

/** Resolves every reference to a marker naming its target; everything else as usual. */
class MarkingResolver extends DefaultTokenResolver {
  constructor(private readonly targets: IConstruct[]) {
    super(new StringConcat());
  }

  public resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
    if (Reference.isReference(t)) {
      this.targets.push(t.target);
      // An intrinsic-shaped marker: a property validator that accepts { Ref } where it wants a
      // number or a list (a CfnParameter as an alarm threshold) accepts the marker too.
      return { Ref: `\u00abkmsgov-ref:${this.targets.length - 1}\u00bb` };
    }
    return super.resolveToken(t, context, postProcessor);
  }
}
