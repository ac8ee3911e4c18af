import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { grantKeyUse } from './key-use';
import { ServiceActions, Sid, encryptionContextKey } from '../private/kms-actions';

/**
 * The key-policy statements for AWS services that encrypt what the library creates: each grant is
 * written once here, and every construct that creates such a resource calls it.
 */

/** CloudWatch Logs encrypts and decrypts the events of log groups in this account and Region. */
export function grantLogGroupEncryption(key: kms.IKey, scope: IConstruct): iam.Grant {
  const stack = Stack.of(scope);
  return grantKeyUse(key, new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`), {
    actions: [...ServiceActions.LOGS],
    conditions: {
      ArnLike: { [encryptionContextKey('aws:logs:arn')]: `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
    },
    statementId: Sid.CLOUDWATCH_LOGS,
  });
}

/**
 * EventBridge rules of this account and Region deliver to a queue (a dead-letter queue) or a
 * topic encrypted with the key. The condition names the rules by pattern: a rule's own ARN would
 * make the key depend on the rule, which depends on the key, a cycle.
 */
export function grantEventBridgeDelivery(key: kms.IKey, scope: IConstruct, target: 'queue' | 'topic'): iam.Grant {
  const stack = Stack.of(scope);
  return grantKeyUse(key, new iam.ServicePrincipal('events.amazonaws.com'), {
    actions: [...(target === 'queue' ? ServiceActions.QUEUE_PRODUCER : ServiceActions.TOPIC_PUBLISHER)],
    conditions: { ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/*` } },
    statementId: target === 'queue' ? Sid.EVENTBRIDGE_DEAD_LETTERS : Sid.EVENTBRIDGE_TOPIC,
  });
}
