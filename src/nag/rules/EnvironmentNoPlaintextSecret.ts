import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, asArray, flatten, isObject, variants } from '../private/cfn';
import { defineRule } from '../private/rule';
import { plaintextSecretReason } from '../private/secrets';

/** The environment variables of a resource, as name/value pairs, by type. */
const VARIABLES_OF: Record<string, (props: Json) => unknown> = {
  'AWS::Lambda::Function': (p) => (isObject(p.Environment) ? p.Environment.Variables : undefined),
  'AWS::ECS::TaskDefinition': (p) => p.ContainerDefinitions,
};

/** No Lambda function or ECS task definition carries a plaintext secret in its environment (see `documentation`). */
export default defineRule('EnvironmentNoPlaintextSecret', {
  level: NagMessageLevel.ERROR,
  info: 'A Lambda function or ECS task definition has a secret written into the template as a plaintext environment variable.',
  explanation:
    'Environment variables are part of the template, the cloud assembly and the function or task definition: anyone who may read ' +
    'those (lambda:GetFunctionConfiguration, ecs:DescribeTaskDefinition, the CloudFormation console) reads the secret. Keep the ' +
    'secret in Secrets Manager or a SecureString, and pass its name or ARN, or use the ECS secrets property.',
  resources: '`AWS::Lambda::Function` (`Environment.Variables`), `AWS::ECS::TaskDefinition` (`ContainerDefinitions[].Environment`)',
  mirrors: 'Checkov **CKV_AWS_45** (hard-coded secrets in Lambda environments); Security Hub **ECS.8** (secrets as container environment variables)',
  checks: [
    'A variable whose value is a literal written into the template (not built from a `Ref`, `Fn::GetAtt`, an import or a dynamic ',
    'reference) is a finding when:\n\n',
    '- its value has the shape of a credential: an AWS access key id (`AKIA…`/`ASIA…`), a PEM private key, a GitHub or Slack token, ',
    'a URL with `user:password@`; or\n',
    '- its name is one Security Hub ECS.8 checks (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `ECS_ENGINE_AUTH_DATA`), or its name ',
    'says it holds a secret — a word `PASSWORD`, `PASSWD`, `PWD`, `SECRET`, `TOKEN`, `CREDENTIAL(S)`, `APIKEY`, `PRIVATEKEY`, ',
    '`PASSPHRASE`, or `API`/`PRIVATE`/`ACCESS`/`SIGNING`/`AUTH`/`MASTER` followed by `KEY` (camel case and `_`/`-` split words) — ',
    'and does not end in a word that says it locates the secret instead (`…_ARN`, `…_NAME`, `…_ID`, `…_PATH`, `…_PARAMETER`, ',
    '`…_URL`, `…_TTL`, `…_ENABLED`, …); **and** its value could be a secret: 40 base64 characters (an AWS secret access key), or at ',
    'least 6 characters, no whitespace, not a number or a switch (`true`, `off`, …), not an ARN, a `/parameter/path`, a ',
    'slash-separated secret name (`prod/db/password`) or a URL.\n\n',
    'So `DB_PASSWORD=Tr0ub4dor&3` and `apiKey=sk_live_4eC39Hq` are findings; `DB_PASSWORD_SECRET_ARN=arn:…`, `TOKEN_TTL=3600`, ',
    '`DB_SECRET=prod/db/password`, `KEY_ID=…` and `DB_PASSWORD={{resolve:secretsmanager:…}}` are not.',
  ].join(''),
  fix: '`lambda.Function` reads the secret at run time by name (`secretsmanager:GetSecretValue`); ECS: `secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(secret) }`.',
}, (node, context) => {
  const variablesOf = VARIABLES_OF[node.cfnResourceType];
  if (!variablesOf) return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  for (const variant of variants(variablesOf(props), `The environment of ${node.node.path}`)) {
    const pairs = node.cfnResourceType === 'AWS::Lambda::Function' ? lambdaPairs(variant) : ecsPairs(variant);
    if (pairs.some(([name, value]) => plaintextSecretReason(name, value) !== undefined)) return NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.COMPLIANT;
});

/** A literal value written into the template: text with no reference and no dynamic reference. */
function literal(value: unknown): string | undefined {
  const text = flatten(value);
  if (text === undefined || text.includes('${') || text.includes('{{resolve:')) return undefined;
  return text;
}

function lambdaPairs(variables: unknown): Array<[string, string]> {
  if (!isObject(variables)) return [];
  return Object.entries(variables).flatMap(([name, value]) => {
    const text = literal(value);
    return text === undefined ? [] : [[name, text] as [string, string]];
  });
}

function ecsPairs(containers: unknown): Array<[string, string]> {
  return asArray(containers).filter(isObject).flatMap((c) =>
    asArray(c.Environment).filter(isObject).flatMap((e) => {
      const text = literal(e.Value);
      return typeof e.Name === 'string' && text !== undefined ? [[e.Name, text] as [string, string]] : [];
    }));
}
