/**
 * An EnvelopeEncryptedBucket deployed: an object written without encryption headers is stored with
 * SSE-KMS under the bucket's key (the bucket default), as HeadObject shows.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EnvelopeEncryptedBucket, ManagedCmk } from '../src';

// No creation stack traces in the snapshots: they hold local paths and line numbers.
const app = new App({ stackTraces: false });
const stack = new Stack(app, 'KmsGovBucket');
const key = new ManagedCmk(stack, 'Key', { alias: 'integ/bucket' });
const data = new EnvelopeEncryptedBucket(stack, 'Data', { key });
// The assertion provider lives in another stack that deploys after this one, so the key policy
// cannot name its role. For this test only, the key lets IAM grant its use through S3 for this
// bucket; the provider's IAM policy below does so.
key.grantScoped(new iam.AccountRootPrincipal(), {
  actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
  viaServices: [`s3.${stack.region}.amazonaws.com`],
  // data.bucketArn is built from the name: the key policy may use it (bucket.bucketArn would be a cycle).
  conditions: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': [data.bucketArn, `${data.bucketArn}/*`] } },
  statementId: 'IntegTestS3Use',
});

const test = new IntegTest(app, 'EnvelopeEncryptedBucket', { testCases: [stack] });
const put = test.assertions.awsApiCall('S3', 'putObject', { Bucket: data.bucket.bucketName, Key: 'integ/object.json', Body: '{"integ":true}' });
put.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: [key.keyArn] });
const head = test.assertions.awsApiCall('S3', 'headObject', { Bucket: data.bucket.bucketName, Key: 'integ/object.json' });
head.expect(ExpectedResult.objectLike({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.keyArn, BucketKeyEnabled: true }));
put.next(head);

app.synth();
