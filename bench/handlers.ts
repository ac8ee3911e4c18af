/**
 * Handler footprint: bundle sizes, cold `require` time, and the KMS requests of a canary run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { CreateKeyCommand, KMSClient, KeySpec, KeyUsageType } from '@aws-sdk/client-kms';
import { REPO_ROOT } from './apps';
import { Summary, summarize, tmpRoot } from './harness';
import { CanaryEnv, CanaryReport, canaryKeyGroups } from '../src/private/contracts/key-health-canary.contract';
import { startLocalAws } from '../test/support/local-aws';

export const ASSETS_DIR = path.join(REPO_ROOT, 'assets');
/** The stand-in for the SDK that the Lambda Node.js runtime provides (what the local executor uses). */
export const RUNTIME_SDK = path.join(REPO_ROOT, 'tools', 'local-aws', 'sdk', 'node_modules');
export const BUNDLE_LIMIT = 10 * 1024;

export interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Modules the bundle requires at run time (`@aws-sdk/*` and Node built-ins). */
  readonly requires: string[];
  readonly sdkClients: string[];
}

/** Every src/*.lambda.ts and its bundle in assets/ (missing bundles are reported, not skipped). */
export function bundles(): { found: Bundle[]; missing: string[] } {
  const handlers = fs.readdirSync(path.join(REPO_ROOT, 'src')).filter((f) => f.endsWith('.lambda.ts')).map((f) => f.replace(/\.ts$/, ''));
  const found: Bundle[] = [];
  const missing: string[] = [];
  for (const name of handlers) {
    const file = path.join(ASSETS_DIR, name, 'index.js');
    if (!fs.existsSync(file)) {
      missing.push(name);
      continue;
    }
    const content = fs.readFileSync(file);
    const requires = [...new Set([...content.toString('utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    found.push({
      name,
      file,
      bytes: content.length,
      gzipBytes: zlib.gzipSync(content, { level: 9 }).length,
      requires,
      sdkClients: requires.filter((r) => r.startsWith('@aws-sdk/')),
    });
  }
  return { found, missing };
}

// ---------------------------------------------------------------------------------------------
// Cold require
// ---------------------------------------------------------------------------------------------

export interface RequireTiming {
  readonly target: string;
  /** Wall time of the whole `node -e` process, ms. */
  readonly process: Summary;
  /** Time of the `require()` call inside the process, ms. */
  readonly require: Summary;
}

const PROBE = [
  'const t0 = process.hrtime.bigint();',
  'for (const m of JSON.parse(process.env.BENCH_REQUIRE)) require(m);',
  'process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));',
].join('');

/**
 * Cold `require` of each bundle in a fresh `node -e` process per sample, against two baselines in
 * the same run: an empty file, and the SDK clients the bundle loads (which the Lambda runtime
 * provides). The bundles are copied outside the repository so that they resolve `@aws-sdk/*`
 * from the runtime stand-in only, as on Lambda. Samples are interleaved; round 0 is a warm-up
 * (file-system cache) and is discarded.
 */
export function coldRequire(found: Bundle[], samples: number): RequireTiming[] {
  ensureRuntimeSdk();
  const dir = path.join(tmpRoot(), 'handlers');
  fs.mkdirSync(dir, { recursive: true });
  const empty = path.join(dir, 'empty.js');
  fs.writeFileSync(empty, '');
  const targets: Array<{ target: string; modules: string[] }> = [{ target: 'empty file (baseline)', modules: [empty] }];
  for (const b of found) {
    const copy = path.join(dir, b.name, 'index.js');
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.copyFileSync(b.file, copy);
    targets.push({ target: `SDK only: ${b.sdkClients.map((c) => c.replace('@aws-sdk/', '')).join(' + ')} (${b.name})`, modules: b.sdkClients });
    targets.push({ target: b.name, modules: [copy] });
  }
  const env = {
    ...process.env,
    NODE_PATH: RUNTIME_SDK,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    NODE_NO_WARNINGS: '1',
  };
  const wall: Record<string, number[]> = {};
  const req: Record<string, number[]> = {};
  for (let round = 0; round <= samples; round++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(round + k) % targets.length];
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ['-e', PROBE], { env: { ...env, BENCH_REQUIRE: JSON.stringify(t.modules) }, encoding: 'utf8', cwd: dir });
      const elapsed = performance.now() - t0;
      if (r.status !== 0) throw new Error(`require of ${t.target} failed: ${r.stderr}`);
      if (round === 0) continue;
      (wall[t.target] ??= []).push(elapsed);
      (req[t.target] ??= []).push(Number(r.stdout));
    }
  }
  return targets.map((t) => ({ target: t.target, process: summarize(wall[t.target]), require: summarize(req[t.target]) }));
}

/**
 * Install the runtime SDK stand-in (tools/local-aws/sdk/node_modules) if it is missing or older
 * than its lockfile, as the local AWS's launcher does (the same code: local_aws/sdk_install.py).
 * On a fresh clone only `npm ci` has run, and the cold-require baselines need it.
 */
export function ensureRuntimeSdk(): void {
  const python = process.env.LOCAL_AWS_PYTHON ?? 'python3';
  const r = spawnSync(python, ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); from local_aws.sdk_install import ensure_sdk_installed; ensure_sdk_installed()',
    path.join(REPO_ROOT, 'tools', 'local-aws')], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (r.status !== 0) throw new Error(`installing the runtime SDK (tools/local-aws/sdk) failed: ${r.stderr}`);
}

// ---------------------------------------------------------------------------------------------
// KMS requests per canary run
// ---------------------------------------------------------------------------------------------

export interface CanaryCase {
  readonly label: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsageType;
  /** The data key pair spec probed as well (symmetric keys). */
  readonly dataKeyPair?: string;
  /** From reading src/key-health-canary.lambda.ts: the KMS calls of one healthy run. */
  readonly designCalls: string[];
}

/**
 * The design count, read from the handler: `handler()` calls DescribeKey, then per key usage:
 * - symmetric: `envelopeRoundTrip` (GenerateDataKey, Decrypt), `directRoundTrip` (Encrypt,
 *   Decrypt), and `wrongContextRefused`, which reuses the direct round trip's ciphertext for one
 *   Decrypt under the wrong context that KMS refuses;
 * - RSA encryption: `asymmetricRoundTrip` (Encrypt, Decrypt);
 * - signing: `signVerify` (Sign, Verify, Verify of a tampered message);
 * - HMAC: `generateVerifyMac` (GenerateMac, VerifyMac, VerifyMac of a tampered message);
 * - key agreement: `keyAgreement` (GetPublicKey, DeriveSharedSecret; ECDH locally);
 * - with a data key pair: `dataKeyPairRoundTrip` adds GenerateDataKeyPair and one Decrypt.
 * Then one CloudWatch PutMetricData. SDK retries would add requests; a healthy run has none.
 */
export const CANARY_CASES: CanaryCase[] = [
  {
    label: 'symmetric (SYMMETRIC_DEFAULT)',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    designCalls: ['DescribeKey', 'GenerateDataKey', 'Decrypt', 'Encrypt', 'Decrypt', 'Decrypt'],
  },
  { label: 'RSA encryption (RSA_2048)', keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT', designCalls: ['DescribeKey', 'Encrypt', 'Decrypt'] },
  { label: 'signing (ECC_NIST_P256)', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', designCalls: ['DescribeKey', 'Sign', 'Verify', 'Verify'] },
  { label: 'HMAC (HMAC_256)', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', designCalls: ['DescribeKey', 'GenerateMac', 'VerifyMac', 'VerifyMac'] },
  { label: 'key agreement (ECC_NIST_P256)', keySpec: 'ECC_NIST_P256', keyUsage: 'KEY_AGREEMENT', designCalls: ['DescribeKey', 'GetPublicKey', 'DeriveSharedSecret'] },
  {
    label: 'symmetric + data key pair (ECC_NIST_P256 pair)',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    dataKeyPair: 'ECC_NIST_P256',
    designCalls: ['DescribeKey', 'GenerateDataKey', 'Decrypt', 'Encrypt', 'Decrypt', 'Decrypt', 'GenerateDataKeyPair', 'Decrypt'],
  },
];

export interface CanaryCount {
  readonly case: CanaryCase;
  readonly ok: boolean;
  /** KMS operations the emulator logged during the invocation, in order (with HTTP status). */
  readonly kmsCalls: string[];
  readonly otherCalls: string[];
  readonly error?: string;
}

/**
 * Run the bundled canary against the local AWS (moto, tools/local-aws) once per key type, and count
 * the KMS requests the emulator logged (`.local-aws/moto-<port>.log`, one line per request)
 * between the invocation's start and the log line of the invocation itself. This counts real HTTP
 * requests from the real bundle, retries included.
 */
export async function countCanaryKmsCalls(): Promise<{ counts: CanaryCount[]; log: string }> {
  const bundleDir = path.join(ASSETS_DIR, 'key-health-canary.lambda');
  const aws = await startLocalAws();
  const log = path.join(REPO_ROOT, '.local-aws', `moto-${aws.port}.log`);
  const kms = new KMSClient(aws.clientConfig);
  const counts: CanaryCount[] = [];
  try {
    for (const [i, c] of CANARY_CASES.entries()) {
      try {
        const key = await kms.send(new CreateKeyCommand({ KeySpec: c.keySpec, KeyUsage: c.keyUsage, Description: `bench canary ${c.label}` }));
        const name = `bench-canary-${i}`;
        await aws.deployNodeFunction({
          name,
          dir: bundleDir,
          timeout: 30,
          environment: {
            // The contract's own encoding (src/private/contracts/key-health-canary.contract.ts).
            [CanaryEnv.KEYS]: JSON.stringify(canaryKeyGroups([
              { keyId: key.KeyMetadata!.KeyId!, spec: c.keySpec, usage: c.keyUsage, ...(c.dataKeyPair ? { dataKeyPair: c.dataKeyPair } : {}) },
            ])),
            [CanaryEnv.METRIC_NAMESPACE]: 'CdkKmsGovernance/Bench',
          },
        });
        const offset = fs.statSync(log).size;
        const result = await aws.invoke(name, {});
        const lines = await logLinesUntil(log, offset, `/functions/${name}/invocations`);
        const requests = lines.map((l) => l.match(/INFO \S+ \S+ (\S+) -> (\d+)/)).filter((m): m is RegExpMatchArray => m !== null);
        const kmsCalls = requests.filter((m) => m[1].startsWith('TrentService.')).map((m) => `${m[1].replace('TrentService.', '')}${m[2] === '200' ? '' : ` (${m[2]})`}`);
        const otherCalls = requests.filter((m) => !m[1].startsWith('TrentService.') && !m[1].includes('/invocations')).map((m) => m[1].replace(/^GraniteServiceVersion20100801\./, 'CloudWatch.'));
        const payload = result.payload as Partial<CanaryReport> | undefined;
        const failed = payload?.keys?.flatMap((k) => k.checks).filter((k) => !k.ok).map((k) => `${k.name}: ${k.error}`).join('; ');
        const error = result.functionError ? result.rawPayload.slice(0, 300) : failed || undefined;
        counts.push({ case: c, ok: payload?.ok === true, kmsCalls, otherCalls, error });
      } catch (e) {
        counts.push({ case: c, ok: false, kmsCalls: [], otherCalls: [], error: String((e as Error).message ?? e).slice(0, 300) });
      }
    }
  } finally {
    kms.destroy();
    await aws.stop();
  }
  return { counts, log: path.relative(REPO_ROOT, log) };
}

/** The log lines written after `offset`, once the line containing `marker` has appeared. */
async function logLinesUntil(file: string, offset: number, marker: string, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = fs.readFileSync(file).subarray(offset).toString('utf8');
    const lines = text.split('\n');
    const end = lines.findIndex((l) => l.includes(marker));
    if (end >= 0) return lines.slice(0, end + 1);
    if (Date.now() > deadline) throw new Error(`no '${marker}' in ${file} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
