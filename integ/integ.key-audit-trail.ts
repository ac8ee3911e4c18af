/**
 * KeyAuditTrail with its own trail: deployed offline (the local AWS maps `AWS::CloudTrail::Trail`
 * onto moto's CloudTrail backend, with CreateTrail's checks of the bucket policy, key and log
 * group) and by `integ:aws` to a real account. IMPORTANT: a multi-Region trail is billed (the
 * first copy of management events is free).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { KeyAuditTrail } from '../src';

// No creation stack traces in the snapshots: they hold local paths and line numbers.
const app = new App({ stackTraces: false });
const stack = new Stack(app, 'KmsGovAuditTrail');
const audit = new KeyAuditTrail(stack, 'Audit', { trailName: 'kms-governance-integ', removalPolicy: RemovalPolicy.DESTROY });

const test = new IntegTest(app, 'KeyAuditTrail', { testCases: [stack] });
test.assertions
  .awsApiCall('CloudTrail', 'describeTrails', { trailNameList: ['kms-governance-integ'] })
  .expect(ExpectedResult.objectLike({
    trailList: [Match.objectLike({
      Name: 'kms-governance-integ',
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      LogFileValidationEnabled: true,
      KmsKeyId: audit.key!.keyArn,
    })],
  }));
test.assertions
  .awsApiCall('CloudTrail', 'getTrailStatus', { Name: 'kms-governance-integ' })
  .expect(ExpectedResult.objectLike({ IsLogging: true }));
test.assertions
  .awsApiCall('CloudWatchLogs', 'describeMetricFilters', { logGroupName: audit.logGroup.logGroupName, metricName: 'KeyDisabledOrScheduledForDeletion', metricNamespace: 'CdkKmsGovernance/Audit' })
  .expect(ExpectedResult.objectLike({ metricFilters: Match.arrayWith([Match.objectLike({ metricTransformations: [Match.objectLike({ metricName: 'KeyDisabledOrScheduledForDeletion' })] })]) }));

app.synth();
