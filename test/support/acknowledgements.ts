/**
 * The central list of acknowledged cdk-nag findings: the one place where a finding may be
 * accepted, each with the reason. `test/compliance.test.ts` holds this list exactly: it fails on a
 * finding that is not listed here, and on an entry that no longer matches any finding.
 *
 * Entries are finding-level (`AwsSolutions-IAM5[Resource::*]`, never a bare `AwsSolutions-IAM5`)
 * and scoped to construct paths.
 */
export interface Acknowledgement {
  /** The finding id as cdk-nag v3 reports it, with the finding suffix where there is one. */
  readonly id: string;
  /** Matches the construct paths of the resources the acknowledgement covers. */
  readonly path: RegExp;
  /** Why the finding is accepted. */
  readonly reason: string;
}

export const ACKNOWLEDGEMENTS: readonly Acknowledgement[] = [];
