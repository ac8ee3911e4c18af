/**
 * The example app as a CDK app: `npx cdk --app "npx ts-node --transpile-only examples/main.ts" synth`.
 * CDK_OUTDIR overrides the output directory.
 */
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from './app';

const app = new App({ outdir: process.env.CDK_OUTDIR });
buildExampleApp(app);
app.synth();
