'use strict';
/**
 * Local stand-in for the "cfn-response" module that AWS Lambda makes
 * available to Node.js functions whose code is given inline (ZipFile) in a
 * CloudFormation template. Same interface: SUCCESS, FAILED, send(...).
 * Placed at node_modules/cfn-response/index.js of inline functions only.
 */
const https = require('https');
const { URL } = require('url');

exports.SUCCESS = 'SUCCESS';
exports.FAILED = 'FAILED';

exports.send = function send(event, context, responseStatus, responseData, physicalResourceId, noEcho, reason) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({
      Status: responseStatus,
      Reason: reason || `See the details in CloudWatch Log Stream: ${context.logStreamName}`,
      PhysicalResourceId: physicalResourceId || context.logStreamName,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      NoEcho: noEcho || false,
      Data: responseData,
    });
    const url = new URL(event.ResponseURL);
    // https.request to the emulator host is sent as http by node_runner.js.
    const request = https.request({
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      response.resume();
      response.on('end', () => {
        context.done();
        resolve();
      });
    });
    request.on('error', (error) => {
      console.log(`send(..) failed executing https.request(..): ${error}`);
      context.done();
      reject(error);
    });
    request.write(body);
    request.end();
  });
};
