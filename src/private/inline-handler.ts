import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';

/**
 * Stacks whose library handlers are written into the template (`Code.ZipFile`) instead of being
 * file assets. A stack that CloudFormation StackSets deploys to many accounts and Regions has no
 * asset bucket there (the CDK bootstrap bucket is per account and Region), so its handlers travel
 * inside the template. Marked on the stack object (no static state).
 */
const INLINE_HANDLERS = Symbol.for('cdk-kms-governance.inlineHandlers');

/** The folder of the bundled handlers (`assets/<name>/index.js`), beside `src/` and `lib/`. */
const ASSETS_DIR = path.join(__dirname, '..', '..', 'assets');

/**
 * The runtime and handler of the projen-generated function classes (`*-function.ts`); a test
 * compares both with the generated class, so the two ways cannot drift apart.
 */
const RUNTIME_NAME = 'nodejs24.x';
const HANDLER = 'index.handler';

/** Make the library's handlers in `stack` inline code. */
export function markInlineHandlers(stack: Stack): void {
  (stack as any)[INLINE_HANDLERS] = true;
}

/** Whether the library's handlers in the stack of `scope` are inline code. */
export function usesInlineHandlers(scope: IConstruct): boolean {
  return (Stack.of(scope) as any)[INLINE_HANDLERS] === true;
}

/**
 * A library handler as inline code: the esbuild bundle `assets/<bundle>/index.js` (a single
 * CommonJS file with `@aws-sdk/*` external, which Lambda writes to `index.js`), with the runtime,
 * handler and environment of the generated function class.
 */
export function inlineHandlerFunction(scope: Construct, id: string, bundle: string, props: lambda.FunctionOptions): lambda.Function {
  const file = path.join(ASSETS_DIR, bundle, 'index.js');
  if (!fs.existsSync(file)) {
    throw new Error(`The bundled handler '${bundle}' is missing (${file}): build it with 'npx projen bundle'.`);
  }
  const fn = new lambda.Function(scope, id, {
    ...props,
    runtime: new lambda.Runtime(RUNTIME_NAME, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true }),
    handler: HANDLER,
    code: lambda.Code.fromInline(fs.readFileSync(file, 'utf-8')),
  });
  fn.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  return fn;
}
