/**
 * The app of test/handlers/organization.test.ts, deployed with the real CDK CLI to the local AWS:
 * the management account's stack with a KmsGovernanceBaseline and the KmsGovernanceStackSet that
 * rolls it out to an OU in two Regions. The organization's IDs come from context
 * (`-c org:securityAccount=... -c org:ou=... -c org:regions=us-east-1,eu-west-1`).
 */
import { App, Stack } from 'aws-cdk-lib';
import { FailureToleranceMode, KmsGovernanceBaseline, KmsGovernanceStackSet } from '../../src';

/** What the test expects. */
export const ORGANIZATION_APP = {
  management: '123456789012',
  home: 'us-east-1',
  stack: 'KmsGovOrgManagement',
  stackSetName: 'kms-governance-baseline',
  roleNamePrefix: 'KmsGovernance',
  ebsKeyAlias: 'alias/cdk-kms-governance/ebs',
} as const;

/** The app, with the organization's IDs from context. */
export function build(app: App): void {
  const context = (key: string): string => {
    const value = app.node.tryGetContext(`org:${key}`);
    if (typeof value !== 'string' || value.length === 0) throw new Error(`context org:${key} is required`);
    return value;
  };
  const management = new Stack(app, ORGANIZATION_APP.stack, { env: { account: ORGANIZATION_APP.management, region: ORGANIZATION_APP.home } });
  const baseline = new KmsGovernanceBaseline(management, 'Baseline', { securityAccountId: context('securityAccount') });
  new KmsGovernanceStackSet(management, 'BaselineStackSet', {
    baseline,
    stackSetName: ORGANIZATION_APP.stackSetName,
    organizationalUnitIds: [context('ou')],
    regions: context('regions').split(','),
    // Every account of a Region at once (SOFT: the strict mode would cap it at the failure
    // tolerance plus one, one account here); the Regions one after the other, as by default.
    operationPreferences: { maxConcurrentPercentage: 100, failureToleranceMode: FailureToleranceMode.SOFT },
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
