import { Aspects, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { StackGraph, describeCycle, rootStack } from './stack-graph';

/**
 * The library's one pass over a finished app: an aspect on the app root, added by the first
 * library construct, that runs before synthesis prepares the tree (so every construct exists and no
 * reference has been turned into an export yet). Its steps run in a fixed order:
 *
 * 1. the app's stack order is computed (`StackGraph`), and a cycle is reported in plain words;
 * 2. work deferred until the order is known runs (cross-stack grants, audit alarms for keys of
 *    other stacks), each choosing the direction that does not cycle;
 * 3. the keys learn what the app's resources need of them (the service contract).
 *
 * Work deferred after the pass has run (a grant made by an aspect that runs later) runs at once,
 * against the same order.
 */

/** The registered symbol of the pass on the app root, so that copies of the package share it. */
const APP_PASS = Symbol.for('cdk-kms-governance.AppPass');

/** The steps of the pass, in the order they run. */
export enum PassStep {
  /** Work that must know the stack order: it may add constructs and references. */
  PLACE = 0,
  /** Work that reads the finished tree and adds no reference. */
  READ = 1,
}

/** What a step gets: the app root, and the stack order. */
export interface PassContext {
  readonly root: IConstruct;
  /** The stack order, computed on first use. */
  graph(): StackGraph;
}

type Work = (context: PassContext) => void;

class AppPass implements IAspect {
  private readonly work: Array<{ step: PassStep; run: Work }> = [];
  private context?: PassContext;
  private step?: PassStep;

  constructor(private readonly root: IConstruct) {}

  public defer(step: PassStep, run: Work): void {
    // Once the pass has reached a step, work of that step or an earlier one runs at once.
    if (this.context && this.step !== undefined && step <= this.step) run(this.context);
    else this.work.push({ step, run });
  }

  public visit(node: IConstruct): void {
    if (node !== this.root || this.context) return;
    let graph: StackGraph | undefined;
    this.context = { root: this.root, graph: () => (graph ??= StackGraph.of(this.root)) };
    if (rootStacks(this.root) > 1) {
      const cycle = this.context.graph().findCycle();
      if (cycle) throw new Error(describeCycle(cycle));
    }
    for (const step of [PassStep.PLACE, PassStep.READ]) {
      this.step = step;
      // Work of a later step that this step defers is still in the list when its step comes.
      for (let i = 0; i < this.work.length; i++) {
        if (this.work[i].step === step) this.work[i].run(this.context);
      }
    }
  }
}

/** Defer work to the app's pass, creating the pass on first use. */
export function deferToAppPass(scope: IConstruct, step: PassStep, run: Work): void {
  const root = scope.node.root as IConstruct & { [APP_PASS]?: AppPass };
  let pass = root[APP_PASS];
  if (!pass) {
    pass = new AppPass(root);
    Object.defineProperty(root, APP_PASS, { value: pass });
    Aspects.of(root).add(pass);
  }
  pass.defer(step, run);
}

function rootStacks(root: IConstruct): number {
  return new Set(root.node.findAll().filter(Stack.isStack).map(rootStack)).size;
}
