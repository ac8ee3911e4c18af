import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { variants } from '../private/cfn';
import { KeyChoice, keyChoice } from '../private/encryption';
import { defineRule } from '../private/rule';

/** A Secrets Manager secret is encrypted with a customer managed key (see `documentation`). */
export default defineRule('SecretCustomerManagedKey', {
  level: NagMessageLevel.ERROR,
  info: 'The Secrets Manager secret is encrypted with the AWS managed key aws/secretsmanager (no KmsKeyId, or alias/aws/secretsmanager).',
  explanation:
    'Under aws/secretsmanager, every principal of the account that may call GetSecretValue can decrypt the secret, the key policy ' +
    'cannot be changed, and the secret cannot be shared with another account. A customer managed key adds a key policy you control ' +
    'to the secret\'s resource policy.',
  resources: '`AWS::SecretsManager::Secret`',
  mirrors: 'Checkov **CKV_AWS_149**',
  checks: '`KmsKeyId` is set and is not an AWS managed key (`alias/aws/…`, also built with `Fn::Join`/`Fn::Sub`).',
  fix: '`new secretsmanager.Secret(this, id, { encryptionKey: key })`.',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::SecretsManager::Secret') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const ok = variants(props.KmsKeyId, `KmsKeyId of ${node.node.path}`).every((k) => keyChoice(k) === KeyChoice.CUSTOMER_MANAGED);
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
});
