// `node -r ./tools/compat/register.js app.js`: every require of aws-cdk-lib and constructs, from any
// module (the library, cdk-nag, the app), resolves to the copies in the node_modules directory
// named by KMSGOV_CDK_NODE_MODULES (default: tools/compat/node_modules, the latest aws-cdk-lib).
// The real-CLI tests run apps this way on the latest aws-cdk-lib (jest uses moduleNameMapper), and the
// integ tasks on tools/integ-cdk's aws-cdk-lib 2.257, the newest that integ-runner can read.
const Module = require('module');
const path = require('path');

// a relative KMSGOV_CDK_NODE_MODULES is relative to the repository (integ-runner runs apps elsewhere)
const dir = process.env.KMSGOV_CDK_NODE_MODULES
  ? path.resolve(__dirname, '..', '..', process.env.KMSGOV_CDK_NODE_MODULES)
  : path.join(__dirname, 'node_modules');
const redirected = /^(aws-cdk-lib|constructs)(\/.*)?$/;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (redirected.test(request)) return resolve.call(this, path.join(dir, request), parent, ...rest);
  return resolve.call(this, request, parent, ...rest);
};
