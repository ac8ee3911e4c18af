import { CfnResource } from 'aws-cdk-lib';
import { Json, asArray, flatten, isObject, numberValue, pick, sameValue, variants } from './cfn';
import { RuleContext } from './rule';

/**
 * How trails, log groups, metric filters and alarms of an app relate, for the audit rules.
 */

/** The name of a log group in a literal log-group ARN (`arn:…:logs:…:log-group:NAME[:*]`). */
export function logGroupNameFromArn(arn: unknown): string | undefined {
  const text = flatten(arn);
  if (text === undefined || text.includes('${')) return undefined;
  return /:log-group:([^:]+)(:\*)?$/.exec(text)?.[1];
}

/** The log group of the app that a trail delivers to (its `CloudWatchLogsLogGroupArn`), if it is in the app. */
export function logGroupOfTrail(trail: CfnResource, context: RuleContext): CfnResource | undefined {
  const arn = context.properties(trail)?.CloudWatchLogsLogGroupArn;
  if (arn === undefined) return undefined;
  const literalName = logGroupNameFromArn(arn);
  return context.resourcesOfType(trail, 'AWS::Logs::LogGroup').find((lg) => {
    if (context.refersTo(trail, arn, lg, ['Arn'])) return true;
    const name = context.properties(lg)?.LogGroupName;
    return literalName !== undefined && name === literalName;
  });
}

/** The trails of the app that deliver to a log group. */
export function trailsWritingTo(logGroup: CfnResource, context: RuleContext): CfnResource[] {
  return context.resourcesOfType(logGroup, 'AWS::CloudTrail::Trail').filter((t) => logGroupOfTrail(t, context) === logGroup);
}

/**
 * The metric filters of the app on a trail's log group: by reference to the log group, or by its
 * literal name (also when the log group is outside the app and the trail names it by a literal ARN).
 */
export function metricFiltersForTrail(trail: CfnResource, context: RuleContext): CfnResource[] {
  const logGroup = logGroupOfTrail(trail, context);
  const names = new Set<string>();
  const fromArn = logGroupNameFromArn(context.properties(trail)?.CloudWatchLogsLogGroupArn);
  if (fromArn !== undefined) names.add(fromArn);
  const literal = logGroup ? context.properties(logGroup)?.LogGroupName : undefined;
  if (typeof literal === 'string') names.add(literal);
  return context.resourcesOfType(trail, 'AWS::Logs::MetricFilter').filter((mf) => {
    const target = context.properties(mf)?.LogGroupName;
    if (logGroup && context.refersTo(mf, target, logGroup)) return true;
    return typeof target === 'string' && names.has(target);
  });
}

/** The CIS 4.7 / CloudWatch.7 alarm settings. */
const ALARM_PERIOD_SECONDS = 300;

/**
 * Whether an alarm that compares the Sum of events with a threshold fires on one event and stays
 * quiet on none: `>= t` with 0 < t <= 1 (CIS: `>= 1`), or `> t` with 0 <= t < 1 (`> 0`). `> 1`
 * misses a single deletion; `>= 0` fires on every period.
 */
export function firesOnOneEvent(operator: unknown, threshold: number): boolean {
  if (operator === 'GreaterThanOrEqualToThreshold') return threshold > 0 && threshold <= 1;
  if (operator === 'GreaterThanThreshold') return threshold >= 0 && threshold < 1;
  return false;
}

/**
 * Whether an alarm watches the metric of a metric-filter transformation as CIS 4.7 asks: the Sum
 * over 300 seconds, a threshold that one event crosses upwards (`firesOnOneEvent`), one evaluation
 * period, actions enabled, and at least one alarm action. The metric is matched by name and namespace, with no
 * dimensions unless the transformation emits some.
 */
export function alarmWatches(alarm: CfnResource, transformation: Json, context: RuleContext): boolean {
  const props = context.properties(alarm);
  if (props === undefined) return false;
  try {
    // Every Fn::If branch of the settings must make the alarm.
    const settings = pick(props, 'MetricName', 'Namespace', 'Dimensions', 'Statistic', 'Period', 'Metrics', 'Threshold', 'ComparisonOperator',
      'EvaluationPeriods', 'ActionsEnabled', 'AlarmActions');
    return (variants(settings, `The settings of ${alarm.node.path}`) as Json[]).every((p) => variantWatches(p, alarm, transformation));
  } catch {
    return false;
  }
}

function variantWatches(p: Json, alarm: CfnResource, transformation: Json): boolean {
  const what = (name: string) => `${name} of ${alarm.node.path}`;
  try {
    let metric: Json | undefined;
    let stat: unknown;
    let period: unknown;
    if (p.MetricName !== undefined) {
      metric = { MetricName: p.MetricName, Namespace: p.Namespace, Dimensions: p.Dimensions };
      stat = p.Statistic;
      period = p.Period;
    } else {
      const queries = asArray(p.Metrics).filter(isObject);
      const ms = queries.length === 1 && queries[0].ReturnData !== false ? queries[0].MetricStat : undefined;
      if (!isObject(ms)) return false;
      metric = isObject(ms.Metric) ? ms.Metric : undefined;
      stat = ms.Stat;
      period = ms.Period;
    }
    if (!metric) return false;
    if (!sameValue(metric.MetricName, transformation.MetricName) || !sameValue(metric.Namespace, transformation.MetricNamespace)) return false;
    if (asArray(transformation.Dimensions).length === 0 && asArray(metric.Dimensions).length > 0) return false;
    if (stat !== 'Sum' || numberValue(period, what('Period')) !== ALARM_PERIOD_SECONDS) return false;
    const threshold = numberValue(p.Threshold, what('Threshold'));
    if (threshold === undefined || !firesOnOneEvent(p.ComparisonOperator, threshold)) return false;
    if (numberValue(p.EvaluationPeriods, what('EvaluationPeriods')) !== 1) return false;
    if (p.ActionsEnabled === false || p.ActionsEnabled === 'false') return false;
    return asArray(p.AlarmActions).length > 0;
  } catch {
    // An alarm whose settings are not literal does not prove the control.
    return false;
  }
}
