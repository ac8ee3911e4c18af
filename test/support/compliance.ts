import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { Acknowledgement, ACKNOWLEDGEMENTS } from './acknowledgements';
import { KmsGovernanceChecks } from '../../src';

/** One finding: a rule (with its finding suffix) on one resource. */
export interface Finding {
  readonly id: string;
  readonly path: string;
}

/** The packs every construct must pass: the five cdk-nag packs and ours. */
export function allPacks(): NagPack[] {
  return [
    new AwsSolutionsChecks(),
    new HIPAASecurityChecks(),
    new NIST80053R5Checks(),
    new PCIDSS321Checks(),
    new ServerlessChecks(),
    new KmsGovernanceChecks(),
  ];
}

/** Every finding of every pack on the scope. Synthesize first if Aspects add resources. */
export function findings(scope: IConstruct, packs: NagPack[] = allPacks()): Finding[] {
  const out: Finding[] = [];
  for (const pack of packs) {
    for (const violation of pack.validateScope(scope).violations) {
      for (const resource of violation.violatingResources) {
        out.push({ id: violation.ruleName, path: (resource as { constructPath?: string }).constructPath ?? resource.resourceLogicalId ?? '?' });
      }
    }
  }
  return out;
}

/** The acknowledgement that covers a finding, if any. */
export function acknowledgementFor(finding: Finding, list: readonly Acknowledgement[] = ACKNOWLEDGEMENTS): Acknowledgement | undefined {
  return list.find((a) => a.id === finding.id && a.path.test(finding.path));
}

/** The findings that no acknowledgement covers, formatted for a readable test failure. */
export function unacknowledged(scope: IConstruct, packs?: NagPack[]): string[] {
  return findings(scope, packs)
    .filter((f) => acknowledgementFor(f) === undefined)
    .map((f) => `${f.id} on ${f.path}`);
}
