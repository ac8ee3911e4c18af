import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { Json, asArray, booleanValue, isObject, pick, stringValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/** A trail an auditor can rely on (see `documentation`). */
export default defineRule('CloudTrailSecured', {
  level: NagMessageLevel.ERROR,
  info: 'The CloudTrail trail is not multi-Region, logging, validated, KMS-encrypted and sent to CloudWatch Logs, or it drops management events.',
  explanation:
    'Key use and key changes are only auditable if a trail records every management event (read and write, no excluded source such as ' +
    'kms.amazonaws.com) in every Region, with integrity validation, encryption and CloudWatch Logs delivery for the alarms.',
  resources: '`AWS::CloudTrail::Trail`',
  mirrors:
    'Security Hub **CloudTrail.1**, **.2**, **.4**, **.5**; CIS AWS Foundations **3.1**, **3.2**, **3.5** (v3.0); Checkov **CKV_AWS_67**, ' +
    '**CKV_AWS_36**, **CKV_AWS_35**',
  checks:
    '- `IsMultiRegionTrail: true`, `IsLogging: true`, `IncludeGlobalServiceEvents` not false;\n' +
    '- `EnableLogFileValidation: true`;\n' +
    '- `KMSKeyId` set;\n' +
    '- `CloudWatchLogsLogGroupArn` and `CloudWatchLogsRoleArn` set;\n' +
    '- every management event captured, read and write, with no source excluded: no selectors at all; or a basic event selector with ' +
    'management events and `ReadWriteType: All`; or an advanced selector for `eventCategory = Management` with no `readOnly` filter. ' +
    'Any `ExcludeManagementEventSources`, or an advanced `eventSource` `NotEquals`/`NotStartsWith`/`NotEndsWith` (the way KMS events are ' +
    'dropped to save cost), is a finding.',
}, (node, context) => {
  if (node.cfnResourceType !== 'AWS::CloudTrail::Trail') return NagRuleCompliance.NOT_APPLICABLE;
  const props = context.properties(node);
  if (props === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const path = node.node.path;
  const relevant = pick(props, 'IsMultiRegionTrail', 'IsLogging', 'IncludeGlobalServiceEvents', 'EnableLogFileValidation', 'KMSKeyId',
    'CloudWatchLogsLogGroupArn', 'CloudWatchLogsRoleArn', 'EventSelectors', 'AdvancedEventSelectors');
  for (const p of variants(relevant, `The properties of ${path}`) as Json[]) {
    const flag = (name: string) => booleanValue(p[name], `${name} of ${path}`);
    if (flag('IsMultiRegionTrail') !== true || flag('IsLogging') !== true || flag('EnableLogFileValidation') !== true) return NagRuleCompliance.NON_COMPLIANT;
    if (flag('IncludeGlobalServiceEvents') === false) return NagRuleCompliance.NON_COMPLIANT;
    if ([p.KMSKeyId, p.CloudWatchLogsLogGroupArn, p.CloudWatchLogsRoleArn].some((v) => v === undefined || v === '')) return NagRuleCompliance.NON_COMPLIANT;
    if (!capturesAllManagementEvents(p, path)) return NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.COMPLIANT;
});

function capturesAllManagementEvents(props: Json, path: string): boolean {
  const basic = asArray(props.EventSelectors).filter(isObject);
  const advanced = asArray(props.AdvancedEventSelectors).filter(isObject);
  if (basic.length === 0 && advanced.length === 0) return true;
  if (basic.some((s) => asArray(s.ExcludeManagementEventSources).length > 0)) return false;
  if (advanced.some(excludesEventSources)) return false;
  const fullBasic = basic.some((s) => {
    const include = booleanValue(s.IncludeManagementEvents, `IncludeManagementEvents of ${path}`) ?? true;
    const readWrite = stringValue(s.ReadWriteType, `ReadWriteType of ${path}`) ?? 'All';
    return include && readWrite === 'All';
  });
  const fullAdvanced = advanced.some((s) => {
    const fields = asArray(s.FieldSelectors).filter(isObject);
    const management = fields.some((f) => f.Field === 'eventCategory' && asArray(f.Equals).includes('Management'));
    const readOnlyFilter = fields.some((f) => f.Field === 'readOnly');
    return management && !readOnlyFilter;
  });
  return fullBasic || fullAdvanced;
}

function excludesEventSources(selector: Json): boolean {
  return asArray(selector.FieldSelectors)
    .filter(isObject)
    .some((f) => f.Field === 'eventSource' && ['NotEquals', 'NotStartsWith', 'NotEndsWith'].some((op) => asArray(f[op]).length > 0));
}
