import { App, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { newStack } from './stacks';
import { KmsGovernanceChecks } from '../../src';

/** The construct paths on which one rule of the pack fires, sorted. */
export function firing(scope: IConstruct, rule: string, pack = new KmsGovernanceChecks()): string[] {
  return pack
    .validateScope(scope)
    .violations.filter((v) => v.ruleName === `KmsGovernance-${rule}`)
    .flatMap((v) => v.violatingResources.map((r) => r.constructPath!))
    .sort();
}

/**
 * A fresh app with one stack `S` for the nag rule tests. Their apps are deliberately non-compliant
 * (and sometimes not valid CloudFormation), so they do not synthesize into the template directory
 * that cfn-lint reads.
 */
export function newRuleStack(id = 'S'): { app: App; stack: Stack } {
  return newStack(id, {}, { lint: false });
}
