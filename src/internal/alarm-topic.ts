import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IManagedKey } from '../managed-key';
import { OPERATIONAL_KEY_ID } from './operational-key';
import { grantServiceIntegration } from './service-grants';
import { shortHash } from '../private/ids';
import { Sid } from '../private/kms-actions';

/**
 * The SNS topic that the library's alarms notify, one per stack and encryption key, found through
 * the construct tree. Encrypted with `key`, SSL only, and open to CloudWatch alarms of this account.
 * Subscriptions are left to the user (CIS 4.x needs at least one).
 */
export function alarmTopic(scope: Construct, key: IManagedKey): sns.Topic {
  const stack = Stack.of(scope);
  const id = key.node.id === OPERATIONAL_KEY_ID && key.node.scope === stack ? 'KmsGovernanceAlarmTopic' : `KmsGovernanceAlarmTopic${shortHash(key.node.path)}`;
  const existing = stack.node.tryFindChild(id);
  if (existing) return existing as sns.Topic;

  const topic = new sns.Topic(stack, id, { masterKey: key, enforceSSL: true, displayName: 'cdk-kms-governance alarms' });
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: Sid.CLOUDWATCH_ALARMS,
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  // CloudWatch alarms publish to an encrypted topic only if the key lets them (AWS managed keys do not).
  grantServiceIntegration(key, stack, 'cloudwatch-to-sns');
  return topic;
}
