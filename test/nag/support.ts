import { App, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { KmsGovernanceChecks } from '../../src/nag/kms-governance-checks';

/**
 * Shared by the rule tests. Their apps are deliberately non-compliant (and sometimes not valid
 * CloudFormation), so they do not synthesize into the template directory that cfn-lint reads.
 */

export const ENV = { account: '123456789012', region: 'us-east-1' };

/** A fresh app with one stack (id `S` unless given). */
export function newStack(id = 'S'): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, id, { env: ENV }) };
}

/** The construct paths on which one rule of the pack fires, sorted. */
export function firing(scope: IConstruct, rule: string, pack = new KmsGovernanceChecks()): string[] {
  return pack
    .validateScope(scope)
    .violations.filter((v) => v.ruleName === `KmsGovernance-${rule}`)
    .flatMap((v) => v.violatingResources.map((r) => r.constructPath!))
    .sort();
}
