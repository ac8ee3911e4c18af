import {
  KeyObject,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  constants as cryptoConstants,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  randomUUID,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
} from 'crypto';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DataKeyPairSpec,
  DecryptCommand,
  DeriveSharedSecretCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GetPublicKeyCommand,
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
  CANARY_KEY_AGREEMENT_ALGORITHM,
  CANARY_METRIC_DIMENSION,
  CANARY_METRIC_NAME,
  CANARY_RUN_CONTEXT_KEY,
  CanaryCheck,
  CanaryEnv,
  CanaryKeyReport,
  CanaryReport,
  CanaryTarget,
  parseCanaryKeys,
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

/** How many keys are probed at the same time. */
const KEY_CONCURRENCY = 4;
/** CloudWatch's classic PutMetricData limit of metrics per request (newer limits are higher). */
const METRICS_PER_REQUEST = 20;

export async function handler(): Promise<CanaryReport> {
  const targets = parseCanaryKeys(process.env[CanaryEnv.KEYS]);
  const started = Date.now();
  const keys = await mapConcurrently(targets, KEY_CONCURRENCY, probeKey);
  const ok = keys.every((k) => k.ok);
  const metricPublished = await publishMetrics(keys);
  const report: CanaryReport = {
    ok,
    keys,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    metricPublished,
  };
  // Key ids, states, check names and AWS error messages only; safe to log.
  for (const k of keys) {
    console.log(JSON.stringify({ event: 'key-health-canary', keyId: k.keyId, ok: k.ok, keyState: k.keyState, failed: k.checks.filter((c) => !c.ok).map((c) => c.name) }));
  }
  return report;
}

/** Every check of one key. A failure is recorded, never thrown. */
async function probeKey(target: CanaryTarget): Promise<CanaryKeyReport> {
  const { keyId, spec: keySpec, usage: keyUsage } = target;
  const checks: CanaryCheck[] = [];
  let keyState: string | undefined;

  checks.push(await check('key-enabled', async () => {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    keyState = KeyMetadata?.KeyState;
    if (keyState !== 'Enabled') throw new CheckFailure(`key state is ${keyState}`);
  }));

  if (keyUsage === 'ENCRYPT_DECRYPT' && keySpec === 'SYMMETRIC_DEFAULT') {
    checks.push(await check('envelope-round-trip', () => envelopeRoundTrip(keyId)));
    let direct: { ciphertext: Uint8Array; context: Record<string, string> } | undefined;
    checks.push(await check('direct-round-trip', async () => {
      direct = await directRoundTrip(keyId);
    }));
    // Reuses the direct round trip's ciphertext (one Decrypt, not another Encrypt and Decrypt).
    checks.push(await check('wrong-context-refused', () => wrongContextRefused(keyId, direct)));
    if (target.dataKeyPair) {
      checks.push(await check('data-key-pair', () => dataKeyPairRoundTrip(keyId, target.dataKeyPair!)));
    }
  } else if (keyUsage === 'ENCRYPT_DECRYPT') {
    checks.push(await check('asymmetric-round-trip', () => asymmetricRoundTrip(keyId, keySpec)));
  } else if (keyUsage === 'SIGN_VERIFY') {
    checks.push(await check('sign-verify', () => signVerify(keyId, keySpec)));
  } else if (keyUsage === 'GENERATE_VERIFY_MAC') {
    checks.push(await check('generate-verify-mac', () => generateVerifyMac(keyId, keySpec)));
  } else if (keyUsage === 'KEY_AGREEMENT') {
    checks.push(await check('key-agreement', () => keyAgreement(keyId, keySpec)));
  } else {
    checks.push({ name: 'supported-usage', ok: false, latencyMs: 0, error: `the canary cannot exercise a ${keyUsage} key` });
  }
  return {
    keyId,
    ok: checks.every((c) => c.ok),
    keySpec,
    keyUsage,
    ...(target.dataKeyPair ? { dataKeyPair: target.dataKeyPair } : {}),
    ...(keyState !== undefined ? { keyState } : {}),
    checks,
  };
}

/** `fn` over `items`, at most `limit` at a time, results in the order of `items`. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Envelope encryption as an application does it: a data key from KMS, the sample encrypted
 * locally with AES-256-GCM, the plaintext data key dropped, then the encrypted data key
 * decrypted by KMS and the sample decrypted and compared.
 */
async function envelopeRoundTrip(keyId: string): Promise<void> {
  const context = canaryContext();
  const sample = randomBytes(64);
  const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }));
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

  const unwrapped = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: context }));
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
async function directRoundTrip(keyId: string, context = canaryContext()): Promise<{ ciphertext: Uint8Array; context: Record<string, string> }> {
  const sample = randomBytes(1024);
  const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: sample, EncryptionContext: context }));
  if (!enc.CiphertextBlob) throw new CheckFailure('Encrypt returned no ciphertext');
  const dec = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }));
  const same = sameBytes(dec.Plaintext, sample);
  dec.Plaintext?.fill(0);
  if (!same) throw new CheckFailure('the decrypted sample differs from the original');
  return { ciphertext: enc.CiphertextBlob, context };
}

/** A ciphertext must not decrypt under another encryption context: KMS binds the context to it. */
async function wrongContextRefused(keyId: string, direct?: { ciphertext: Uint8Array; context: Record<string, string> }): Promise<void> {
  const { ciphertext, context } = direct ?? (await directRoundTrip(keyId));
  const wrong = { ...context, [CANARY_RUN_CONTEXT_KEY]: randomUUID() };
  try {
    const dec = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: ciphertext, EncryptionContext: wrong }));
    dec.Plaintext?.fill(0);
  } catch (e) {
    if ((e as Error).name === 'InvalidCiphertextException') return;
    throw e;
  }
  throw new CheckFailure('a ciphertext decrypted under the wrong encryption context');
}

/** Asymmetric encryption keys: no data keys and no encryption context, so a direct round trip. */
async function asymmetricRoundTrip(keyId: string, keySpec: string): Promise<void> {
  const sample = randomBytes(128);
  const algorithm = keySpec === 'SM2' ? 'SM2PKE' : 'RSAES_OAEP_SHA_256';
  const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: sample, EncryptionAlgorithm: algorithm }));
  const dec = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: algorithm }));
  const same = sameBytes(dec.Plaintext, sample);
  dec.Plaintext?.fill(0);
  if (!same) throw new CheckFailure('the decrypted sample differs from the original');
}

/** Sign a message, verify it, and check that a tampered message does not verify. */
async function signVerify(keyId: string, keySpec: string): Promise<void> {
  const algorithm = signingAlgorithm(keySpec);
  const message = randomBytes(64);
  const signed = await kms.send(new SignCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }));
  const good = await kms.send(new VerifyCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', Signature: signed.Signature, SigningAlgorithm: algorithm }));
  if (!good.SignatureValid) throw new CheckFailure('a fresh signature did not verify');
  const tampered = flipFirstByte(message);
  try {
    const bad = await kms.send(new VerifyCommand({ KeyId: keyId, Message: tampered, MessageType: 'RAW', Signature: signed.Signature, SigningAlgorithm: algorithm }));
    if (bad.SignatureValid) throw new CheckFailure('a signature verified for a tampered message');
  } catch (e) {
    if ((e as Error).name !== 'KMSInvalidSignatureException') throw e;
  }
}

/** Generate a MAC, verify it, and check that a tampered message does not verify. */
async function generateVerifyMac(keyId: string, keySpec: string): Promise<void> {
  const algorithm = `HMAC_SHA_${keySpec.replace('HMAC_', '')}` as MacAlgorithmSpec;
  const message = randomBytes(64);
  const mac = await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: algorithm }));
  const good = await kms.send(new VerifyMacCommand({ KeyId: keyId, Message: message, Mac: mac.Mac, MacAlgorithm: algorithm }));
  if (!good.MacValid) throw new CheckFailure('a fresh MAC did not verify');
  const tampered = flipFirstByte(message);
  try {
    const bad = await kms.send(new VerifyMacCommand({ KeyId: keyId, Message: tampered, Mac: mac.Mac, MacAlgorithm: algorithm }));
    if (bad.MacValid) throw new CheckFailure('a MAC verified for a tampered message');
  } catch (e) {
    if ((e as Error).name !== 'KMSInvalidMacException') throw e;
  }
}

/** The Node.js curve and signature hash of each elliptic-curve spec the canary handles. */
const CURVES: Record<string, { readonly curve: string; readonly hash: string }> = {
  ECC_NIST_P256: { curve: 'prime256v1', hash: 'sha256' },
  ECC_NIST_P384: { curve: 'secp384r1', hash: 'sha384' },
  ECC_NIST_P521: { curve: 'secp521r1', hash: 'sha512' },
  ECC_SECG_P256K1: { curve: 'secp256k1', hash: 'sha256' },
};

/**
 * Data key pairs as an application uses them: GenerateDataKeyPair under the key (with the
 * canary's encryption context); the encrypted private key decrypted by KMS must be the pair's
 * private key (the plaintext copy is then dropped, and only the decrypted one is used); a random
 * challenge encrypted with the public key must decrypt with the private key; a signature made
 * with the private key must verify with the public key, and not for a tampered message.
 */
async function dataKeyPairRoundTrip(keyId: string, pairSpec: string): Promise<void> {
  // The construct admits only specs of CURVES or RSA; anything else fails the check (TypeError).
  const rsa = pairSpec.startsWith('RSA_');
  const curve = CURVES[pairSpec];
  const context = canaryContext();
  const secrets: Array<Uint8Array | undefined> = [];
  try {
    const pair = await kms.send(new GenerateDataKeyPairCommand({
      KeyId: keyId,
      KeyPairSpec: pairSpec as DataKeyPairSpec,
      EncryptionContext: context,
    }));
    secrets.push(pair.PrivateKeyPlaintext);
    const unwrapped = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: context }));
    secrets.push(unwrapped.Plaintext);
    if (!pair.PrivateKeyPlaintext?.length || !sameBytes(unwrapped.Plaintext, Buffer.from(pair.PrivateKeyPlaintext))) {
      throw new CheckFailure('Decrypt returned another private key');
    }
    pair.PrivateKeyPlaintext.fill(0); // only the copy that KMS decrypted is used from here on
    const privateKey = createPrivateKey({ key: Buffer.from(unwrapped.Plaintext!), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey({ key: Buffer.from(pair.PublicKey!), format: 'der', type: 'spki' });

    const challenge = randomBytes(32);
    const opened = rsa ? rsaRoundTrip(publicKey, privateKey, challenge) : ecRoundTrip(publicKey, privateKey, curve.curve, challenge);
    secrets.push(opened);
    if (!sameBytes(opened, challenge)) throw new CheckFailure('the challenge did not decrypt with the private key');

    const hash = rsa ? 'sha256' : curve.hash;
    const padding = rsa ? { padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : { dsaEncoding: 'der' as const };
    const message = randomBytes(64);
    const signature = cryptoSign(hash, message, { key: privateKey, ...padding });
    if (!cryptoVerify(hash, message, { key: publicKey, ...padding }, signature)) {
      throw new CheckFailure('the pair\'s signature did not verify');
    }
    if (cryptoVerify(hash, flipFirstByte(message), { key: publicKey, ...padding }, signature)) {
      throw new CheckFailure('a signature verified for a tampered message');
    }
  } finally {
    for (const secret of secrets) secret?.fill(0);
  }
}

/** RSA-OAEP (SHA-256): encrypt with the public key, decrypt with the private key. */
function rsaRoundTrip(publicKey: KeyObject, privateKey: KeyObject, challenge: Buffer): Buffer {
  const oaep = { padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
  const sealed = publicEncrypt({ key: publicKey, ...oaep }, challenge);
  return privateDecrypt({ key: privateKey, ...oaep }, sealed);
}

/**
 * Elliptic-curve encryption to a public key (ECIES-style): an ephemeral key pair, ECDH with the
 * recipient's public key, HKDF-SHA-256 to an AES-256-GCM key. The recipient repeats the ECDH with
 * its private key and the ephemeral public key.
 */
function ecRoundTrip(publicKey: KeyObject, privateKey: KeyObject, curve: string, challenge: Buffer): Buffer {
  const ephemeral = generateKeyPairSync('ec', { namedCurve: curve });
  const iv = randomBytes(12);
  const sealKey = aesKeyFrom(diffieHellman({ privateKey: ephemeral.privateKey, publicKey }));
  const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
  const sealed = Buffer.concat([cipher.update(challenge), cipher.final()]);
  const tag = cipher.getAuthTag();
  sealKey.fill(0);
  const openKey = aesKeyFrom(diffieHellman({ privateKey, publicKey: ephemeral.publicKey }));
  try {
    const decipher = createDecipheriv('aes-256-gcm', openKey, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]);
  } finally {
    openKey.fill(0);
  }
}

function aesKeyFrom(sharedSecret: Buffer): Buffer {
  const key = Buffer.from(hkdfSync('sha256', sharedSecret, Buffer.alloc(0), 'cdk-kms-governance key-health-canary', 32));
  sharedSecret.fill(0);
  return key;
}

/**
 * Key agreement from both sides: an ephemeral key pair on the key's curve; KMS derives the shared
 * secret from the key's private key and the ephemeral public key (DeriveSharedSecret), the canary
 * from the ephemeral private key and the key's public key (GetPublicKey). The two must match.
 */
async function keyAgreement(keyId: string, keySpec: string): Promise<void> {
  // The construct admits only NIST curves; anything else fails the check (TypeError).
  const curve = CURVES[keySpec];
  const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  const keyPublic = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
  const ephemeral = generateKeyPairSync('ec', { namedCurve: curve.curve });
  const derived = await kms.send(new DeriveSharedSecretCommand({
    KeyId: keyId,
    KeyAgreementAlgorithm: CANARY_KEY_AGREEMENT_ALGORITHM,
    PublicKey: ephemeral.publicKey.export({ type: 'spki', format: 'der' }),
  }));
  const local = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: keyPublic });
  try {
    if (!sameBytes(derived.SharedSecret, local)) {
      throw new CheckFailure('the shared secrets of KMS and of local ECDH differ');
    }
  } finally {
    local.fill(0);
    derived.SharedSecret?.fill(0);
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

/** One KeyHealthy data point per key (dimension KeyId). Whether every batch reached CloudWatch. */
async function publishMetrics(keys: readonly CanaryKeyReport[]): Promise<boolean> {
  const namespace = process.env[CanaryEnv.METRIC_NAMESPACE];
  if (!namespace) return false;
  let published = true;
  for (let i = 0; i < keys.length; i += METRICS_PER_REQUEST) {
    const batch = keys.slice(i, i + METRICS_PER_REQUEST);
    try {
      await cloudwatch.send(new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: batch.map((k) => ({ MetricName: CANARY_METRIC_NAME, Dimensions: [{ Name: CANARY_METRIC_DIMENSION, Value: k.keyId }], Value: k.ok ? 1 : 0, Unit: 'Count' })),
      }));
    } catch (e) {
      console.log(JSON.stringify({ event: 'metric-publish-failed', keys: batch.map((k) => k.keyId), error: describeError(e) }));
      published = false;
    }
  }
  return published;
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

