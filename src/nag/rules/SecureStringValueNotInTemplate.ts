import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, flatten, isObject, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** The SDK calls of an `AwsCustomResource` (`Custom::AWS` or a custom type), one JSON text each. */
const CALL_PROPERTIES = ['Create', 'Update', 'Delete'];

/** No custom resource writes a SecureString value it carries in the template (see `documentation`). */
export default defineRule('SecureStringValueNotInTemplate', {
  level: NagMessageLevel.ERROR,
  info: 'A custom resource (AwsCustomResource) calls ssm:PutParameter for a SecureString with its Value in the template.',
  explanation:
    'A SecureString is encrypted in Parameter Store, but a value passed to an AwsCustomResource is written in clear into the template, ' +
    'the cloud assembly, the CloudFormation console and the custom resource\'s event, which its function logs. A parameter or a ' +
    'dynamic reference does not help: the value still reaches the event. Generate the value, or decrypt it, inside a handler instead.',
  resources: '`Custom::AWS` and every other custom resource type (`Custom::…`, `AWS::CloudFormation::CustomResource`)',
  mirrors: 'Checkov **CKV_AWS_384** (hard-coded secrets in `AWS::SSM::Parameter` values), for the custom resources that write SecureStrings',
  checks: [
    'No `Create`, `Update` or `Delete` property of a custom resource — the JSON text of an `AwsCustomResource` SDK call, also when ',
    'built with `Fn::Join` — is a call of service SSM (`SSM`, `ssm`, `@aws-sdk/client-ssm`) with action `putParameter` ',
    '(`PutParameter`, `PutParameterCommand`) whose parameters have `Type: SecureString` and a `Value`, whatever it is (a literal, a ',
    'parameter, a dynamic reference). A `String` parameter, another call, or a property that is not such a JSON text is not judged.',
  ].join(''),
  fix: '`EncryptedSecureStringParam` with `SecureStringValue.generated()`, `.fromCiphertext(...)` or `.fromSecret(...)`: the value is made or fetched in the handler and never enters the template.',
}, (node, context) => {
  const type = node.cfnResourceType;
  if (!type.startsWith('Custom::') && type !== 'AWS::CloudFormation::CustomResource') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  for (const name of CALL_PROPERTIES) {
    if (props[name] === undefined) continue;
    for (const call of variants(props[name], `${name} of ${node.node.path}`)) {
      if (putsSecureStringValue(call)) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return NagRuleCompliance.COMPLIANT;
});

function putsSecureStringValue(call: unknown): boolean {
  const text = flatten(call);
  const parsed = text === undefined ? call : parse(text);
  if (!isObject(parsed)) return false;
  const service = typeof parsed.service === 'string' ? parsed.service.toLowerCase() : '';
  const action = typeof parsed.action === 'string' ? parsed.action.toLowerCase().replace(/command$/, '') : '';
  if (!['ssm', '@aws-sdk/client-ssm'].includes(service) || action !== 'putparameter') return false;
  const parameters = isObject(parsed.parameters) ? (parsed.parameters as Json) : {};
  return parameters.Type === 'SecureString' && parameters.Value !== undefined && parameters.Value !== '';
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
