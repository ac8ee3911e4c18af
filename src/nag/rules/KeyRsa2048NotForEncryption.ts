import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, pick, stringValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** An RSA key for encryption is at least RSA_3072 (see `documentation`). */
export default defineRule('KeyRsa2048NotForEncryption', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key is an RSA_2048 key for encryption (KeyUsage ENCRYPT_DECRYPT).',
  explanation:
    'RSA_2048 gives about 112 bits of security, below what long-lived encrypted data needs, and the AWS Control Tower control ' +
    'CT.KMS.PR.2 refuses it at deployment. Use RSA_3072 or RSA_4096 for encryption; RSA_2048 stays fine for signing.',
  resources: '`AWS::KMS::Key`',
  mirrors: 'Control Tower **CT.KMS.PR.2** (`kms_asymmetric_rsa_keyspec_check`)',
  checks: '`KeySpec` is not `RSA_2048` when `KeyUsage` is `ENCRYPT_DECRYPT` or absent (which means `ENCRYPT_DECRYPT`). Other key specs and usages are not applicable.',
  fix: '`keySpec: kms.KeySpec.RSA_3072` (or `RSA_4096`).',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const path = node.node.path;
  let applicable = false;
  for (const p of variants(pick(props, 'KeySpec', 'KeyUsage'), `The key spec of ${path}`) as Json[]) {
    const spec = stringValue(p.KeySpec, `KeySpec of ${path}`) ?? 'SYMMETRIC_DEFAULT';
    const usage = stringValue(p.KeyUsage, `KeyUsage of ${path}`) ?? 'ENCRYPT_DECRYPT';
    if (!spec.startsWith('RSA_') || usage !== 'ENCRYPT_DECRYPT') continue;
    applicable = true;
    if (spec === 'RSA_2048') return NagRuleCompliance.NON_COMPLIANT;
  }
  return applicable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
});
