import { createCipheriv, createDecipheriv, randomBytes, randomUUID, timingSafeEqual } from 'crypto';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  KMSClient,
  MacAlgorithmSpec,
  SignCommand,
  SigningAlgorithmSpec,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import {
  CANARY_CONTEXT_KEY,
  CANARY_CONTEXT_VALUE,
  CANARY_METRIC_DIMENSION,
  CANARY_METRIC_NAME,
  CANARY_RUN_CONTEXT_KEY,
  CanaryCheck,
  CanaryEnv,
  CanaryReport,
} from './private/contracts/key-health-canary.contract';
import { HANDLER_CLIENT_CONFIG } from './private/handlers/client-config';
import { describeError } from './private/handlers/errors';

/**
 * The key-health canary: proves that a KMS key still does its job with a real round trip, and
 * reports each check. A failure is reported (ok: false, metric 0), never thrown, so that a broken
 * key shows up as data rather than as a Lambda error. No key material or plaintext is ever
 * returned or logged.
 */

// Bounded connection and request times, and attempts: a KMS endpoint that hangs is reported as a
// failed check within seconds, not when the function times out.
const kms = new KMSClient(HANDLER_CLIENT_CONFIG);
const cloudwatch = new CloudWatchClient(HANDLER_CLIENT_CONFIG);

export async function handler(): Promise<CanaryReport> {
  const keyArn = requireEnv(CanaryEnv.KEY_ARN);
  const keySpec = requireEnv(CanaryEnv.KEY_SPEC);
  const keyUsage = requireEnv(CanaryEnv.KEY_USAGE);
  const started = Date.now();
  const checks: CanaryCheck[] = [];

  checks.push(await check('key-enabled', async () => {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    if (KeyMetadata?.KeyState !== 'Enabled') throw new CheckFailure(`key state is ${KeyMetadata?.KeyState}`);
  }));

  if (keyUsage === 'ENCRYPT_DECRYPT' && keySpec === 'SYMMETRIC_DEFAULT') {
    checks.push(await check('envelope-round-trip', () => envelopeRoundTrip(keyArn)));
    let direct: { ciphertext: Uint8Array; context: Record<string, string> } | undefined;
    checks.push(await check('direct-round-trip', async () => {
      direct = await directRoundTrip(keyArn);
    }));
    // Reuses the direct round trip's ciphertext (one Decrypt, not another Encrypt and Decrypt).
    checks.push(await check('wrong-context-refused', () => wrongContextRefused(keyArn, direct)));
  } else if (keyUsage === 'ENCRYPT_DECRYPT') {
    checks.push(await check('asymmetric-round-trip', () => asymmetricRoundTrip(keyArn, keySpec)));
  } else if (keyUsage === 'SIGN_VERIFY') {
    checks.push(await check('sign-verify', () => signVerify(keyArn, keySpec)));
  } else if (keyUsage === 'GENERATE_VERIFY_MAC') {
    checks.push(await check('generate-verify-mac', () => generateVerifyMac(keyArn, keySpec)));
  } else {
    checks.push({ name: 'supported-usage', ok: false, latencyMs: 0, error: `the canary cannot exercise a ${keyUsage} key` });
  }

  const ok = checks.every((c) => c.ok);
  const metricPublished = await publishMetric(keyArn, ok);
  const report: CanaryReport = {
    ok,
    keyArn,
    keySpec,
    keyUsage,
    checks,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    metricPublished,
  };
  // The report holds names, outcomes and AWS error messages only; safe to log.
  console.log(JSON.stringify({ event: 'key-health-canary', ok, keyArn, failed: checks.filter((c) => !c.ok).map((c) => c.name) }));
  return report;
}

/**
 * Envelope encryption as an application does it: a data key from KMS, the sample encrypted
 * locally with AES-256-GCM, the plaintext data key dropped, then the encrypted data key
 * decrypted by KMS and the sample decrypted and compared.
 */
async function envelopeRoundTrip(keyArn: string): Promise<void> {
  const context = canaryContext();
  const sample = randomBytes(64);
  const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: context }));
  const plaintextKey = Buffer.from(dataKey.Plaintext ?? []);
  if (plaintextKey.length !== 32 || !dataKey.CiphertextBlob) {
    plaintextKey.fill(0);
    dataKey.Plaintext?.fill(0);
    throw new CheckFailure('GenerateDataKey returned no 256-bit data key');
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', plaintextKey, iv);
  const sealed = Buffer.concat([cipher.update(sample), cipher.final()]);
  const tag = cipher.getAuthTag();
  plaintextKey.fill(0); // drop the plaintext data key: only the encrypted copy survives
  dataKey.Plaintext?.fill(0);

  const unwrapped = await kms.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: context }));
  const recoveredKey = Buffer.from(unwrapped.Plaintext ?? []);
  try {
    const decipher = createDecipheriv('aes-256-gcm', recoveredKey, iv);
    decipher.setAuthTag(tag);
    const opened = Buffer.concat([decipher.update(sealed), decipher.final()]);
    if (!sameBytes(opened, sample)) throw new CheckFailure('the decrypted sample differs from the original');
  } finally {
    recoveredKey.fill(0);
    unwrapped.Plaintext?.fill(0);
  }
}

/** Encrypt up to 4 KB directly under the key and decrypt it back. Returns the ciphertext. */
async function directRoundTrip(keyArn: string, context = canaryContext()): Promise<{ ciphertext: Uint8Array; context: Record<string, string> }> {
  const sample = randomBytes(1024);
  const enc = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: sample, EncryptionContext: context }));
  if (!enc.CiphertextBlob) throw new CheckFailure('Encrypt returned no ciphertext');
  const dec = await kms.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }));
  const same = sameBytes(dec.Plaintext, sample);
  dec.Plaintext?.fill(0);
  if (!same) throw new CheckFailure('the decrypted sample differs from the original');
  return { ciphertext: enc.CiphertextBlob, context };
}

/** A ciphertext must not decrypt under another encryption context: KMS binds the context to it. */
async function wrongContextRefused(keyArn: string, direct?: { ciphertext: Uint8Array; context: Record<string, string> }): Promise<void> {
  const { ciphertext, context } = direct ?? (await directRoundTrip(keyArn));
  const wrong = { ...context, [CANARY_RUN_CONTEXT_KEY]: randomUUID() };
  try {
    const dec = await kms.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: ciphertext, EncryptionContext: wrong }));
    dec.Plaintext?.fill(0);
  } catch (e) {
    if ((e as Error).name === 'InvalidCiphertextException') return;
    throw e;
  }
  throw new CheckFailure('a ciphertext decrypted under the wrong encryption context');
}

/** Asymmetric encryption keys: no data keys and no encryption context, so a direct round trip. */
async function asymmetricRoundTrip(keyArn: string, keySpec: string): Promise<void> {
  const sample = randomBytes(128);
  const algorithm = keySpec === 'SM2' ? 'SM2PKE' : 'RSAES_OAEP_SHA_256';
  const enc = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: sample, EncryptionAlgorithm: algorithm }));
  const dec = await kms.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: algorithm }));
  const same = sameBytes(dec.Plaintext, sample);
  dec.Plaintext?.fill(0);
  if (!same) throw new CheckFailure('the decrypted sample differs from the original');
}

/** Sign a message, verify it, and check that a tampered message does not verify. */
async function signVerify(keyArn: string, keySpec: string): Promise<void> {
  const algorithm = signingAlgorithm(keySpec);
  const message = randomBytes(64);
  const signed = await kms.send(new SignCommand({ KeyId: keyArn, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }));
  const good = await kms.send(new VerifyCommand({ KeyId: keyArn, Message: message, MessageType: 'RAW', Signature: signed.Signature, SigningAlgorithm: algorithm }));
  if (!good.SignatureValid) throw new CheckFailure('a fresh signature did not verify');
  const tampered = flipFirstByte(message);
  try {
    const bad = await kms.send(new VerifyCommand({ KeyId: keyArn, Message: tampered, MessageType: 'RAW', Signature: signed.Signature, SigningAlgorithm: algorithm }));
    if (bad.SignatureValid) throw new CheckFailure('a signature verified for a tampered message');
  } catch (e) {
    if ((e as Error).name !== 'KMSInvalidSignatureException') throw e;
  }
}

/** Generate a MAC, verify it, and check that a tampered message does not verify. */
async function generateVerifyMac(keyArn: string, keySpec: string): Promise<void> {
  const algorithm = `HMAC_SHA_${keySpec.replace('HMAC_', '')}` as MacAlgorithmSpec;
  const message = randomBytes(64);
  const mac = await kms.send(new GenerateMacCommand({ KeyId: keyArn, Message: message, MacAlgorithm: algorithm }));
  const good = await kms.send(new VerifyMacCommand({ KeyId: keyArn, Message: message, Mac: mac.Mac, MacAlgorithm: algorithm }));
  if (!good.MacValid) throw new CheckFailure('a fresh MAC did not verify');
  const tampered = flipFirstByte(message);
  try {
    const bad = await kms.send(new VerifyMacCommand({ KeyId: keyArn, Message: tampered, Mac: mac.Mac, MacAlgorithm: algorithm }));
    if (bad.MacValid) throw new CheckFailure('a MAC verified for a tampered message');
  } catch (e) {
    if ((e as Error).name !== 'KMSInvalidMacException') throw e;
  }
}

/** Constant-time comparison that also handles a length mismatch (timingSafeEqual throws on one). */
function sameBytes(actual: Uint8Array | undefined, expected: Buffer): boolean {
  return actual !== undefined && actual.length === expected.length && timingSafeEqual(Buffer.from(actual), expected);
}

/** A copy of the message with its first byte changed. */
function flipFirstByte(message: Buffer): Buffer {
  const tampered = Buffer.from(message);
  tampered[0] = 255 - tampered[0];
  return tampered;
}

function signingAlgorithm(keySpec: string): SigningAlgorithmSpec {
  if (keySpec.startsWith('RSA_')) return 'RSASSA_PSS_SHA_256';
  if (keySpec === 'ECC_NIST_P384') return 'ECDSA_SHA_384';
  if (keySpec === 'ECC_NIST_P521') return 'ECDSA_SHA_512';
  if (keySpec === 'ECC_NIST_EDWARDS25519') return 'ED25519_SHA_512' as SigningAlgorithmSpec;
  if (keySpec.startsWith('ML_DSA_')) return 'ML_DSA_SHAKE_256' as SigningAlgorithmSpec;
  if (keySpec === 'SM2') return 'SM2DSA';
  return 'ECDSA_SHA_256';
}

function canaryContext(): Record<string, string> {
  return { [CANARY_CONTEXT_KEY]: CANARY_CONTEXT_VALUE, [CANARY_RUN_CONTEXT_KEY]: randomUUID() };
}

async function publishMetric(keyArn: string, ok: boolean): Promise<boolean> {
  const namespace = process.env[CanaryEnv.METRIC_NAMESPACE];
  if (!namespace) return false;
  try {
    await cloudwatch.send(new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: [{ MetricName: CANARY_METRIC_NAME, Dimensions: [{ Name: CANARY_METRIC_DIMENSION, Value: keyArn.split('/').pop() }], Value: ok ? 1 : 0, Unit: 'Count' }],
    }));
    return true;
  } catch (e) {
    console.log(JSON.stringify({ event: 'metric-publish-failed', error: describeError(e) }));
    return false;
  }
}

class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailed';
  }
}

async function check(name: string, fn: () => Promise<unknown>): Promise<CanaryCheck> {
  const t0 = Date.now();
  try {
    await fn();
    return { name, ok: true, latencyMs: Date.now() - t0 };
  } catch (e) {
    return { name, ok: false, latencyMs: Date.now() - t0, error: describeError(e) };
  }
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`the canary is misconfigured: environment variable ${name} is not set`);
  return value;
}
