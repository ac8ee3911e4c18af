import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, booleanValue, numberValue, pick, stringValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** What a key's rotation period is when `RotationPeriodInDays` is absent. */
const DEFAULT_ROTATION_PERIOD_DAYS = 365;

/** A symmetric encryption key rotates automatically, within the maximum period (see `documentation`). */
export default defineRule('KeyRotation', {
  level: NagMessageLevel.ERROR,
  info: 'The symmetric KMS key does not rotate automatically, or its rotation period is longer than the maximum.',
  explanation:
    'Automatic rotation limits how much data one version of the key material protects, and how long a leaked version stays useful. ' +
    'Old versions stay available for decryption, so rotation is free of risk. Set EnableKeyRotation: true and RotationPeriodInDays ' +
    'within the maximum (365 days by default).',
  resources: '`AWS::KMS::Key`',
  mirrors: 'Security Hub **KMS.4**; CIS AWS Foundations **3.6** (v3.0) / **3.8** (v1.4); Checkov **CKV_AWS_7**; Control Tower **CT.KMS.PR.1**',
  props: ['maximumRotationPeriod'],
  checks:
    'A symmetric encryption key — `KeySpec` absent or `SYMMETRIC_DEFAULT`, `KeyUsage` absent or `ENCRYPT_DECRYPT`, `Origin` not ' +
    '`EXTERNAL` — has `EnableKeyRotation: true` and a `RotationPeriodInDays` (365 when absent) no longer than `maximumRotationPeriod`. ' +
    'Asymmetric, HMAC and imported-material keys cannot rotate automatically: not applicable (`KeyRotationOnlyForSymmetricKeys` ' +
    'checks that they do not ask to).',
  fix: "`new kms.Key(this, 'Key', { enableKeyRotation: true })`; `ManagedCmk` rotates by default.",
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const path = node.node.path;
  const relevant = pick(props, 'KeySpec', 'KeyUsage', 'Origin', 'EnableKeyRotation', 'RotationPeriodInDays');
  let applicable = false;
  for (const p of variants(relevant, `The rotation settings of ${path}`) as Json[]) {
    const spec = stringValue(p.KeySpec, `KeySpec of ${path}`) ?? 'SYMMETRIC_DEFAULT';
    const usage = stringValue(p.KeyUsage, `KeyUsage of ${path}`) ?? 'ENCRYPT_DECRYPT';
    const origin = stringValue(p.Origin, `Origin of ${path}`) ?? 'AWS_KMS';
    if (spec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT' || origin === 'EXTERNAL') continue;
    applicable = true;
    if (booleanValue(p.EnableKeyRotation, `EnableKeyRotation of ${path}`) !== true) return NagRuleCompliance.NON_COMPLIANT;
    const period = numberValue(p.RotationPeriodInDays, `RotationPeriodInDays of ${path}`) ?? DEFAULT_ROTATION_PERIOD_DAYS;
    if (period > context.maximumRotationPeriodDays) return NagRuleCompliance.NON_COMPLIANT;
  }
  return applicable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
});
