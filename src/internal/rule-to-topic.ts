import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { GlobalCondition } from '../private/kms-actions';

/**
 * Send what an EventBridge rule matches to an SNS topic, with a dead-letter queue for what cannot
 * be delivered. Not events-targets' `SnsTopic`: that one lets `events.amazonaws.com` publish to the
 * topic with no source condition. Here EventBridge may publish to the topic, and send to the queue,
 * for this rule of this account only (`aws:SourceAccount`, `aws:SourceArn`).
 */
export function sendRuleToTopic(rule: events.Rule, topic: sns.ITopic, deadLetters: sqs.IQueue): void {
  rule.addTarget({
    bind: () => ({
      arn: topic.topicArn,
      deadLetterConfig: { arn: deadLetters.queueArn },
      retryPolicy: { maximumRetryAttempts: 3 },
      targetResource: topic,
    }),
  });
  const fromThisRule = {
    StringEquals: { [GlobalCondition.SOURCE_ACCOUNT]: Stack.of(rule).account },
    ArnEquals: { [GlobalCondition.SOURCE_ARN]: rule.ruleArn },
  };
  const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
  topic.addToResourcePolicy(new iam.PolicyStatement({
    principals: [eventBridge], actions: ['sns:Publish'], resources: [topic.topicArn], conditions: fromThisRule,
  }));
  deadLetters.addToResourcePolicy(new iam.PolicyStatement({
    principals: [eventBridge], actions: ['sqs:SendMessage'], resources: [deadLetters.queueArn], conditions: fromThisRule,
  }));
}
