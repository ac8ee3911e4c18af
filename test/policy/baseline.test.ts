/**
 * Who may assume the baseline's roles, evaluated on the synthesized baseline template in one
 * target account and Region (the parameters as a stack set instance gets them): principals of the
 * security account with MFA, and no one else: not without MFA, not the target account itself, not
 * another account.
 */
import * as fs from 'fs';
import * as path from 'path';
import { KmsGovernanceBaseline } from '../../src';
import { newStack, PolicySimulator } from '../support';

const SECURITY = '222222222222';
const TARGET = { account: '333333333333', region: 'eu-west-1' };

function simulator(): PolicySimulator {
  const { app, stack } = newStack('Management');
  const baseline = new KmsGovernanceBaseline(stack, 'Baseline');
  const assembly = app.synth();
  const template = JSON.parse(fs.readFileSync(path.join(assembly.directory, baseline.templateFile), 'utf-8'));
  return PolicySimulator.fromTemplates({ Instance: template }, { ...TARGET, parameters: { SecurityAccountId: SECURITY } });
}

describe.each([['KeyAdminRole597073C5'], ['KeyAuditorRole4DFF36D7']])('the baseline role %s (logical ID) in a target account', (role) => {
  const sim = simulator();
  const assume = (principal: string, mfa: string) => sim.decide({
    principal,
    action: 'sts:AssumeRole',
    resource: sim.roleArn(role),
    context: { 'aws:MultiFactorAuthPresent': mfa },
  });

  test('the security account, with MFA: allowed', async () => {
    expect(await assume(`arn:aws:iam::${SECURITY}:root`, 'true')).toBe('Allowed');
  });

  test('the security account without MFA: denied', async () => {
    expect(await assume(`arn:aws:iam::${SECURITY}:root`, 'false')).not.toBe('Allowed');
  });

  test.each([[TARGET.account], ['444444444444']])('another account (%s), even with MFA: denied', async (account) => {
    expect(await assume(`arn:aws:iam::${account}:root`, 'true')).not.toBe('Allowed');
  });
});
