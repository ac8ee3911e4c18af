import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** The account and Region every test stack uses. */
export const TEST_ENV = { account: '123456789012', region: 'us-east-1' };

/** Options of `newStack`. */
export interface NewStackOptions {
  /**
   * Synthesize into the template directory that `tools/cfn-lint.ts` lints. Apps that are
   * deliberately non-compliant or not valid CloudFormation (the nag rule tests) opt out.
   * @default true
   */
  readonly lint?: boolean;
}

/**
 * A fresh app and stack in the test environment. When `KMSGOV_TEMPLATE_DIR` is set (npm test sets
 * it), the app synthesizes there, so that `tools/cfn-lint.ts` can lint every template the tests made.
 */
export function newStack(id = 'TestStack', props: StackProps = {}, options: NewStackOptions = {}): { app: App; stack: Stack } {
  const app = new App({ outdir: options.lint === false ? undefined : templateOutdir() });
  const stack = new Stack(app, id, { env: TEST_ENV, ...props });
  return { app, stack };
}

/** The statements of the one key policy (or the key with the given logical id) in a template. */
export function keyPolicyStatements(template: Template, logicalId?: string): any[] {
  const keys = template.findResources('AWS::KMS::Key');
  const replicas = template.findResources('AWS::KMS::ReplicaKey');
  const all = { ...keys, ...replicas };
  const id = logicalId ?? Object.keys(all)[0];
  if (!all[id]) throw new Error(`no key ${logicalId ?? ''} in the template (keys: ${Object.keys(all).join(', ')})`);
  return all[id].Properties.KeyPolicy.Statement;
}

/** The key-policy statement with the given Sid. */
export function statementBySid(template: Template, sid: string, logicalId?: string): any {
  const st = keyPolicyStatements(template, logicalId).find((s) => s.Sid === sid);
  if (!st) {
    throw new Error(`no statement ${sid}; Sids: ${keyPolicyStatements(template, logicalId).map((s) => s.Sid).join(', ')}`);
  }
  return st;
}

/** Every IAM action string in every `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` of a template. */
export function identityPolicyActions(template: Template): string[] {
  const out: string[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const res of Object.values<any>(template.findResources(type))) {
      for (const st of res.Properties.PolicyDocument.Statement) {
        if (st.Effect === 'Allow') out.push(...[].concat(st.Action));
      }
    }
  }
  return out;
}

/** Ensure a value is an array. */
export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function templateOutdir(): string | undefined {
  const dir = process.env.KMSGOV_TEMPLATE_DIR;
  if (!dir) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  return fs.mkdtempSync(path.join(path.resolve(dir), 'app-'));
}
