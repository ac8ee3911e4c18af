/**
 * `npm run demo`: synthesize the example app, run the compliance packs over it, start a local AWS,
 * bootstrap, deploy the demo stack, do a real envelope-encryption round trip through the canary,
 * write and read an object in the encrypted bucket, destroy, stop. Exits non-zero if anything fails.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { App } from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import { buildExampleApp } from './app';
import { allPacks, findings, rawFindings } from '../test/support/compliance';
import { LocalAws, startLocalAws } from '../test/support/local-aws';

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, 'cdk.out.demo');
const started = Date.now();
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function step(title: string): void {
  console.log(`\n▶ ${title}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Synthesize in-process, and report every pack's findings against the central acknowledgements. */
function synthesizeAndCheck(): void {
  step('Synthesize the example app and run the compliance packs');
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  const { demo, baseline } = buildExampleApp(app, { account: ACCOUNT, region: REGION });
  app.synth();
  for (const stack of [demo, baseline]) {
    const resources = Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, stack.templateFile), 'utf8')).Resources);
    console.log(`  ${stack.stackName}: ${resources.length} resources`);
  }

  let unacknowledged = 0;
  for (const pack of allPacks()) {
    const open = findings(app, [pack as NagPack]);
    const raw = rawFindings(app, [pack as NagPack]);
    unacknowledged += open.length;
    console.log(`  ${pack.readPackName.padEnd(16)} ${String(raw.length).padStart(3)} findings, ${String(raw.length - open.length).padStart(3)} acknowledged by the constructs with a reason, ${open.length} open`);
    for (const f of open) console.log(`    ✗ ${f.id} on ${f.path}`);
  }
  if (unacknowledged > 0) throw new Error(`${unacknowledged} unacknowledged compliance findings`);
}

function cdk(local: LocalAws, args: string[]): void {
  const result = spawnSync(process.execPath, [require.resolve('aws-cdk/bin/cdk'), ...args], {
    cwd: root,
    env: { ...process.env, ...local.env },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    throw new Error(`cdk ${args[0]} failed`);
  }
}

async function deployAndExercise(local: LocalAws): Promise<void> {
  step(`Local AWS (moto) at ${local.endpoint}: bootstrap`);
  cdk(local, ['bootstrap', `aws://${ACCOUNT}/${REGION}`]);

  step('Deploy KmsGovernanceDemo');
  const outputsFile = path.join(outdir, 'outputs.json');
  cdk(local, ['deploy', 'KmsGovernanceDemo', '--app', outdir, '--require-approval', 'never', '--outputs-file', outputsFile]);
  const outputs = JSON.parse(fs.readFileSync(outputsFile, 'utf8')).KmsGovernanceDemo as Record<string, string>;
  console.log(`  key ${outputs.KeyArn}`);
  console.log(`  alias ${outputs.KeyAlias}, bucket ${outputs.BucketName}`);

  step('Invoke the key-health canary: a real envelope-encryption round trip');
  const run = await local.invoke(outputs.CanaryFunctionName, {});
  const report = run.payload as { ok: boolean; checks: Array<{ name: string; ok: boolean; latencyMs: number; error?: string }> };
  for (const c of report.checks) console.log(`  ${c.ok ? '✓' : '✗'} ${c.name.padEnd(24)} ${String(c.latencyMs).padStart(4)} ms${c.error ? `  ${c.error}` : ''}`);
  if (run.functionError || !report.ok) throw new Error(`the canary reported a failure: ${run.rawPayload}`);
  console.log('  the report carries names, outcomes and latencies only: no key material');

  step('Write an object to the encrypted bucket and read its encryption back');
  const s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: outputs.BucketName, Key: 'orders/demo.json', Body: '{"order":1}' }));
  const head = await s3.send(new HeadObjectCommand({ Bucket: outputs.BucketName, Key: 'orders/demo.json' }));
  console.log(`  ServerSideEncryption=${head.ServerSideEncryption}, key=${head.SSEKMSKeyId}, BucketKeyEnabled=${head.BucketKeyEnabled}`);
  if (head.ServerSideEncryption !== 'aws:kms' || head.SSEKMSKeyId !== outputs.KeyArn) throw new Error('the object is not encrypted under the key');

  step('Read the generated SecureString through SSM (the value is never printed)');
  const ssm = new SSMClient(local.clientConfig);
  const param = await ssm.send(new GetParameterCommand({ Name: outputs.ParameterName, WithDecryption: true }));
  const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [outputs.ParameterName] }] }));
  const value = param.Parameter?.Value ?? '';
  console.log(`  ${outputs.ParameterName}: ${param.Parameter?.Type}, key ${described.Parameters?.[0]?.KeyId}, ${value.length} characters`);
  if (param.Parameter?.Type !== 'SecureString' || value.length !== 32) throw new Error('the parameter is not the generated SecureString');

  step('Destroy');
  cdk(local, ['destroy', 'KmsGovernanceDemo', '--app', outdir, '--force']);
}

async function main(): Promise<void> {
  synthesizeAndCheck();
  const local = await startLocalAws();
  try {
    await deployAndExercise(local);
  } finally {
    await local.stop();
  }
  step('Done: local AWS stopped');
}

main().catch((e) => {
  console.error(`\n✗ demo failed: ${(e as Error).message}`);
  process.exit(1);
});
