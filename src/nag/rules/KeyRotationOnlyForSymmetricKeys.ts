import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, booleanValue, pick, stringValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** Automatic rotation is asked for only where KMS supports it (see `documentation`). */
export default defineRule('KeyRotationOnlyForSymmetricKeys', {
  level: NagMessageLevel.ERROR,
  info: 'The KMS key turns automatic rotation on, but it is an asymmetric, HMAC or imported-material key, which AWS KMS cannot rotate.',
  explanation:
    'AWS KMS rotates only symmetric encryption keys with key material it generated. On any other key EnableKeyRotation: true is ' +
    'refused at deployment, or reads as a rotation that never happens. Rotate such keys by hand (a new key and an alias update), ' +
    'and leave EnableKeyRotation off.',
  resources: '`AWS::KMS::Key`',
  mirrors: 'AWS CloudFormation `AWS::KMS::Key` `EnableKeyRotation` ("for asymmetric KMS keys, HMAC KMS keys, and KMS keys with Origin EXTERNAL, omit the property or set it to false")',
  checks:
    '`EnableKeyRotation` is not true when `KeySpec` is other than `SYMMETRIC_DEFAULT` (RSA, ECC, SM2, HMAC keys) or `Origin` is ' +
    '`EXTERNAL` (imported key material). Symmetric keys are `KeyRotation`\'s concern.',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const path = node.node.path;
  let applicable = false;
  for (const p of variants(pick(props, 'KeySpec', 'Origin', 'EnableKeyRotation'), `The rotation settings of ${path}`) as Json[]) {
    const spec = stringValue(p.KeySpec, `KeySpec of ${path}`) ?? 'SYMMETRIC_DEFAULT';
    const origin = stringValue(p.Origin, `Origin of ${path}`) ?? 'AWS_KMS';
    if (spec === 'SYMMETRIC_DEFAULT' && origin !== 'EXTERNAL') continue;
    applicable = true;
    if (booleanValue(p.EnableKeyRotation, `EnableKeyRotation of ${path}`) === true) return NagRuleCompliance.NON_COMPLIANT;
  }
  return applicable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
});
