import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { Json, isObject } from './cfn';

/** The construct-path metadata CDK writes on every resource when path metadata is on (the CLI's default). */
const PATH_METADATA_KEY = 'aws:cdk:path';

/** What a validation context says about the templates (`stackTemplates` is newer than aws-cdk-lib 2.258). */
export interface ValidationContextTemplates {
  readonly templatePaths?: readonly string[];
  readonly stackTemplates?: ReadonlyArray<{ readonly templatePath: string }>;
}

/** One synthesized template, indexed for lookups by construct path and by logical id. */
interface TemplateIndex {
  /** The logical id of each resource, by its `aws:cdk:path` metadata. */
  readonly byPath: Map<string, string>;
  readonly byLogicalId: Map<string, Json>;
}

/**
 * The templates CDK has already written into the cloud assembly, as a validation plugin receives
 * them (`templatePaths`, or `stackTemplates[].templatePath` on newer aws-cdk-lib). Reading a
 * resource's `Properties` from them is what `CfnResource._toCloudFormation()` plus `Stack.resolve`
 * would compute again, at a fraction of the cost: synthesis already resolved every token.
 *
 * A resource is found by its `aws:cdk:path` metadata when the template has it, otherwise by its
 * logical id. A resource whose stack has no template among the paths (a nested stack's template is
 * an asset, not a validated template), or that the template does not hold, is not known here: the
 * caller renders it from the tree, so the answers stay the same.
 */
export class SynthesizedTemplates {
  /**
   * The templates of a validation context: `stackTemplates` (aws-cdk-lib ≥ 2.26x) or `templatePaths`.
   */
  public static fromContext(context: ValidationContextTemplates): SynthesizedTemplates {
    const fromStacks = context.stackTemplates?.map((s) => s.templatePath) ?? [];
    return new SynthesizedTemplates([...fromStacks, ...(context.templatePaths ?? [])]);
  }

  private readonly files: Set<string>;
  private readonly indexes = new Map<string, TemplateIndex | null>();
  private readonly stackFiles = new Map<Stack, string | null>();
  private readonly found = new Map<CfnResource, { logicalId: string; definition: Json } | null>();

  constructor(templatePaths: readonly string[]) {
    this.files = new Set(templatePaths.map((p) => path.resolve(p)));
  }

  /** How many template files the context named. */
  public get size(): number {
    return this.files.size;
  }

  /**
   * The synthesized `Properties` of a resource (`{}` when it has none), or `undefined` when the
   * templates do not hold it (render it from the tree instead).
   */
  public propertiesOf(node: CfnResource): Json | undefined {
    const found = this.find(node);
    if (!found) return undefined;
    return isObject(found.definition.Properties) ? found.definition.Properties : {};
  }

  /**
   * The logical id the template gives a resource, or `undefined` when the templates do not hold
   * it. With it, a reference to the resource from its own stack is `{"Ref": id}` and
   * `{"Fn::GetAtt": [id, attr]}`, with no resolution.
   */
  public logicalIdOf(node: CfnResource): string | undefined {
    return this.find(node)?.logicalId;
  }

  private find(node: CfnResource): { logicalId: string; definition: Json } | undefined {
    const known = this.found.get(node);
    if (known !== undefined) return known ?? undefined;
    const index = this.indexOf(Stack.of(node));
    let result: { logicalId: string; definition: Json } | null = null;
    if (index) {
      let logicalId = index.byPath.get(node.node.path);
      if (logicalId === undefined) {
        const resolved = Stack.of(node).resolve(node.logicalId);
        logicalId = typeof resolved === 'string' ? resolved : undefined;
      }
      const definition = logicalId === undefined ? undefined : index.byLogicalId.get(logicalId);
      if (logicalId !== undefined && definition !== undefined && definition.Type === node.cfnResourceType) result = { logicalId, definition };
    }
    this.found.set(node, result);
    return result ?? undefined;
  }

  private indexOf(stack: Stack): TemplateIndex | null {
    const file = this.fileOf(stack);
    if (file === null) return null;
    let index = this.indexes.get(file);
    if (index === undefined) {
      index = readIndex(file);
      this.indexes.set(file, index);
    }
    return index;
  }

  private fileOf(stack: Stack): string | null {
    let file = this.stackFiles.get(stack);
    if (file === undefined) {
      file = null;
      const stage = Stage.of(stack);
      if (!stack.nested && stage?.outdir) {
        const candidate = path.resolve(stage.outdir, stack.templateFile);
        if (this.files.has(candidate)) file = candidate;
      }
      this.stackFiles.set(stack, file);
    }
    return file;
  }
}

function readIndex(file: string): TemplateIndex | null {
  let template: unknown;
  try {
    template = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null; // unreadable: every resource of the stack is rendered from the tree instead
  }
  const resources = isObject(template) && isObject(template.Resources) ? template.Resources : {};
  const byPath = new Map<string, string>();
  const byLogicalId = new Map<string, Json>();
  for (const [logicalId, definition] of Object.entries(resources)) {
    if (!isObject(definition)) continue;
    byLogicalId.set(logicalId, definition);
    const metadataPath = isObject(definition.Metadata) ? definition.Metadata[PATH_METADATA_KEY] : undefined;
    if (typeof metadataPath === 'string') byPath.set(metadataPath, logicalId);
  }
  return { byPath, byLogicalId };
}
