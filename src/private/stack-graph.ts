import { CfnElement, DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, Reference, Stack, StringConcat, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * The deployment order of an app's stacks, as CloudFormation will see it, computed before
 * synthesis prepares the tree: a stack depends on another when one of its elements references one
 * of the other's (`Ref`, `Fn::GetAtt`, in any token), when a construct of it depends on a construct
 * of the other, or when `addDependency` says so. Nested stacks count as their root stack.
 *
 * CDK finds the same references only while it prepares the app, and fails on a cycle there with
 * a message that names one reference. Computed here first, the library can place its own
 * cross-stack statements in the direction that does not cycle, and explain a cycle the app has.
 */
export class StackGraph {
  /** Build the graph of every stack under `root`. */
  public static of(root: IConstruct): StackGraph {
    const graph = new StackGraph();
    const all = root.node.findAll();
    for (const c of all) {
      if (Stack.isStack(c)) {
        graph.stacks.add(rootStack(c));
        for (const dep of c.dependencies) graph.add(c, dep, { fromStack: c.node.path, from: c.node.path, toStack: dep.node.path, to: dep.node.path, why: 'addDependency' });
      }
    }
    for (const c of all) {
      for (const dep of c.node.dependencies) {
        if (!Stack.isStack(dep) && Stack.of(dep) !== Stack.of(c)) {
          graph.add(Stack.of(c), Stack.of(dep), edge(c, dep, 'depends on'));
        }
      }
      if (CfnElement.isCfnElement(c)) {
        for (const target of referencedConstructs(c)) {
          graph.add(c.stack, Stack.of(target), edge(c, target, 'references'));
        }
      }
    }
    return graph;
  }

  private readonly stacks = new Set<Stack>();
  private readonly edges = new Map<Stack, Map<Stack, Edge>>();

  private constructor() {}

  /** Record that `from` deploys after `to` (the library's own choice, or a reference found). */
  public add(from: Stack, to: Stack, reason: Edge): void {
    const a = rootStack(from);
    const b = rootStack(to);
    if (a === b) return;
    const out = this.edges.get(a) ?? new Map<Stack, Edge>();
    if (!out.has(b)) out.set(b, reason);
    this.edges.set(a, out);
  }

  /** Whether stack `a` deploys after stack `b`, directly or through other stacks. */
  public dependsOn(a: Stack, b: Stack): boolean {
    const target = rootStack(b);
    const seen = new Set<Stack>();
    const queue = [rootStack(a)];
    while (queue.length > 0) {
      const s = queue.shift()!;
      for (const next of this.edges.get(s)?.keys() ?? []) {
        if (next === target) return true;
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return false;
  }

  /** A cycle of stacks, as the edges that form it, or undefined when there is none. */
  public findCycle(): Edge[] | undefined {
    const state = new Map<Stack, 'open' | 'done'>();
    const path: Array<{ stack: Stack; edge?: Edge }> = [];
    const visit = (s: Stack): Edge[] | undefined => {
      state.set(s, 'open');
      for (const [next, reason] of this.edges.get(s) ?? []) {
        if (state.get(next) === 'open') {
          const start = path.findIndex((p) => p.stack === next);
          return [...path.slice(start + 1).map((p) => p.edge!), reason];
        }
        if (state.get(next) === undefined) {
          path.push({ stack: next, edge: reason });
          const found = visit(next);
          if (found) return found;
          path.pop();
        }
      }
      state.set(s, 'done');
      return undefined;
    };
    for (const s of this.stacks) {
      if (state.get(s) !== undefined) continue;
      path.length = 0;
      path.push({ stack: s });
      const found = visit(s);
      if (found) return found;
    }
    return undefined;
  }
}

/** One reason a stack depends on another: a construct of the first and the construct it needs. */
export interface Edge {
  /** The stack that deploys after, and its construct. */
  readonly fromStack: string;
  readonly from: string;
  /** The stack that deploys first, and its construct. */
  readonly toStack: string;
  readonly to: string;
  readonly why: 'references' | 'depends on' | 'addDependency';
}

/** The edge for construct `from` needing construct `to`, with their root stacks. */
export function edge(from: IConstruct, to: IConstruct, why: Edge['why']): Edge {
  return { fromStack: rootStack(Stack.of(from)).node.path, from: from.node.path, toStack: rootStack(Stack.of(to)).node.path, to: to.node.path, why };
}

/** The stack that deploys a construct's template: nested stacks deploy with their parent. */
export function rootStack(stack: Stack): Stack {
  let s = stack;
  while (s.nestedStackParent) s = s.nestedStackParent;
  return s;
}

/** The message for a cycle: every edge, and what to change. */
export function describeCycle(cycle: Edge[]): string {
  const lines = cycle.map((e) => `'${e.fromStack}' deploys after '${e.toStack}': ${e.from} ${e.why} ${e.to}`);
  return [
    'The stacks of this app depend on each other in a cycle, so CloudFormation cannot deploy them in any order:',
    ...lines.map((l) => `  - ${l}`),
    'Break one of these links: move one of the two constructs of a link into the other stack, or refer to the value without a ' +
      'reference (a fixed name, or an imported ARN such as kms.Key.fromKeyArn with a literal ARN). Grants of library keys never ' +
      'need to be moved: the key policy admits a principal of another stack in whichever direction does not cycle.',
  ].join('\n');
}

/** The constructs an element's template references, found by resolving it with references marked. */
function referencedConstructs(element: CfnElement): IConstruct[] {
  try {
    return referencesIn(element, (element as unknown as { _toCloudFormation(): object })._toCloudFormation());
  } catch {
    // An element that cannot render yet is left to CDK, which reports it in its own words.
    return [];
  }
}

/** The constructs that a value (a policy statement's JSON, a template fragment) references, resolved in `scope`. */
export function referencesIn(scope: IConstruct, value: unknown): IConstruct[] {
  const targets: IConstruct[] = [];
  Tokenization.resolve(value, { scope, resolver: new ReferenceCollector(targets), preparing: true });
  return targets;
}

/** Collects the target of every reference; resolves everything else as usual. */
class ReferenceCollector extends DefaultTokenResolver {
  constructor(private readonly targets: IConstruct[]) {
    super(new StringConcat());
  }

  public resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
    if (Reference.isReference(t)) {
      this.targets.push(t.target);
      return 'reference';
    }
    // Resolving a policy document freezes its statements; its JSON holds the same references.
    if (t instanceof iam.PolicyDocument) return context.resolve(t.toJSON());
    return super.resolveToken(t, context, postProcessor);
  }
}
