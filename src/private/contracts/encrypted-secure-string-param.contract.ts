/**
 * The contract between `EncryptedSecureStringParam` and its bundled custom-resource handler: the
 * resource type, the custom-resource properties, the owner tag, and the rules for generated
 * values. Imported by both, so the two cannot drift apart.
 *
 * The properties describe where a value COMES FROM (generated, KMS ciphertext, Secrets Manager),
 * never the value itself: a SecureString value must never enter a template.
 *
 * CloudFormation passes every scalar in custom-resource properties as a string, so the numbers and
 * booleans here are strings too (`parse*` accept the native types as well, for direct invocation).
 */

import { ContractError } from '../handlers/errors';

/** The CloudFormation type of the custom resource. */
export const SECURE_STRING_RESOURCE_TYPE = 'Custom::KmsGovernanceSecureString';

/** The construct id of the per-stack handler function (a `HardenedFunction` at the stack root). */
export const SECURE_STRING_HANDLER_ID = 'KmsGovernanceSecureStringHandler';

/**
 * The tag the handler puts on the parameters it creates, with the value `ownerTagValue(...)`.
 * The handler writes or deletes an existing parameter only if this tag names the same resource
 * (`ownerTagMatches`).
 */
export const OWNER_TAG_KEY = 'cdk-kms-governance:owner';

/** SSM tag values: at most 256 characters of letters, digits, white space and `_ . : / = + - @`. */
const MAX_TAG_VALUE = 256;

/** A stack id: the stack's ARN (`arn:<partition>:cloudformation:<region>:<account>:stack/<name>`), then `/<unique id>`. */
const STACK_ID = /^(arn:[^:/]+:cloudformation:[^:/]+:\d{12}:stack\/[^/]+)\/[^/]+$/;

/**
 * The owner of a parameter: the resource's logical id in the stack of that NAME, in that account
 * and Region — `arn:<partition>:cloudformation:<region>:<account>:stack/<StackName>/<LogicalResourceId>`,
 * the stack id without its unique suffix. So the owner survives the stack being deleted (the
 * parameter retained) and created again under the same name: the new stack finds and adopts its
 * parameter. Another stack can claim it only with the same name in the same account and Region,
 * which CloudFormation allows only once the first is deleted: the same app deployed again.
 *
 * The separator is `/` because SSM tag values allow only letters, digits, white space and
 * `_ . : / = + - @` (no `|`); stack names and logical ids never contain `/`. A value over the
 * 256-character limit (a long stack name and a long logical id) becomes a SHA-256 of it.
 */
export function ownerTagValue(stackId: string, logicalResourceId: string, sha256Hex: (text: string) => string): string {
  const value = `${stackArnOf(stackId)}/${logicalResourceId}`;
  return value.length <= MAX_TAG_VALUE ? value : `sha256:${sha256Hex(value)}`;
}

/**
 * Whether an owner tag names this resource: the current form (`ownerTagValue`), or the form of
 * earlier versions, `<StackId>/<LogicalResourceId>` (or its SHA-256), for any stack of the same
 * name, account and Region — that is, for a stack created again, too.
 */
export function ownerTagMatches(tag: string, stackId: string, logicalResourceId: string, sha256Hex: (text: string) => string): boolean {
  if (tag === ownerTagValue(stackId, logicalResourceId, sha256Hex) || tag === `sha256:${sha256Hex(`${stackId}/${logicalResourceId}`)}`) return true;
  const slash = tag.lastIndexOf('/');
  const legacy = STACK_ID.exec(tag.slice(0, slash));
  return legacy !== null && `${legacy[1]}/${tag.slice(slash + 1)}` === `${stackArnOf(stackId)}/${logicalResourceId}`;
}

/** The stack id without its unique suffix. */
function stackArnOf(stackId: string): string {
  return STACK_ID.exec(stackId)?.[1] ?? stackId;
}

/** The encryption context Parameter Store passes to AWS KMS: the parameter ARN. */
export const PARAMETER_ARN_CONTEXT_KEY = 'PARAMETER_ARN';

/** The custom resource's attributes (`Fn::GetAtt`). Never the value. */
export const SecureStringAttribute = {
  PARAMETER_NAME: 'ParameterName',
  PARAMETER_ARN: 'ParameterArn',
  VERSION: 'Version',
} as const;

/** Where the value comes from. */
export const ValueSourceKind = {
  /** Generated in the handler with a CSPRNG. */
  GENERATED: 'generated',
  /** Decrypted in the handler from base64 KMS ciphertext. */
  CIPHERTEXT: 'ciphertext',
  /** Read in the handler from Secrets Manager. */
  SECRET: 'secret',
} as const;
export type ValueSourceKind = (typeof ValueSourceKind)[keyof typeof ValueSourceKind];

/** What happens to the SSM parameter when CloudFormation deletes the custom resource. */
export const ParameterRemoval = {
  DESTROY: 'destroy',
  RETAIN: 'retain',
} as const;
export type ParameterRemoval = (typeof ParameterRemoval)[keyof typeof ParameterRemoval];

/** A value generated in the handler. */
export interface GeneratedSource {
  readonly Kind: typeof ValueSourceKind.GENERATED;
  /** The number of characters. */
  readonly Length: string;
  /** Characters never to use; empty for none. */
  readonly ExcludeCharacters: string;
  /** 'true' to use letters and digits only. */
  readonly ExcludePunctuation: string;
}

/** A value decrypted in the handler from KMS ciphertext. */
export interface CiphertextSource {
  readonly Kind: typeof ValueSourceKind.CIPHERTEXT;
  /** Base64 of the KMS ciphertext blob. Ciphertext, not a secret. */
  readonly Ciphertext: string;
  /** The ARN of the key that made the ciphertext. */
  readonly KeyArn: string;
  /** The encryption context the ciphertext was made with. */
  readonly EncryptionContext?: Record<string, string>;
}

/** A value read in the handler from Secrets Manager. */
export interface SecretSource {
  readonly Kind: typeof ValueSourceKind.SECRET;
  /** The ARN of the secret. */
  readonly SecretArn: string;
  /** The field of a JSON secret to use; the whole secret string when absent. */
  readonly JsonField?: string;
}

/** The source of the value. */
export type ValueSource = GeneratedSource | CiphertextSource | SecretSource;

/** The properties of the custom resource (besides `ServiceToken`). */
export interface SecureStringResourceProperties {
  /** The parameter name; also the physical resource id. */
  readonly ParameterName: string;
  /** The ARN of the key the parameter is encrypted under. */
  readonly KeyArn: string;
  /** The parameter description; absent for none. */
  readonly Description?: string;
  /** `Standard`, `Advanced` or `Intelligent-Tiering`. */
  readonly Tier: string;
  /** Whether the handler deletes the parameter when the resource is deleted. */
  readonly RemovalPolicy: ParameterRemoval;
  /** Where the value comes from. */
  readonly ValueSource: ValueSource;
}

/** The parameter tiers and the largest value each holds, in bytes. */
export const TIER_MAX_VALUE_BYTES: Readonly<Record<string, number>> = {
  'Standard': 4096,
  'Advanced': 8192,
  'Intelligent-Tiering': 8192,
};

/** The default length of a generated value. */
export const DEFAULT_GENERATED_LENGTH = 32;

/** The longest value that can be generated (the Advanced tier's limit; characters are single bytes). */
export const MAX_GENERATED_LENGTH = 8192;

/** The punctuation characters of printable ASCII (33–126 minus letters and digits). */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * The characters a generated value draws from: printable ASCII 33–126 (no space), without
 * punctuation if asked, without the excluded characters.
 */
export function characterPool(excludeCharacters = '', excludePunctuation = false): string {
  let pool = '';
  for (let code = 33; code <= 126; code++) {
    const c = String.fromCharCode(code);
    if (excludePunctuation && PUNCTUATION.includes(c)) continue;
    if (excludeCharacters.includes(c)) continue;
    pool += c;
  }
  return pool;
}

/** The ARN resource part of a parameter name: the name without its leading slash. */
export function parameterArnResourceName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

/** Whether a string is a valid SSM parameter name (charset only; for physical-id checks). */
export function looksLikeParameterName(name: unknown): name is string {
  return typeof name === 'string' && /^[a-zA-Z0-9_.\-/]{1,2048}$/.test(name);
}

/**
 * Read the custom-resource properties as the handler receives them. Throws `ContractError`
 * naming the property (never quoting a ciphertext or any other source material).
 */
export function parseResourceProperties(raw: Record<string, unknown> | undefined): SecureStringResourceProperties {
  const props = raw ?? {};
  const name = requiredString(props, 'ParameterName');
  const keyArn = requiredString(props, 'KeyArn');
  const tier = optionalString(props, 'Tier') ?? 'Standard';
  if (TIER_MAX_VALUE_BYTES[tier] === undefined) {
    throw new ContractError(`Tier must be one of ${Object.keys(TIER_MAX_VALUE_BYTES).join(', ')}; received ${JSON.stringify(tier)}`);
  }
  const removal = parseRemoval(props.RemovalPolicy);
  const description = optionalString(props, 'Description');
  return {
    ParameterName: name,
    KeyArn: keyArn,
    Description: description,
    Tier: tier,
    RemovalPolicy: removal,
    ValueSource: parseValueSource(props.ValueSource),
  };
}

/** The removal policy, defaulting to retain for anything but an explicit `destroy`. */
export function parseRemoval(raw: unknown): ParameterRemoval {
  return raw === ParameterRemoval.DESTROY ? ParameterRemoval.DESTROY : ParameterRemoval.RETAIN;
}

function parseValueSource(raw: unknown): ValueSource {
  if (!raw || typeof raw !== 'object') throw new ContractError('ValueSource is required');
  const src = raw as Record<string, unknown>;
  switch (src.Kind) {
    case ValueSourceKind.GENERATED:
      return {
        Kind: ValueSourceKind.GENERATED,
        Length: String(src.Length ?? DEFAULT_GENERATED_LENGTH),
        ExcludeCharacters: src.ExcludeCharacters === undefined ? '' : String(src.ExcludeCharacters),
        ExcludePunctuation: String(src.ExcludePunctuation ?? 'false') === 'true' ? 'true' : 'false',
      };
    case ValueSourceKind.CIPHERTEXT: {
      const context = src.EncryptionContext;
      if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context))) {
        throw new ContractError('ValueSource.EncryptionContext must be a map of strings');
      }
      return {
        Kind: ValueSourceKind.CIPHERTEXT,
        Ciphertext: requiredString(src, 'Ciphertext', 'ValueSource.'),
        KeyArn: requiredString(src, 'KeyArn', 'ValueSource.'),
        EncryptionContext: context === undefined
          ? undefined
          : Object.fromEntries(Object.entries(context as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
      };
    }
    case ValueSourceKind.SECRET:
      return {
        Kind: ValueSourceKind.SECRET,
        SecretArn: requiredString(src, 'SecretArn', 'ValueSource.'),
        JsonField: optionalString(src, 'JsonField'),
      };
    default:
      throw new ContractError(`ValueSource.Kind must be one of ${Object.values(ValueSourceKind).join(', ')}; received ${JSON.stringify(String(src.Kind))}`);
  }
}

function requiredString(obj: Record<string, unknown>, field: string, prefix = ''): string {
  const v = obj[field];
  if (typeof v !== 'string' || v.length === 0) throw new ContractError(`${prefix}${field} is required`);
  return v;
}

function optionalString(obj: Record<string, unknown>, field: string): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}
