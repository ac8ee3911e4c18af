import { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ShippedAcknowledgement, ignoringAcknowledgements, shippedAcknowledgements } from './acknowledgements';
import {
  EbsDefaultEncryption,
  EncryptedSecureStringParam,
  EnvelopeEncryptedBucket,
  KeyAdminRole,
  KeyAuditorRole,
  KeyAuditTrail,
  KeyHealthCanary,
  KeyMaterialExpiryAlarm,
  KmsGovernanceBaseline,
  KmsGovernanceChecks,
  KmsGovernanceStackSet,
  ManagedCmk,
  ManagedCmkReplica,
} from '../../src';

/** The library's constructs: what they create is the library's to make compliant. */
const LIBRARY_CONSTRUCTS = [
  EbsDefaultEncryption, EncryptedSecureStringParam, EnvelopeEncryptedBucket, KeyAdminRole, KeyAuditorRole,
  KeyAuditTrail, KeyHealthCanary, KeyMaterialExpiryAlarm, KmsGovernanceBaseline, KmsGovernanceStackSet, ManagedCmk, ManagedCmkReplica,
];

/**
 * The construct paths under which the library created resources: its constructs, and the
 * per-stack singletons it adds (`KmsGovernance*`: operational key, handlers, alarm topics).
 * Resources the test itself creates around them (a user's bucket, a VPC) are not the library's.
 */
export function libraryPaths(scope: IConstruct): string[] {
  return scope.node.findAll()
    .filter((c) => LIBRARY_CONSTRUCTS.some((k) => c instanceof k) || (Stack.isStack(c.node.scope) && c.node.id.startsWith('KmsGovernance')))
    .map((c) => c.node.path);
}

/** Whether a construct path lies under one of `prefixes`. */
function under(path: string, prefixes: string[]): boolean {
  return prefixes.some((p) => path === p || path.startsWith(`${p}/`));
}

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

/**
 * Every finding of every pack on the scope, with the acknowledgements recorded in the tree honoured
 * (as in a user's run). Synthesize first if Aspects add resources.
 */
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

/** Every finding of every pack on the scope as if nothing had been acknowledged. */
export function rawFindings(scope: IConstruct, packs?: NagPack[]): Finding[] {
  return ignoringAcknowledgements(() => findings(scope, packs));
}

/** Every finding of every pack on a resource that the library created (see `libraryPaths`). */
export function libraryFindings(scope: IConstruct, packs?: NagPack[]): Finding[] {
  const paths = libraryPaths(scope);
  return findings(scope, packs).filter((f) => under(f.path, paths));
}

/**
 * The acknowledgements recorded on the library's resources (not the app's own, nor those CDK itself
 * records: aws-cdk-lib 2.27x acknowledges some of its CloudFormation-Validate warnings on stacks).
 */
export function libraryAcknowledgements(scope: IConstruct): ShippedAcknowledgement[] {
  const paths = libraryPaths(scope);
  return shippedAcknowledgements(scope).filter((a) => under(a.path, paths));
}

/**
 * The findings on the library's resources that its shipped acknowledgements do not cover,
 * formatted for a readable test failure. Construct tests assert it is `[]` after building their
 * configuration, default or not.
 */
export function unacknowledged(scope: IConstruct, packs?: NagPack[]): string[] {
  return libraryFindings(scope, packs).map((f) => `${f.id} on ${f.path}`);
}
