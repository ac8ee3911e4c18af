import { CfnResource } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, arnParts, asArray, booleanValue, flatten, isObject, stringValue, variants } from '../private/cfn';
import { KeyChoice, keyChoice } from '../private/encryption';
import { PolicyStatementJson, coversAction, isAllow, isDeny, policyVariants, principalsOf } from '../private/policy';
import { RuleContext, defineRule } from '../private/rule';

const SSE_KMS = 'aws:kms';
const DSSE_KMS = 'aws:kms:dsse';
const ENCRYPTION_HEADER = 's3:x-amz-server-side-encryption';

/** The service principal that delivers Elastic Load Balancing access logs in newer Regions. */
const ELB_LOG_DELIVERY = 'logdelivery.elasticloadbalancing.amazonaws.com';
/** The Elastic Load Balancing accounts that deliver access logs in the older Regions (aws-cdk-lib's region facts). */
const ELB_ACCOUNTS: ReadonlySet<string> = new Set(RegionInfo.regions.map((r) => r.elbv2Account).filter((a): a is string => a !== undefined));

/** A bucket is encrypted by default with a customer managed key, and refuses other encryption (see `documentation`). */
export default defineRule('S3BucketCustomerManagedKey', {
  level: NagMessageLevel.ERROR,
  info:
    'The S3 bucket is not encrypted by default with a customer managed KMS key with S3 Bucket Keys, or its bucket policy does not deny ' +
    'uploads that ask for another encryption.',
  explanation:
    'SSE-KMS with a customer managed key puts every read of the data under the key policy and in CloudTrail; Bucket Keys cut KMS requests ' +
    'by up to 99%. A request header overrides the bucket default, so without the deny anyone who may write can store objects under SSE-S3.',
  resources: '`AWS::S3::Bucket` (and the `AWS::S3::BucketPolicy` of the app that targets it)',
  mirrors: 'Security Hub **S3.17**; Checkov **CKV_AWS_19** (and CKV_AWS_145, KMS by default)',
  checks:
    '- Every default-encryption rule uses `aws:kms` (SSE-KMS) or `aws:kms:dsse` (DSSE-KMS) with a `KMSMasterKeyID` that is not an AWS ' +
    'managed key (`alias/aws/…`, also as an alias ARN or built with `Fn::Join`/`Fn::Sub`). **No encryption configuration, or SSE-S3 ' +
    '(`AES256`), is a finding.**\n' +
    '- `BucketKeyEnabled: true` (not required for DSSE-KMS, which does not support S3 Bucket Keys).\n' +
    '- A bucket policy of the app for this bucket (by `Ref`, or by its literal name) has a `Deny` for everyone (`Principal: "*"`) covering ' +
    '`s3:PutObject`, conditioned on `s3:x-amz-server-side-encryption` with a `StringNotEquals`/`StringNotLike` operator (optionally ' +
    '`IfExists`) whose values do not include `AES256`.\n\n' +
    '**Elastic Load Balancing access-log buckets are not applicable**: Application and Classic Load Balancers deliver access logs ' +
    'only into buckets encrypted with SSE-S3. Such a bucket is recognized by a bucket policy of the app that allows `s3:PutObject` ' +
    'to `logdelivery.elasticloadbalancing.amazonaws.com` or to the root of an Elastic Load Balancing account of a Region (the ' +
    'accounts aws-cdk-lib knows, as `alb.logAccessLogs(bucket)` writes them). Keep such a bucket for the load balancer logs alone. ' +
    '(Network Load Balancers deliver through `delivery.logs.amazonaws.com` and support SSE-KMS: their buckets are judged.)',
  fix: [
    '`EnvelopeEncryptedBucket`, or an `s3.Bucket` with `encryption: s3.BucketEncryption.KMS`, `encryptionKey`, `bucketKeyEnabled: true`, ' +
      'and a deny statement such as:',
    '',
    '```ts',
    'declare const bucket: s3.Bucket;',
    'bucket.addToResourcePolicy(new iam.PolicyStatement({',
    '  effect: iam.Effect.DENY,',
    '  principals: [new iam.AnyPrincipal()],',
    "  actions: ['s3:PutObject'],",
    "  resources: [bucket.arnForObjects('*')],",
    '  conditions: {',
    "    Null: { 's3:x-amz-server-side-encryption': 'false' },",
    "    StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },",
    '  },',
    '}));',
    '```',
  ].join('\n'),
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::S3::Bucket') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const path = node.node.path;
  // Elastic Load Balancing delivers access logs only into SSE-S3 buckets.
  if (isElbAccessLogBucket(node, props, context)) return NagRuleCompliance.NOT_APPLICABLE;
  for (const encryption of variants(props.BucketEncryption, `BucketEncryption of ${path}`)) {
    const rules = isObject(encryption) ? asArray(encryption.ServerSideEncryptionConfiguration) : [];
    if (rules.length === 0) return NagRuleCompliance.NON_COMPLIANT;
    for (const rule of rules) {
      if (!isObject(rule) || !usesCustomerManagedKey(rule, path)) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return deniesOtherEncryption(node, props, context) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
});

function usesCustomerManagedKey(rule: Json, path: string): boolean {
  const byDefault = isObject(rule.ServerSideEncryptionByDefault) ? rule.ServerSideEncryptionByDefault : {};
  const algorithm = stringValue(byDefault.SSEAlgorithm, `SSEAlgorithm of ${path}`);
  if (algorithm !== SSE_KMS && algorithm !== DSSE_KMS) return false;
  if (keyChoice(byDefault.KMSMasterKeyID) !== KeyChoice.CUSTOMER_MANAGED) return false;
  return algorithm === DSSE_KMS || booleanValue(rule.BucketKeyEnabled, `BucketKeyEnabled of ${path}`) === true;
}

/** The bucket policies of the app for a bucket (by reference, or by its literal name), with their statement variants. */
interface BucketPolicyRef {
  readonly policy: CfnResource;
  readonly what: string;
  readonly docs: PolicyStatementJson[][];
}

function bucketPolicies(bucket: CfnResource, bucketProps: Json, context: RuleContext): BucketPolicyRef[] {
  const bucketName = typeof bucketProps.BucketName === 'string' ? bucketProps.BucketName : undefined;
  const out: BucketPolicyRef[] = [];
  for (const policy of context.resourcesOfType(bucket, 'AWS::S3::BucketPolicy')) {
    const props = context.properties(policy);
    if (props === undefined) continue;
    const forBucket = context.refersTo(policy, props.Bucket, bucket) || (bucketName !== undefined && props.Bucket === bucketName);
    if (!forBucket) continue;
    const what = `the bucket policy ${policy.node.path}`;
    out.push({ policy, what, docs: policyVariants(props.PolicyDocument, what) });
  }
  return out;
}

function deniesOtherEncryption(bucket: CfnResource, bucketProps: Json, context: RuleContext): boolean {
  return bucketPolicies(bucket, bucketProps, context).some(({ policy, what, docs }) =>
    docs.length > 0 && docs.every((statements) => statements.some((s) => isOtherEncryptionDeny(s, policy, what))));
}

/**
 * Whether a bucket receives Elastic Load Balancing access logs: a bucket policy of the app allows
 * `s3:PutObject` to the ELB log delivery service principal or to an ELB account's root.
 */
function isElbAccessLogBucket(bucket: CfnResource, bucketProps: Json, context: RuleContext): boolean {
  return bucketPolicies(bucket, bucketProps, context).some(({ policy, what, docs }) =>
    docs.some((statements) => statements.some((s) => isAllow(s) && coversAction(s, 's3:PutObject', what)
      && principalsOf(s, policy).some((p) => isElbLogDelivery(p.type, p.value)))));
}

function isElbLogDelivery(type: string, value: unknown): boolean {
  if (type === 'Service') return value === ELB_LOG_DELIVERY;
  if (type !== 'AWS') return false;
  const text = flatten(value);
  if (text === undefined) return false;
  const parts = arnParts(text);
  return ELB_ACCOUNTS.has(parts ? parts[4] : text) && (parts === undefined || parts[5] === 'root');
}

function isOtherEncryptionDeny(statement: PolicyStatementJson, scope: CfnResource, what: string): boolean {
  if (!isDeny(statement) || !coversAction(statement, 's3:PutObject', what)) return false;
  if (!principalsOf(statement, scope).some((p) => p.type === '*' || (p.type === 'AWS' && p.value === '*'))) return false;
  if (!isObject(statement.Condition)) return false;
  for (const [operator, clause] of Object.entries(statement.Condition)) {
    if (!/^(ForAnyValue:|ForAllValues:)?StringNot(Equals|Like)(IgnoreCase)?(IfExists)?$/i.test(operator) || !isObject(clause)) continue;
    for (const [key, values] of Object.entries(clause)) {
      if (key.toLowerCase() !== ENCRYPTION_HEADER) continue;
      const list = asArray(values);
      if (list.length > 0 && list.every((v) => typeof v === 'string' && v.toUpperCase() !== 'AES256' && v !== '*')) return true;
    }
  }
  return false;
}
