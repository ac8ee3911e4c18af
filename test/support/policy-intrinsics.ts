/**
 * Deterministic CloudFormation intrinsic resolver used by the policy simulator
 * (test support only; never import from src/).
 *
 * Every stack gets a fixed, concrete environment (account / region / partition) and
 * every supported resource gets a deterministic physical name (its explicit name
 * property, otherwise its logical ID). Anything that cannot be resolved without
 * guessing raises a {@link CfnResolutionError} naming the stack and the location.
 */

/** A synthesized CloudFormation template (as produced by `Template.fromStack(..).toJSON()`). */
export type CfnTemplate = Record<string, any>;

/** Concrete environment a stack is resolved in. */
export interface StackEnvironment {
  readonly account?: string;
  readonly region?: string;
  readonly partition?: string;
}

/** One template plus the environment it is resolved in. */
export interface StackModel {
  readonly name: string;
  readonly template: CfnTemplate;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  /** Construct paths by logical ID, when known from the construct tree (fromStacks). */
  readonly constructPaths?: Record<string, string>;
}

/** A resource of a template that exists (its `Condition`, if any, is true). */
export interface ResourceRecord {
  readonly stack: StackModel;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, any>;
  /** `Metadata['aws:cdk:path']`, when present. */
  readonly path?: string;
}

/** Raised for anything the resolver cannot resolve deterministically. */
export class CfnResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CfnResolutionError';
  }
}

/** Marker for `{ "Ref": "AWS::NoValue" }`: removes the enclosing property / list element. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

const URL_SUFFIX = 'amazonaws.com';
const MAX_DEPTH = 64;

interface ResolvedResource {
  /** Deterministic physical name. */
  readonly name: string;
  readonly arn?: string;
  /** Value of `{ Ref: logicalId }`. */
  readonly ref: unknown;
  readonly attrs: Record<string, unknown>;
}

interface TypeContext {
  readonly rec: ResourceRecord;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  /** Resolve a property of the resource (undefined when absent). */
  prop(name: string): unknown;
}

interface TypeSpec {
  (ctx: TypeContext): ResolvedResource;
}

function str(ctx: TypeContext, prop: string, fallback: string): string {
  const v = ctx.prop(prop);
  if (v === undefined) return fallback;
  if (typeof v !== 'string') {
    throw new CfnResolutionError(`${ctx.rec.stack.name}/${ctx.rec.logicalId}: property ${prop} did not resolve to a string`);
  }
  return v;
}

function iamPath(ctx: TypeContext): string {
  return str(ctx, 'Path', '/');
}

/**
 * Physical names, Ref values and attributes of the resource types the simulator supports.
 * Names default to the logical ID (lower-cased for S3 buckets), never to CloudFormation's
 * random suffixes, so ARNs are stable and can be asserted on.
 */
const TYPE_SPECS: Record<string, TypeSpec> = {
  'AWS::IAM::Role': (c) => {
    const name = str(c, 'RoleName', c.rec.logicalId);
    const arn = `arn:${c.partition}:iam::${c.account}:role${iamPath(c)}${name}`;
    return { name, arn, ref: name, attrs: { Arn: arn, RoleId: `AROA${c.rec.logicalId.toUpperCase()}` } };
  },
  'AWS::IAM::User': (c) => {
    const name = str(c, 'UserName', c.rec.logicalId);
    const arn = `arn:${c.partition}:iam::${c.account}:user${iamPath(c)}${name}`;
    return { name, arn, ref: name, attrs: { Arn: arn } };
  },
  'AWS::IAM::Group': (c) => {
    const name = str(c, 'GroupName', c.rec.logicalId);
    const arn = `arn:${c.partition}:iam::${c.account}:group${iamPath(c)}${name}`;
    return { name, arn, ref: name, attrs: { Arn: arn } };
  },
  'AWS::IAM::ManagedPolicy': (c) => {
    const name = str(c, 'ManagedPolicyName', c.rec.logicalId);
    const arn = `arn:${c.partition}:iam::${c.account}:policy${iamPath(c)}${name}`;
    return { name, arn, ref: arn, attrs: { PolicyArn: arn } };
  },
  'AWS::IAM::Policy': (c) => {
    const name = str(c, 'PolicyName', c.rec.logicalId);
    return { name, ref: name, attrs: { Id: name } };
  },
  'AWS::IAM::InstanceProfile': (c) => {
    const name = str(c, 'InstanceProfileName', c.rec.logicalId);
    const arn = `arn:${c.partition}:iam::${c.account}:instance-profile${iamPath(c)}${name}`;
    return { name, arn, ref: name, attrs: { Arn: arn } };
  },
  'AWS::KMS::Key': kmsKey,
  'AWS::KMS::ReplicaKey': kmsKey,
  'AWS::KMS::Alias': (c) => {
    const name = str(c, 'AliasName', '');
    if (!name) throw new CfnResolutionError(`${c.rec.stack.name}/${c.rec.logicalId}: AWS::KMS::Alias without AliasName`);
    const arn = `arn:${c.partition}:kms:${c.region}:${c.account}:${name}`;
    return { name, arn, ref: name, attrs: {} };
  },
  'AWS::S3::Bucket': (c) => {
    const name = str(c, 'BucketName', c.rec.logicalId.toLowerCase());
    const arn = `arn:${c.partition}:s3:::${name}`;
    return {
      name,
      arn,
      ref: name,
      attrs: {
        Arn: arn,
        DomainName: `${name}.s3.${URL_SUFFIX}`,
        RegionalDomainName: `${name}.s3.${c.region}.${URL_SUFFIX}`,
        DualStackDomainName: `${name}.s3.dualstack.${c.region}.${URL_SUFFIX}`,
        WebsiteURL: `http://${name}.s3-website-${c.region}.${URL_SUFFIX}`,
      },
    };
  },
  'AWS::SQS::Queue': (c) => {
    const fifo = c.prop('FifoQueue') === true || c.prop('FifoQueue') === 'true';
    const name = str(c, 'QueueName', c.rec.logicalId + (fifo ? '.fifo' : ''));
    const arn = `arn:${c.partition}:sqs:${c.region}:${c.account}:${name}`;
    const url = `https://sqs.${c.region}.${URL_SUFFIX}/${c.account}/${name}`;
    return { name, arn, ref: url, attrs: { Arn: arn, QueueName: name, QueueUrl: url } };
  },
  'AWS::SNS::Topic': (c) => {
    const fifo = c.prop('FifoTopic') === true || c.prop('FifoTopic') === 'true';
    const name = str(c, 'TopicName', c.rec.logicalId + (fifo ? '.fifo' : ''));
    const arn = `arn:${c.partition}:sns:${c.region}:${c.account}:${name}`;
    return { name, arn, ref: arn, attrs: { TopicArn: arn, TopicName: name } };
  },
  'AWS::Logs::LogGroup': (c) => {
    const name = str(c, 'LogGroupName', c.rec.logicalId);
    const arn = `arn:${c.partition}:logs:${c.region}:${c.account}:log-group:${name}:*`;
    return { name, arn, ref: name, attrs: { Arn: arn } };
  },
  'AWS::Lambda::Function': (c) => {
    const name = str(c, 'FunctionName', c.rec.logicalId);
    const arn = `arn:${c.partition}:lambda:${c.region}:${c.account}:function:${name}`;
    return { name, arn, ref: name, attrs: { Arn: arn } };
  },
  'AWS::CloudTrail::Trail': (c) => {
    const name = str(c, 'TrailName', c.rec.logicalId);
    const arn = `arn:${c.partition}:cloudtrail:${c.region}:${c.account}:trail/${name}`;
    return { name, arn, ref: name, attrs: { Arn: arn } };
  },
  'AWS::SSM::Parameter': (c) => {
    const name = str(c, 'Name', c.rec.logicalId);
    const arn = `arn:${c.partition}:ssm:${c.region}:${c.account}:parameter/${name.replace(/^\//, '')}`;
    return { name, arn, ref: name, attrs: {} };
  },
  'AWS::SecretsManager::Secret': (c) => {
    const name = str(c, 'Name', c.rec.logicalId);
    const arn = `arn:${c.partition}:secretsmanager:${c.region}:${c.account}:secret:${name}-AbCdEf`;
    return { name, arn, ref: arn, attrs: { Id: arn } };
  },
  'AWS::DynamoDB::Table': (c) => {
    const name = str(c, 'TableName', c.rec.logicalId);
    const arn = `arn:${c.partition}:dynamodb:${c.region}:${c.account}:table/${name}`;
    return { name, arn, ref: name, attrs: { Arn: arn } };
  },
  // Glue: Ref is the name (DatabaseInput.Name / TableInput.Name); the ARNs follow the Glue docs
  'AWS::Glue::Database': (c) => {
    const input = c.prop('DatabaseInput') as { Name?: unknown } | undefined;
    const name = typeof input?.Name === 'string' ? input.Name : c.rec.logicalId.toLowerCase();
    const arn = `arn:${c.partition}:glue:${c.region}:${c.account}:database/${name}`;
    return { name, arn, ref: name, attrs: {} };
  },
  'AWS::Glue::Table': (c) => {
    const input = c.prop('TableInput') as { Name?: unknown } | undefined;
    const name = typeof input?.Name === 'string' ? input.Name : c.rec.logicalId.toLowerCase();
    const database = str(c, 'DatabaseName', 'default');
    return { name, arn: `arn:${c.partition}:glue:${c.region}:${c.account}:table/${database}/${name}`, ref: name, attrs: {} };
  },
  'AWS::Events::Rule': (c) => {
    const name = str(c, 'Name', c.rec.logicalId);
    const arn = `arn:${c.partition}:events:${c.region}:${c.account}:rule/${name}`;
    return { name, arn, ref: name, attrs: { Arn: arn } };
  },
};

function kmsKey(c: TypeContext): ResolvedResource {
  const id = c.rec.logicalId;
  const arn = `arn:${c.partition}:kms:${c.region}:${c.account}:key/${id}`;
  return { name: id, arn, ref: id, attrs: { Arn: arn, KeyId: id } };
}

/** Resource types whose deterministic ARN/Ref the resolver knows. */
export const SUPPORTED_RESOURCE_TYPES: readonly string[] = Object.keys(TYPE_SPECS);

interface ExportEntry {
  readonly stack: StackModel;
  readonly outputId: string;
  readonly value: unknown;
}

/**
 * Resolves CloudFormation values across a set of stacks. All results are cached;
 * a resolver is immutable once constructed.
 */
export class CfnResolver {
  private readonly resources = new Map<StackModel, Map<string, ResourceRecord>>();
  private readonly resolvedResources = new Map<ResourceRecord, ResolvedResource>();
  private readonly conditionCache = new Map<string, boolean>();
  private exports?: Map<string, ExportEntry>;
  private exportErrors: string[] = [];
  private depth = 0;

  constructor(
    public readonly stacks: readonly StackModel[],
    private readonly parameterOverrides: Record<string, unknown> = {},
  ) {
    const names = new Set<string>();
    for (const stack of stacks) {
      if (names.has(stack.name)) throw new CfnResolutionError(`Duplicate stack name ${stack.name}`);
      names.add(stack.name);
      const map = new Map<string, ResourceRecord>();
      for (const [logicalId, res] of Object.entries<any>(stack.template.Resources ?? {})) {
        if (res.Condition !== undefined && !this.condition(stack, res.Condition, `Resources.${logicalId}.Condition`)) continue;
        map.set(logicalId, {
          stack,
          logicalId,
          type: res.Type,
          properties: res.Properties ?? {},
          path: res.Metadata?.['aws:cdk:path'] ?? stack.constructPaths?.[logicalId],
        });
      }
      this.resources.set(stack, map);
    }
  }

  /** All existing resources, optionally filtered by type. */
  allResources(...types: string[]): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    for (const map of this.resources.values()) {
      for (const rec of map.values()) if (types.length === 0 || types.includes(rec.type)) out.push(rec);
    }
    return out;
  }

  /** Resolves an arbitrary template value in the context of `stack`. `where` is used in error messages. */
  resolve(stack: StackModel, value: unknown, where: string): unknown {
    const v = this.resolveInner(stack, value, where);
    if (v === NO_VALUE) return undefined;
    return v;
  }

  /** Resolves a value that must be a string. */
  resolveString(stack: StackModel, value: unknown, where: string): string {
    const v = this.resolve(stack, value, where);
    if (typeof v !== 'string') {
      throw new CfnResolutionError(`${stack.name}: ${where} resolved to ${JSON.stringify(v)}, expected a string`);
    }
    return v;
  }

  /** Resolves a value that must be a list of strings (a single string is wrapped). */
  resolveStringList(stack: StackModel, value: unknown, where: string): string[] {
    if (value === undefined) return [];
    const v = this.resolve(stack, value, where);
    const list = Array.isArray(v) ? v : [v];
    for (const item of list) {
      if (typeof item !== 'string') {
        throw new CfnResolutionError(`${stack.name}: ${where} contains ${JSON.stringify(item)}, expected strings`);
      }
    }
    return list as string[];
  }

  /** Deterministic name / ARN / Ref of a resource. */
  describe(rec: ResourceRecord): ResolvedResource {
    let r = this.resolvedResources.get(rec);
    if (r) return r;
    const spec = TYPE_SPECS[rec.type];
    if (!spec) {
      throw new CfnResolutionError(
        `${rec.stack.name}/${rec.logicalId}: resource type ${rec.type} is not supported by the policy simulator ` +
        `(supported: ${SUPPORTED_RESOURCE_TYPES.join(', ')})`,
      );
    }
    r = spec({
      rec,
      account: rec.stack.account,
      region: rec.stack.region,
      partition: rec.stack.partition,
      prop: (name) => this.resolve(rec.stack, rec.properties[name], `Resources.${rec.logicalId}.Properties.${name}`),
    });
    this.resolvedResources.set(rec, r);
    return r;
  }

  private resolveInner(stack: StackModel, value: unknown, where: string): unknown {
    if (value === null || typeof value !== 'object') return value;
    this.depth++;
    try {
      if (this.depth > MAX_DEPTH) {
        throw new CfnResolutionError(`${stack.name}: ${where}: resolution too deep (circular reference?)`);
      }
      if (Array.isArray(value)) {
        return value
          .map((item, i) => this.resolveInner(stack, item, `${where}[${i}]`))
          .filter((item) => item !== NO_VALUE);
      }
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
        return this.intrinsic(stack, keys[0], (value as any)[keys[0]], where);
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const v = this.resolveInner(stack, (value as any)[k], `${where}.${k}`);
        if (v !== NO_VALUE) out[k] = v;
      }
      return out;
    } finally {
      this.depth--;
    }
  }

  private fail(stack: StackModel, where: string, fn: string, arg: unknown, why: string): never {
    throw new CfnResolutionError(
      `Cannot resolve {"${fn}": ${JSON.stringify(arg)}} in stack ${stack.name} at ${where}: ${why}`,
    );
  }

  private intrinsic(stack: StackModel, fn: string, arg: any, where: string): unknown {
    const r = (v: unknown, suffix = '') => this.resolveInner(stack, v, `${where}${suffix}`);
    switch (fn) {
      case 'Ref':
        if (typeof arg !== 'string') this.fail(stack, where, fn, arg, 'Ref target must be a string');
        return this.ref(stack, arg, where);
      case 'Fn::GetAtt': {
        let id: unknown;
        let attr: unknown;
        if (typeof arg === 'string') {
          const dot = arg.indexOf('.');
          [id, attr] = [arg.slice(0, dot), arg.slice(dot + 1)];
        } else if (Array.isArray(arg) && arg.length === 2) {
          [id, attr] = [arg[0], r(arg[1])];
        }
        if (typeof id !== 'string' || typeof attr !== 'string') this.fail(stack, where, fn, arg, 'malformed Fn::GetAtt');
        return this.getAtt(stack, id as string, attr as string, where);
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2) this.fail(stack, where, fn, arg, 'expected [delimiter, list]');
        const delim = r(arg[0]);
        const list = r(arg[1]);
        if (typeof delim !== 'string' || !Array.isArray(list)) this.fail(stack, where, fn, arg, 'expected [string, list]');
        for (const item of list as unknown[]) {
          if (typeof item !== 'string' && typeof item !== 'number') {
            this.fail(stack, where, fn, arg, `list element resolved to ${JSON.stringify(item)}`);
          }
        }
        return (list as unknown[]).join(delim as string);
      }
      case 'Fn::Sub':
        return this.sub(stack, arg, where);
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) this.fail(stack, where, fn, arg, 'expected [index, list]');
        const index = Number(r(arg[0]));
        const list = r(arg[1]);
        if (!Array.isArray(list)) this.fail(stack, where, fn, arg, `list resolved to ${JSON.stringify(list)}`);
        if (!Number.isInteger(index) || index < 0 || index >= (list as unknown[]).length) {
          this.fail(stack, where, fn, arg, `index ${index} out of range`);
        }
        return (list as unknown[])[index];
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2) this.fail(stack, where, fn, arg, 'expected [delimiter, string]');
        const delim = r(arg[0]);
        const s = r(arg[1]);
        if (typeof delim !== 'string' || typeof s !== 'string') this.fail(stack, where, fn, arg, 'expected [string, string]');
        return (s as string).split(delim as string);
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
          this.fail(stack, where, fn, arg, 'expected [conditionName, valueIfTrue, valueIfFalse]');
        }
        return this.condition(stack, arg[0], where) ? r(arg[1]) : r(arg[2]);
      }
      case 'Fn::ImportValue': {
        const name = r(arg);
        if (typeof name !== 'string') this.fail(stack, where, fn, arg, 'export name did not resolve to a string');
        return this.importValue(name as string, stack, where);
      }
      case 'Fn::GetStackOutput': {
        // The value of an output of another stack, exported or not (aws-cdk-lib 2.27x renders
        // cross-stack references with it). Region defaults to the calling stack's; RoleArn (another
        // account) is not modelled.
        const a = arg as Record<string, unknown>;
        const name = r(a?.StackName);
        const outputName = r(a?.OutputName);
        const region = a?.Region === undefined ? stack.region : r(a.Region);
        if (typeof name !== 'string' || typeof outputName !== 'string') this.fail(stack, where, fn, arg, 'StackName and OutputName must resolve to strings');
        if (a?.RoleArn !== undefined) this.fail(stack, where, fn, arg, 'references into another account (RoleArn) are not modelled');
        const source = this.stacks.find((s) => s.name === name && s.region === region);
        const output = source?.template.Outputs?.[outputName as string];
        if (!source || !output) this.fail(stack, where, fn, arg, `no stack given to the simulator is named "${name}" in ${region} with an output "${outputName}"`);
        return this.resolveInner(source, output.Value, `Outputs.${outputName}.Value`);
      }
      case 'Fn::FindInMap': {
        if (!Array.isArray(arg) || arg.length < 3) this.fail(stack, where, fn, arg, 'expected [map, topKey, secondKey]');
        const [m, k1, k2] = [r(arg[0]), r(arg[1]), r(arg[2])] as string[];
        const v = stack.template.Mappings?.[m]?.[k1]?.[k2];
        if (v === undefined) this.fail(stack, where, fn, arg, `no mapping value ${m}.${k1}.${k2}`);
        return v;
      }
      case 'Fn::Base64': {
        const s = r(arg);
        if (typeof s !== 'string') this.fail(stack, where, fn, arg, 'expected a string');
        return Buffer.from(s as string, 'utf8').toString('base64');
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(r(arg));
      case 'Fn::Length': {
        const list = r(arg);
        if (!Array.isArray(list)) this.fail(stack, where, fn, arg, 'expected a list');
        return (list as unknown[]).length;
      }
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
        return this.evalConditionExpr(stack, { [fn]: arg }, where);
      default:
        return this.fail(stack, where, fn, arg, `intrinsic ${fn} is not supported (it has no deterministic value)`);
    }
  }

  private ref(stack: StackModel, name: string, where: string): unknown {
    switch (name) {
      case 'AWS::AccountId': return stack.account;
      case 'AWS::Region': return stack.region;
      case 'AWS::Partition': return stack.partition;
      case 'AWS::URLSuffix': return URL_SUFFIX;
      case 'AWS::StackName': return stack.name;
      case 'AWS::StackId':
        return `arn:${stack.partition}:cloudformation:${stack.region}:${stack.account}:stack/${stack.name}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::NoValue': return NO_VALUE;
      case 'AWS::NotificationARNs': return [];
    }
    if (name.startsWith('AWS::')) this.fail(stack, where, 'Ref', name, 'unknown pseudo parameter');
    const param = stack.template.Parameters?.[name];
    if (param) return this.parameter(stack, name, param, where);
    const rec = this.resources.get(stack)!.get(name);
    if (!rec) {
      const why = stack.template.Resources?.[name]
        ? 'the resource is disabled by its Condition'
        : 'no such parameter or resource in the template';
      this.fail(stack, where, 'Ref', name, why);
    }
    return this.describe(rec).ref;
  }

  private parameter(stack: StackModel, name: string, param: any, where: string): unknown {
    const override = this.parameterOverrides[`${stack.name}.${name}`] ?? this.parameterOverrides[name];
    const type: string = param.Type ?? 'String';
    let value: unknown = override;
    if (value === undefined) {
      if (type.startsWith('AWS::SSM::Parameter::Value')) {
        this.fail(stack, where, 'Ref', name, `parameter of type ${type} has no deterministic value; pass it in options.parameters`);
      }
      if (param.Default === undefined) {
        this.fail(stack, where, 'Ref', name, 'parameter has no Default; pass it in options.parameters');
      }
      value = param.Default;
    }
    if ((type === 'CommaDelimitedList' || type.startsWith('List<')) && typeof value === 'string') {
      return value.split(',');
    }
    return typeof value === 'number' ? String(value) : value;
  }

  private getAtt(stack: StackModel, id: string, attr: string, where: string): unknown {
    const rec = this.resources.get(stack)!.get(id);
    if (!rec) {
      this.fail(stack, where, 'Fn::GetAtt', [id, attr], stack.template.Resources?.[id]
        ? 'the resource is disabled by its Condition'
        : 'no such resource in the template');
    }
    let described: ResolvedResource;
    try {
      described = this.describe(rec);
    } catch (e) {
      this.fail(stack, where, 'Fn::GetAtt', [id, attr], (e as Error).message);
    }
    if (!(attr in described.attrs)) {
      this.fail(stack, where, 'Fn::GetAtt', [id, attr], `attribute ${attr} of ${rec.type} is not supported ` +
        `(supported: ${Object.keys(described.attrs).join(', ') || 'none'})`);
    }
    return described.attrs[attr];
  }

  private sub(stack: StackModel, arg: any, where: string): string {
    let template: unknown;
    let vars: Record<string, unknown> = {};
    if (typeof arg === 'string') {
      template = arg;
    } else if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string') {
      template = arg[0];
      const rawVars = arg[1];
      if (rawVars === null || typeof rawVars !== 'object' || Array.isArray(rawVars)) {
        this.fail(stack, where, 'Fn::Sub', arg, 'variable map must be an object');
      }
      vars = {};
      for (const [k, v] of Object.entries(rawVars)) vars[k] = this.resolveInner(stack, v, `${where}.${k}`);
    } else {
      this.fail(stack, where, 'Fn::Sub', arg, 'expected a string or [string, variableMap]');
    }
    return (template as string).replace(/\$\{([^}]*)\}/g, (_m, expr: string) => {
      if (expr.startsWith('!')) return '${' + expr.slice(1) + '}';
      const trimmed = expr.trim();
      let v: unknown;
      if (trimmed in vars) {
        v = vars[trimmed];
      } else if (!trimmed.startsWith('AWS::') && trimmed.includes('.')) {
        const dot = trimmed.indexOf('.');
        v = this.getAtt(stack, trimmed.slice(0, dot), trimmed.slice(dot + 1), where);
      } else {
        v = this.ref(stack, trimmed, where);
      }
      if (typeof v !== 'string' && typeof v !== 'number') {
        this.fail(stack, where, 'Fn::Sub', arg, `\${${expr}} resolved to ${JSON.stringify(v)}, expected a string`);
      }
      return String(v);
    });
  }

  /** Evaluates a named condition of the `Conditions` section. */
  condition(stack: StackModel, name: string, where: string): boolean {
    const key = `${stack.name}\u0000${name}`;
    const cached = this.conditionCache.get(key);
    if (cached !== undefined) return cached;
    const expr = stack.template.Conditions?.[name];
    if (expr === undefined) {
      throw new CfnResolutionError(`Cannot evaluate condition ${name} in stack ${stack.name} at ${where}: no such condition`);
    }
    const value = this.evalConditionExpr(stack, expr, `Conditions.${name}`);
    this.conditionCache.set(key, value);
    return value;
  }

  private evalConditionExpr(stack: StackModel, expr: any, where: string): boolean {
    if (expr === true || expr === 'true') return true;
    if (expr === false || expr === 'false') return false;
    if (expr && typeof expr === 'object' && !Array.isArray(expr)) {
      const keys = Object.keys(expr);
      if (keys.length === 1) {
        const [fn] = keys;
        const arg = expr[fn];
        switch (fn) {
          case 'Condition':
            return this.condition(stack, arg, where);
          case 'Fn::Equals': {
            if (!Array.isArray(arg) || arg.length !== 2) this.fail(stack, where, fn, arg, 'expected two values');
            const a = this.resolve(stack, arg[0], where);
            const b = this.resolve(stack, arg[1], where);
            return JSON.stringify(a) === JSON.stringify(b);
          }
          case 'Fn::And':
            if (!Array.isArray(arg)) this.fail(stack, where, fn, arg, 'expected a list');
            return arg.every((c: unknown) => this.evalConditionExpr(stack, c, where));
          case 'Fn::Or':
            if (!Array.isArray(arg)) this.fail(stack, where, fn, arg, 'expected a list');
            return arg.some((c: unknown) => this.evalConditionExpr(stack, c, where));
          case 'Fn::Not':
            if (!Array.isArray(arg) || arg.length !== 1) this.fail(stack, where, fn, arg, 'expected one condition');
            return !this.evalConditionExpr(stack, arg[0], where);
        }
      }
    }
    throw new CfnResolutionError(`Cannot evaluate condition expression ${JSON.stringify(expr)} in stack ${stack.name} at ${where}`);
  }

  private importValue(name: string, stack: StackModel, where: string): unknown {
    if (!this.exports) this.exports = this.collectExports();
    const entry = this.exports.get(name);
    if (!entry) {
      const extra = this.exportErrors.length ? ` (exports that could not be resolved: ${this.exportErrors.join('; ')})` : '';
      this.fail(stack, where, 'Fn::ImportValue', name, `no stack given to the simulator exports "${name}"${extra}`);
    }
    return this.resolveInner(entry.stack, entry.value, `Outputs.${entry.outputId}.Value`);
  }

  private collectExports(): Map<string, ExportEntry> {
    const out = new Map<string, ExportEntry>();
    for (const stack of this.stacks) {
      for (const [outputId, output] of Object.entries<any>(stack.template.Outputs ?? {})) {
        if (output?.Export?.Name === undefined) continue;
        try {
          if (output.Condition !== undefined && !this.condition(stack, output.Condition, `Outputs.${outputId}.Condition`)) continue;
          const name = this.resolveString(stack, output.Export.Name, `Outputs.${outputId}.Export.Name`);
          if (out.has(name)) throw new CfnResolutionError(`duplicate export name ${name}`);
          out.set(name, { stack, outputId, value: output.Value });
        } catch (e) {
          this.exportErrors.push(`${stack.name}.Outputs.${outputId}: ${(e as Error).message}`);
        }
      }
    }
    return out;
  }
}
