import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEAD_LETTER_QUEUE_WITHOUT_REDRIVE, acknowledge } from '../private/acknowledgements';

/**
 * A dead-letter queue of the library (for a function, or an EventBridge target): encrypted with
 * `key`, SSL only, messages kept 14 days.
 *
 * `redriveAllowPolicy` is `allowAll`, SQS's own default when the policy is absent, written out so
 * that AWS Control Tower's CT.SQS.PR.1 (every queue has a dead-letter queue) recognizes the queue as
 * a dead-letter queue: a dead-letter queue for a dead-letter queue would only move the problem.
 */
export function deadLetterQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
  });
  acknowledge(queue.node.defaultChild!, [DEAD_LETTER_QUEUE_WITHOUT_REDRIVE]);
  return queue;
}
