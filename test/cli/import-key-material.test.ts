import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { importKeyMaterialCommand } from '../../src/cli/import-key-material';
import { LocalAws, startLocalAws } from '../support';

/**
 * The package's import command (`npx cdk-kms-governance import-key-material`), run as the bundled
 * file the package ships (assets/cli/main/index.js) against the local AWS, whose imported key
 * material is real: the material becomes the key's, so what KMS computes with it can be checked
 * here with the same material. Every output of every run is kept for the leak scan at the end.
 */
const BIN = path.join(__dirname, '..', '..', 'assets', 'cli', 'main', 'index.js');

let aws: LocalAws;
let kms: KMSClient;
let dir: string;
/** Every stdout and stderr of every run, for the leak scan. */
const outputs: Buffer[] = [];
/** Every key material the tests used, for the leak scan. */
const materials: Buffer[] = [];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, 'import-key-material', ...args], {
    env: { ...process.env, ...aws.env, NODE_NO_WARNINGS: '1' },
    timeout: 60_000,
  });
  outputs.push(r.stdout, r.stderr);
  return { code: r.status ?? -1, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

async function runInProcess(args: string[], client: KMSClient): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await importKeyMaterialCommand(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) }, { client });
  const r = { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
  outputs.push(Buffer.from(r.stdout), Buffer.from(r.stderr));
  return r;
}

/** A material file with the given bytes, remembered for the leak scan. */
function materialFile(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes, { mode: 0o600 });
  materials.push(Buffer.from(bytes));
  return file;
}

async function externalKey(alias: string, keySpec = 'SYMMETRIC_DEFAULT', keyUsage = 'ENCRYPT_DECRYPT'): Promise<string> {
  const key = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', KeySpec: keySpec as any, KeyUsage: keyUsage as any }));
  await kms.send(new CreateAliasCommand({ AliasName: `alias/${alias}`, TargetKeyId: key.KeyMetadata!.KeyId }));
  return key.KeyMetadata!.Arn!;
}

async function state(keyId: string): Promise<string> {
  return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState!;
}

async function moveClock(offsetSeconds: number): Promise<void> {
  const res = await fetch(`${aws.endpoint}/moto-api/local-aws/kms-clock`, { method: 'POST', body: JSON.stringify({ offset_seconds: offsetSeconds }) });
  if (!res.ok) throw new Error(`kms-clock: HTTP ${res.status}`);
}

/** One line on stderr that matches, nothing on stdout, exit code 1. */
function expectRefused(r: Run, message: RegExp): void {
  expect({ code: r.code, stdout: r.stdout, lines: r.stderr.trimEnd().split('\n').length }).toEqual({ code: 1, stdout: '', lines: 1 });
  expect(r.stderr).toMatch(message);
}

beforeAll(async () => {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run npx projen bundle first`);
  aws = await startLocalAws();
  kms = new KMSClient(aws.clientConfig);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-key-material-'));
}, 180_000);

afterAll(async () => {
  await moveClock(0).catch(() => undefined);
  await aws?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await moveClock(0);
});

describe('importing symmetric key material', () => {
  test('--generate writes 32 random bytes with mode 0600 and imports them: the key is Enabled and what it encrypts decrypts', async () => {
    const arn = await externalKey('byok/generated');
    expect(await state(arn)).toBe('PendingImport');
    const file = path.join(dir, 'generated.key');
    const r = run('--generate', file, '--key', 'alias/byok/generated');
    materials.push(fs.readFileSync(file));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`Imported key material into ${arn}: Enabled, does not expire.`));
    expect((fs.statSync(file).mode % 0o1000).toString(8)).toBe('600');
    expect(fs.readFileSync(file)).toHaveLength(32);
    expect(await state(arn)).toBe('Enabled');
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('hello') }));
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(Plaintext!).toString()).toBe('hello');
  });

  test('the material decides: after its deletion only the same material brings the ciphertext back; other material is refused, and another key cannot decrypt', async () => {
    const arn = await externalKey('byok/round-trip');
    const first = materialFile('first.key', crypto.randomBytes(32));
    const other = materialFile('other.key', crypto.randomBytes(32));
    expect(run('--key', arn, '--material', first).code).toBe(0);
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('kept') }));

    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: arn }));
    expect(await state(arn)).toBe('PendingImport');
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toThrow(/pending import/i);

    // Different material is refused, with one line that names the key.
    expectRefused(run('--key', arn, '--material', other), new RegExp(`--key ${arn} already had other key material: only the same material can be imported again \\(IncorrectKeyMaterialException\\)`));
    expect(run('--key', arn, '--material', first).code).toBe(0);
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(Plaintext!).toString()).toBe('kept');

    // A key with other material does not decrypt it.
    const otherKey = await externalKey('byok/other-material');
    expect(run('--key', otherKey, '--material', other).code).toBe(0);
    await expect(kms.send(new DecryptCommand({ KeyId: otherKey, CiphertextBlob }))).rejects.toThrow();
  });

  test('--valid-to sets the expiry; when it passes the key is PendingImport again', async () => {
    const arn = await externalKey('byok/expiring');
    const file = materialFile('expiring.key', crypto.randomBytes(32));
    const validTo = new Date(Date.now() + 30 * 86_400_000);
    validTo.setUTCMilliseconds(0);
    const r = run('--key', 'alias/byok/expiring', '--material', file, '--valid-to', validTo.toISOString(), '--wrapping-spec', 'RSA_2048');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(`expires ${validTo.toISOString()}`);
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!;
    expect(meta.ExpirationModel).toBe('KEY_MATERIAL_EXPIRES');
    expect(meta.ValidTo?.toISOString()).toBe(validTo.toISOString());
    await moveClock(31 * 86_400);
    expect(await state(arn)).toBe('PendingImport');
  });

  test('RSAES_OAEP_SHA_1 wrapping works too', async () => {
    const arn = await externalKey('byok/sha1');
    const file = materialFile('sha1.key', crypto.randomBytes(32));
    expect(run('--key', arn, '--material', file, '--wrapping-algorithm', 'RSAES_OAEP_SHA_1', '--wrapping-spec', 'RSA_3072').code).toBe(0);
    expect(await state(arn)).toBe('Enabled');
  });
});

describe('importing HMAC and asymmetric key material', () => {
  test('HMAC_256: the MAC AWS KMS computes is the HMAC of the imported material', async () => {
    const arn = await externalKey('byok/hmac', 'HMAC_256', 'GENERATE_VERIFY_MAC');
    const material = crypto.randomBytes(48);
    const file = materialFile('hmac.key', material);
    expect(run('--key', arn, '--material', file).code).toBe(0);
    const message = Buffer.from('message');
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: arn, MacAlgorithm: 'HMAC_SHA_256', Message: message }));
    expect(Buffer.from(Mac!).equals(crypto.createHmac('sha256', material).update(message).digest())).toBe(true);
  });

  test('ECC_NIST_P256: a PKCS #8 private key, wrapped with RSA_AES_KEY_WRAP_SHA_256 (the default for asymmetric keys); KMS then has its public key', async () => {
    const arn = await externalKey('byok/ecc', 'ECC_NIST_P256', 'SIGN_VERIFY');
    const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const file = materialFile('ecc.der', pair.privateKey.export({ format: 'der', type: 'pkcs8' }));
    const r = run('--key', arn, '--material', file);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: arn }));
    expect(Buffer.from(PublicKey!).equals(pair.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
  });

  test('an RSA key of another size for an ECC key, and raw bytes for an RSA key, are refused', async () => {
    await externalKey('byok/ecc-wrong', 'ECC_NIST_P384', 'SIGN_VERIFY');
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaFile = materialFile('rsa.der', rsa.privateKey.export({ format: 'der', type: 'pkcs8' }));
    expectRefused(run('--key', 'alias/byok/ecc-wrong', '--material', rsaFile), /--material .*rsa\.der holds an RSA 2048-bit key, not a ECC_NIST_P384 private key/);
    await externalKey('byok/rsa-raw', 'RSA_3072', 'SIGN_VERIFY');
    const raw = materialFile('raw-for-rsa.key', crypto.randomBytes(32));
    expectRefused(run('--key', 'alias/byok/rsa-raw', '--material', raw), /--material .*raw-for-rsa\.key is not a DER-encoded PKCS #8 private key, which a RSA_3072 key needs/);
  });
});

describe('bad input: one clear line naming the flag and the value, exit code 1', () => {
  let byok: string;
  let good: string;
  beforeAll(async () => {
    byok = await externalKey('byok/bad-input');
    good = materialFile('good.key', crypto.randomBytes(32));
  });

  test.each<[string, () => string[], RegExp]>([
    ['an unknown flag', () => ['--key', byok, '--material', good, '--force', 'yes'], /^Unknown flag "--force": see cdk-kms-governance import-key-material --help\.$/m],
    ['a stray argument', () => ['alias/byok', '--material', good], /^Unknown argument "alias\/byok"/m],
    ['no --key', () => ['--material', good], /^--key is required: .* Received: nothing$/m],
    ['no --material', () => ['--key', byok], /^--material is required: .* Received: nothing$/m],
    ['--key without a value', () => ['--material', good, '--key'], /^--key needs a value\. Received: nothing$/m],
    ['a flag given twice', () => ['--key', byok, '--key', 'alias/x', '--material', good], /^--key given twice\. Received: ".*" and "alias\/x"$/m],
    ['--material and --generate together', () => ['--key', byok, '--material', good, '--generate', path.join(dir, 'new.key')], /^--material and --generate exclude each other.* Received: --material ".*good\.key" --generate ".*new\.key"$/m],
    ['a missing material file', () => ['--key', byok, '--material', path.join(dir, 'nowhere.key')], /^--material .*nowhere\.key: no such file\. Received: ".*nowhere\.key"$/m],
    ['a directory as material', () => ['--key', byok, '--material', dir], /^--material .*: a directory, not a file\. Received: /m],
    ['material of the wrong length', () => ['--key', byok, '--material', materialFile('short.key', crypto.randomBytes(16))], /^--material .*short\.key holds 16 bytes; a SYMMETRIC_DEFAULT key needs exactly 32 bytes of key material \(raw bytes, not hex or base64\)\. Received: ".*short\.key"$/m],
    ['material in hex instead of bytes', () => ['--key', byok, '--material', materialFile('hex.key', Buffer.from(crypto.randomBytes(32).toString('hex')))], /holds 64 bytes; a SYMMETRIC_DEFAULT key needs exactly 32 bytes/],
    ['a malformed --valid-to', () => ['--key', byok, '--material', good, '--valid-to', 'next week'], /^--valid-to must be an ISO 8601 date.* Received: "next week"$/m],
    ['a --valid-to without a time zone', () => ['--key', byok, '--material', good, '--valid-to', '2030-01-01T00:00'], /^--valid-to must be an ISO 8601 date.* Received: "2030-01-01T00:00"$/m],
    ['a --valid-to in the past', () => ['--key', byok, '--material', good, '--valid-to', '2020-01-01T00:00:00Z'], /^--valid-to must be in the future .* Received: "2020-01-01T00:00:00Z"$/m],
    ['a --valid-to more than 365 days ahead', () => ['--key', byok, '--material', good, '--valid-to', new Date(Date.now() + 400 * 86_400_000).toISOString()], /^--valid-to must be at most 365 days ahead .* Received: "/m],
    ['an unknown --wrapping-spec', () => ['--key', byok, '--material', good, '--wrapping-spec', 'RSA_1024'], /^--wrapping-spec must be one of RSA_2048, RSA_3072, RSA_4096\. Received: "RSA_1024"$/m],
    ['a deprecated --wrapping-algorithm', () => ['--key', byok, '--material', good, '--wrapping-algorithm', 'RSAES_PKCS1_V1_5'], /^--wrapping-algorithm RSAES_PKCS1_V1_5 is refused: PKCS #1 v1\.5 padding is deprecated.* Received: "RSAES_PKCS1_V1_5"$/m],
    ['an unknown --wrapping-algorithm', () => ['--key', byok, '--material', good, '--wrapping-algorithm', 'AES_GCM'], /^--wrapping-algorithm must be one of .* Received: "AES_GCM"$/m],
    ['a key that does not exist', () => ['--key', 'alias/nobody', '--material', good], /^--key alias\/nobody: no such key \(or alias\) in this account and Region \(NotFoundException\)\. Received: "alias\/nobody"$/m],
  ])('%s', (_name, args, message) => {
    expectRefused(run(...args()), message);
  });

  test('--generate never overwrites a file', () => {
    const file = materialFile('exists.key', crypto.randomBytes(32));
    const before = fs.readFileSync(file);
    expectRefused(run('--generate', file), /^--generate refuses to overwrite a file that exists \(it may hold key material\)\. Received: ".*exists\.key"$/m);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  test('a key whose material is from AWS KMS', async () => {
    const key = await kms.send(new CreateKeyCommand({}));
    const id = key.KeyMetadata!.KeyId!;
    expectRefused(run('--key', id, '--material', good), new RegExp(`^--key ${id} has key material from AWS_KMS, not imported material: only a key with Origin EXTERNAL takes key material .* Received: "${id}"$`, 'm'));
  });

  test.each<[string, (arn: string) => Promise<unknown>, string]>([
    ['Disabled', (arn) => kms.send(new DisableKeyCommand({ KeyId: arn })), 'Disabled'],
    ['PendingDeletion', (arn) => kms.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 })), 'PendingDeletion'],
  ])('a key in another state: %s', async (name, act, keyState) => {
    const arn = await externalKey(`byok/state-${name.toLowerCase()}`);
    const file = materialFile(`state-${name}.key`, crypto.randomBytes(32));
    expect(run('--key', arn, '--material', file).code).toBe(0);
    await act(arn);
    expectRefused(run('--key', arn, '--material', file), new RegExp(`^--key ${arn} is ${keyState}: key material can be imported only into a key that is PendingImport`, 'm'));
  });

  test('an import token that expires before the import (the local AWS clock moves 25 hours on, after GetParametersForImport)', async () => {
    const arn = await externalKey('byok/expired-token');
    const file = materialFile('token.key', crypto.randomBytes(32));
    const client = new KMSClient(aws.clientConfig);
    const send = client.send.bind(client);
    (client as any).send = async (command: any) => {
      const out = await send(command);
      if (command instanceof GetParametersForImportCommand) await moveClock(25 * 3600);
      return out;
    };
    const r = await runInProcess(['--key', arn, '--material', file], client);
    expectRefused(r, /^the import token expired before the key material was imported \(tokens are valid for 24 hours\): run the command again \(ExpiredImportTokenException\)\. Received: "/m);
    await moveClock(0);
    expect(await state(arn)).toBe('PendingImport');
  });
});

describe('the leak scan', () => {
  test('no output of any run, success or error, holds key material: raw, hex or base64, whole or any 8 bytes of it', () => {
    // Runs in this file's order, after every other test: all outputs and materials are collected.
    expect(materials.length).toBeGreaterThanOrEqual(10);
    expect(outputs.length).toBeGreaterThanOrEqual(60);
    const all = Buffer.concat(outputs);
    const text = all.toString('utf8');
    const leaks: string[] = [];
    for (const [i, material] of materials.entries()) {
      for (let start = 0; start + 8 <= material.length; start++) {
        const window = material.subarray(start, start + 8);
        if (all.includes(window)) leaks.push(`material ${i}: raw bytes at ${start}`);
        const hex = window.toString('hex');
        if (text.toLowerCase().includes(hex)) leaks.push(`material ${i}: hex at ${start}`);
      }
      // base64 of any 9 bytes (12 characters, no padding), from any offset
      for (let start = 0; start + 9 <= material.length; start++) {
        const window = material.subarray(start, start + 9);
        for (const encoded of [window.toString('base64'), window.toString('base64url')]) {
          if (text.includes(encoded)) leaks.push(`material ${i}: base64 at ${start}`);
        }
      }
      for (const encoded of [material.toString('base64'), material.toString('base64url'), material.toString('hex').toUpperCase()]) {
        if (text.includes(encoded)) leaks.push(`material ${i}: whole, encoded`);
      }
    }
    // …and every base64-looking run of the output, decoded, holds no 8 bytes of any material.
    for (const token of text.match(/[A-Za-z0-9+/_-]{12,}={0,2}/g) ?? []) {
      const decoded = Buffer.from(token.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      for (const [i, material] of materials.entries()) {
        for (let start = 0; start + 8 <= material.length; start++) {
          if (decoded.includes(material.subarray(start, start + 8))) leaks.push(`material ${i}: in the base64 run ${token.slice(0, 6)}…`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
