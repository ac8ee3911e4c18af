import { NagRuleCompliance } from 'cdk-nag';
import { Json, asArray, booleanValue, isObject, pick, stringValue, variants } from '../private/cfn';
import { defineRule } from '../private/rule';

/**
 * A trail is one an auditor can rely on:
 * - multi-Region (`IsMultiRegionTrail`), logging (`IsLogging`), with global service events
 *   (`IncludeGlobalServiceEvents` not false);
 * - log file integrity validation on (`EnableLogFileValidation`);
 * - log files encrypted with a KMS key (`KMSKeyId`);
 * - delivered to CloudWatch Logs (`CloudWatchLogsLogGroupArn` and `CloudWatchLogsRoleArn`);
 * - every management event captured, read and write, with no source excluded: no event selectors
 *   at all, or at least one basic selector with management events and `ReadWriteType: All`, or an
 *   advanced selector for `eventCategory = Management` that does not filter on `readOnly`; and no
 *   selector excludes a source (`ExcludeManagementEventSources`, or an advanced `eventSource`
 *   `NotEquals`/`NotStartsWith`/`NotEndsWith`, which is how `kms.amazonaws.com` events are dropped).
 *
 * Security Hub CloudTrail.1, .2, .4 and .5; CIS AWS Foundations 3.1, 3.2 and 3.5 (v3.0);
 * Checkov CKV_AWS_35, CKV_AWS_36 and CKV_AWS_67.
 */
export default defineRule('CloudTrailSecured', (node, context) => {
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
