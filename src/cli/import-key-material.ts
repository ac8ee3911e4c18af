/**
 * `cdk-kms-governance import-key-material`: bring your own key material into a KMS key whose
 * origin is EXTERNAL (a `ManagedCmk` with `keyMaterialOrigin: KeyMaterialOrigin.EXTERNAL`).
 *
 * DescribeKey (the key must be EXTERNAL, and PendingImport or Enabled), GetParametersForImport (an
 * RSA wrapping public key and an import token, valid 24 hours), the material wrapped here with
 * Node's crypto, ImportKeyMaterial, then DescribeKey again to check that the key is Enabled.
 *
 * The key material never leaves this process unwrapped, and no output, log line or error message
 * contains any of it: messages name the flag and the value the user typed (a file name, a date),
 * never a file's content. Bad input is one line on stderr and exit code 1.
 *
 * Not part of the jsii API: bundled with esbuild (the AWS SDK inside) into the package's `bin`.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import {
  DescribeKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  KeyMetadata,
} from '@aws-sdk/client-kms';
import { HANDLER_CLIENT_CONFIG } from '../private/handlers/client-config';
import { KEY_MATERIAL_ACTIONS } from '../private/kms-actions';

/** Where the command writes; tests capture it. */
export interface CommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

/** What the command runs with besides its arguments. */
export interface CommandOptions {
  /** The KMS client; from the environment (AWS_REGION, AWS_ENDPOINT_URL, credentials) by default. */
  readonly client?: KMSClient;
  /** The time now, for checking `--valid-to`. */
  readonly now?: () => Date;
}

/** A bad input or a refusal: one line for the user, exit code 1. */
export class CommandError extends Error {}

const USAGE = [
  'Usage: cdk-kms-governance import-key-material --key <alias/name | key id | key ARN> --material FILE',
  '         [--valid-to ISO-8601 date and time] [--wrapping-spec RSA_2048|RSA_3072|RSA_4096]',
  '         [--wrapping-algorithm RSAES_OAEP_SHA_256|RSAES_OAEP_SHA_1|RSA_AES_KEY_WRAP_SHA_256|RSA_AES_KEY_WRAP_SHA_1]',
  '       cdk-kms-governance import-key-material --generate FILE [--key ... to import it too]',
  '',
  'Imports key material into a KMS key with Origin EXTERNAL (PendingImport, or Enabled to re-import the same',
  'material) and checks that the key is Enabled. --generate writes 32 random bytes (a symmetric key) to a new',
  'file only you can read (mode 0600). Key material is never printed. Without --valid-to it does not expire.',
  'The AWS Region and credentials come from the environment, as for the AWS CLI.',
].join('\n');

const WRAPPING_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
const WRAPPING_ALGORITHMS = ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'] as const;
/** Wrapping algorithms KMS has that this command refuses, and why. */
const REFUSED_ALGORITHMS: Record<string, string> = {
  RSAES_PKCS1_V1_5: 'PKCS #1 v1.5 padding is deprecated for key material import; use RSAES_OAEP_SHA_256',
  SM2PKE: 'SM2 wrapping is for the China Regions only and is not supported by this command',
};
const FLAGS = ['--key', '--material', '--generate', '--valid-to', '--wrapping-spec', '--wrapping-algorithm'] as const;
type Flag = typeof FLAGS[number];

/** The lengths of key material KMS accepts, by key spec, for keys whose material is raw bytes. */
const RAW_LENGTHS: Record<string, [number, number]> = {
  SYMMETRIC_DEFAULT: [32, 32],
  HMAC_224: [28, 64],
  HMAC_256: [32, 64],
  HMAC_384: [48, 128],
  HMAC_512: [64, 128],
};
/** Asymmetric key specs: the key type and size (or curve) of the PKCS #8 private key to import. */
const ASYMMETRIC: Record<string, { type: string; bits?: number; curve?: string }> = {
  RSA_2048: { type: 'rsa', bits: 2048 },
  RSA_3072: { type: 'rsa', bits: 3072 },
  RSA_4096: { type: 'rsa', bits: 4096 },
  ECC_NIST_P256: { type: 'ec', curve: 'prime256v1' },
  ECC_NIST_P384: { type: 'ec', curve: 'secp384r1' },
  ECC_NIST_P521: { type: 'ec', curve: 'secp521r1' },
  ECC_SECG_P256K1: { type: 'ec', curve: 'secp256k1' },
};
/** The key states ImportKeyMaterial accepts: a first import, or the same material again. */
const IMPORTABLE_STATES = ['PendingImport', 'Enabled'];
/** The longest validity KMS accepts for imported key material. */
const MAX_VALIDITY_DAYS = 365;

interface Args {
  readonly key?: string;
  readonly material?: string;
  readonly generate?: string;
  readonly validTo?: Date;
  readonly wrappingSpec: string;
  readonly wrappingAlgorithm?: string;
}

/** Run the command; returns the exit code. Never throws. */
export async function importKeyMaterialCommand(argv: readonly string[], io: CommandIo, options: CommandOptions = {}): Promise<number> {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout(USAGE);
      return 0;
    }
    const args = parseArgs(argv, (options.now ?? (() => new Date()))());
    if (args.generate !== undefined) {
      generateMaterial(args.generate);
      io.stdout(`Wrote 32 random bytes of key material to ${args.generate} (mode 0600). Keep a copy safe: AWS KMS cannot export it.`);
      if (args.key === undefined) return 0;
    }
    const client = options.client ?? new KMSClient(HANDLER_CLIENT_CONFIG);
    const file = (args.material ?? args.generate)!;
    const key = await describe(client, args.key!);
    checkImportable(args.key!, key);
    const material = readMaterial(file, key);
    try {
      const algorithm = args.wrappingAlgorithm ?? (ASYMMETRIC[key.KeySpec!] ? 'RSA_AES_KEY_WRAP_SHA_256' : 'RSAES_OAEP_SHA_256');
      const params = await call('GetParametersForImport', args.key!, () => client.send(new GetParametersForImportCommand({
        KeyId: key.Arn,
        WrappingKeySpec: args.wrappingSpec as any,
        WrappingAlgorithm: algorithm as any,
      })));
      const wrapped = wrap(material, Buffer.from(params.PublicKey!), algorithm, args.wrappingSpec);
      await call('ImportKeyMaterial', args.key!, () => client.send(new ImportKeyMaterialCommand({
        KeyId: key.Arn,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ExpirationModel: args.validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ValidTo: args.validTo,
      })));
    } finally {
      material.fill(0);
    }
    const after = await describe(client, key.Arn!);
    if (after.KeyState !== 'Enabled') {
      throw new CommandError(`--key ${args.key}: the import succeeded but the key is ${after.KeyState}, not Enabled. Check it with aws kms describe-key.`);
    }
    const expiry = after.ValidTo ? `expires ${after.ValidTo.toISOString()}` : 'does not expire';
    io.stdout(`Imported key material into ${after.Arn}: Enabled, ${expiry}.`);
    return 0;
  } catch (e) {
    // Only this command's own messages and the SDK's error names and messages: none of them holds key material.
    io.stderr(e instanceof CommandError ? e.message : `Unexpected error: ${(e as Error).name ?? 'Error'}: ${(e as Error).message}`);
    return 1;
  }
}

function parseArgs(argv: readonly string[], now: Date): Args {
  const values: Partial<Record<Flag, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!(FLAGS as readonly string[]).includes(flag)) {
      throw new CommandError(`Unknown ${flag.startsWith('-') ? 'flag' : 'argument'} ${JSON.stringify(flag)}: see cdk-kms-governance import-key-material --help.`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new CommandError(`${flag} needs a value. Received: ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
    }
    if (values[flag as Flag] !== undefined) throw new CommandError(`${flag} given twice. Received: ${JSON.stringify(values[flag as Flag])} and ${JSON.stringify(value)}`);
    values[flag as Flag] = value;
  }
  if (values['--material'] !== undefined && values['--generate'] !== undefined) {
    throw new CommandError(`--material and --generate exclude each other: --generate writes new material to its file. Received: --material ${JSON.stringify(values['--material'])} --generate ${JSON.stringify(values['--generate'])}`);
  }
  if (values['--generate'] === undefined && values['--key'] === undefined) {
    throw new CommandError('--key is required: the alias (alias/name), key id or key ARN of the key to import into. Received: nothing');
  }
  if (values['--key'] !== undefined && values['--material'] === undefined && values['--generate'] === undefined) {
    throw new CommandError('--material is required: the file that holds the key material (or --generate FILE to create it). Received: nothing');
  }
  const spec = values['--wrapping-spec'] ?? 'RSA_4096';
  if (!(WRAPPING_SPECS as readonly string[]).includes(spec)) {
    throw new CommandError(`--wrapping-spec must be one of ${WRAPPING_SPECS.join(', ')}. Received: ${JSON.stringify(spec)}`);
  }
  const algorithm = values['--wrapping-algorithm'];
  if (algorithm !== undefined && REFUSED_ALGORITHMS[algorithm]) {
    throw new CommandError(`--wrapping-algorithm ${algorithm} is refused: ${REFUSED_ALGORITHMS[algorithm]}. Received: ${JSON.stringify(algorithm)}`);
  }
  if (algorithm !== undefined && !(WRAPPING_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new CommandError(`--wrapping-algorithm must be one of ${WRAPPING_ALGORITHMS.join(', ')}. Received: ${JSON.stringify(algorithm)}`);
  }
  return {
    key: values['--key'],
    material: values['--material'],
    generate: values['--generate'],
    validTo: values['--valid-to'] === undefined ? undefined : parseValidTo(values['--valid-to'], now),
    wrappingSpec: spec,
    wrappingAlgorithm: algorithm,
  };
}

/** An ISO 8601 date and time with a time zone, in the future, at most 365 days ahead. */
function parseValidTo(value: string, now: Date): Date {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const date = new Date(value);
  if (!iso.test(value) || Number.isNaN(date.getTime())) {
    throw new CommandError(`--valid-to must be an ISO 8601 date, or date and time with a time zone, such as 2027-01-31T00:00:00Z. Received: ${JSON.stringify(value)}`);
  }
  if (date.getTime() <= now.getTime()) {
    throw new CommandError(`--valid-to must be in the future (it is when AWS KMS deletes the key material). Received: ${JSON.stringify(value)}`);
  }
  if (date.getTime() > now.getTime() + MAX_VALIDITY_DAYS * 86_400_000) {
    throw new CommandError(`--valid-to must be at most ${MAX_VALIDITY_DAYS} days ahead (AWS KMS allows no longer). Received: ${JSON.stringify(value)}`);
  }
  return date;
}

/** 32 bytes from the operating system's secure generator, into a new file only the user can read. */
function generateMaterial(file: string): void {
  const material = crypto.randomBytes(32);
  try {
    fs.writeFileSync(file, material, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CommandError(`--generate refuses to overwrite a file that exists (it may hold key material). Received: ${JSON.stringify(file)}`);
    throw new CommandError(`--generate cannot create the file (${code ?? 'error'}). Received: ${JSON.stringify(file)}`);
  } finally {
    material.fill(0);
  }
}

async function describe(client: KMSClient, keyId: string): Promise<KeyMetadata> {
  const out = await call('DescribeKey', keyId, () => client.send(new DescribeKeyCommand({ KeyId: keyId })));
  return out.KeyMetadata!;
}

function checkImportable(given: string, key: KeyMetadata): void {
  if (key.Origin !== 'EXTERNAL') {
    throw new CommandError(
      `--key ${given} has key material from ${key.Origin}, not imported material: only a key with Origin EXTERNAL takes key material ` +
        `(ManagedCmk keyMaterialOrigin: EXTERNAL). Received: ${JSON.stringify(given)}`,
    );
  }
  if (!IMPORTABLE_STATES.includes(key.KeyState ?? '')) {
    throw new CommandError(
      `--key ${given} is ${key.KeyState}: key material can be imported only into a key that is PendingImport (or Enabled, to import the same ` +
        `material again). Received: ${JSON.stringify(given)}`,
    );
  }
}

/** The key material in the file, checked against the key spec. The caller zeroes it. */
function readMaterial(file: string, key: KeyMetadata): Buffer {
  let material: Buffer;
  try {
    material = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable' : code === 'EISDIR' ? 'a directory, not a file' : `cannot be read (${code})`;
    throw new CommandError(`--material ${file}: ${why}. Received: ${JSON.stringify(file)}`);
  }
  const spec = key.KeySpec ?? 'SYMMETRIC_DEFAULT';
  const raw = RAW_LENGTHS[spec];
  if (raw) {
    const [min, max] = raw;
    if (material.length < min || material.length > max) {
      material.fill(0);
      const need = min === max ? `exactly ${min} bytes` : `${min} to ${max} bytes`;
      throw new CommandError(`--material ${file} holds ${material.length} bytes; a ${spec} key needs ${need} of key material (raw bytes, not hex or base64). Received: ${JSON.stringify(file)}`);
    }
    return material;
  }
  const expected = ASYMMETRIC[spec];
  if (!expected) {
    material.fill(0);
    throw new CommandError(`--key has key spec ${spec}, whose key material this command cannot import. Received: ${JSON.stringify(spec)}`);
  }
  let detail: crypto.AsymmetricKeyDetails | undefined;
  let type: string | undefined;
  try {
    const parsed = crypto.createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
    detail = parsed.asymmetricKeyDetails;
    type = parsed.asymmetricKeyType;
  } catch {
    material.fill(0);
    throw new CommandError(`--material ${file} is not a DER-encoded PKCS #8 private key, which a ${spec} key needs. Received: ${JSON.stringify(file)}`);
  }
  const matches = type === expected.type &&
    (!expected.bits || detail?.modulusLength === expected.bits) && (!expected.curve || detail?.namedCurve === expected.curve);
  if (!matches) {
    material.fill(0);
    const found = type === 'rsa' ? `an RSA ${detail?.modulusLength}-bit key` : type === 'ec' ? `an EC key on ${detail?.namedCurve}` : `a ${type} key`;
    throw new CommandError(`--material ${file} holds ${found}, not a ${spec} private key. Received: ${JSON.stringify(file)}`);
  }
  return material;
}

/** The largest input RSA-OAEP can encrypt under a modulus of `bits` with the hash of `hashBytes`. */
function oaepCapacity(bits: number, hashBytes: number): number {
  return bits / 8 - 2 * hashBytes - 2;
}

/** Wrap the material with the wrapping public key, as AWS KMS's wrapping algorithm defines it. */
function wrap(material: Buffer, publicKeyDer: Buffer, algorithm: string, wrappingSpec: string): Buffer {
  const publicKey = crypto.createPublicKey({ key: publicKeyDer, format: 'der', type: 'spki' });
  const hash = algorithm.endsWith('SHA_256') ? 'sha256' : 'sha1';
  const oaep = (data: Buffer) => crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
  if (algorithm.startsWith('RSAES_OAEP')) {
    const capacity = oaepCapacity(Number(wrappingSpec.slice(4)), hash === 'sha256' ? 32 : 20);
    if (material.length > capacity) {
      throw new CommandError(
        `--wrapping-algorithm ${algorithm} with --wrapping-spec ${wrappingSpec} can wrap at most ${capacity} bytes, and this key material is ` +
          `${material.length}: use RSA_AES_KEY_WRAP_SHA_256. Received: ${JSON.stringify(algorithm)}`,
      );
    }
    return oaep(material);
  }
  // RSA_AES_KEY_WRAP_*: a fresh AES-256 key wrapped with RSA-OAEP, then the material wrapped under it
  // with AES key wrap with padding (RFC 5649).
  const aesKey = crypto.randomBytes(32);
  try {
    const cipher = crypto.createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
    return Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
  } finally {
    aesKey.fill(0);
  }
}

/** One KMS call; its errors become one line that names the key as given and says what to do. */
async function call<T>(operation: string, given: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const name = (e as Error).name;
    const known: Record<string, string> = {
      NotFoundException: `--key ${given}: no such key (or alias) in this account and Region`,
      ExpiredImportTokenException: 'the import token expired before the key material was imported (tokens are valid for 24 hours): run the command again',
      InvalidImportTokenException: 'the import token does not belong to this key or was used already: run the command again',
      IncorrectKeyMaterialException: `--key ${given} already had other key material: only the same material can be imported again`,
      InvalidCiphertextException: 'AWS KMS could not unwrap the key material: check --wrapping-algorithm',
      UnsupportedOperationException: `AWS KMS does not support this ${operation} for --key ${given}`,
      AccessDeniedException:
        `${operation} on --key ${given} was denied: key material is for the key's administrators (${KEY_MATERIAL_ACTIONS.join(', ')})`,
      KMSInvalidStateException: `--key ${given} is not in a state that allows ${operation}`,
      DisabledException: `--key ${given} is disabled`,
    };
    const text = known[name] ?? `${operation} failed`;
    throw new CommandError(`${text} (${name}). Received: ${JSON.stringify(given)}`);
  }
}
