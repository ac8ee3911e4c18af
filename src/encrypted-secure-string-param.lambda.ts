import { createHash, randomInt } from 'crypto';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterTier,
  PutParameterCommand,
  ListTagsForResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import {
  CiphertextSource,
  GeneratedSource,
  MAX_GENERATED_LENGTH,
  OWNER_TAG_KEY,
  SecretSource,
  SecureStringAttribute,
  SecureStringResourceProperties,
  TIER_MAX_VALUE_BYTES,
  ValueSource,
  ValueSourceKind,
  characterPool,
  looksLikeParameterName,
  ownerTagMatches,
  ownerTagValue,
  parameterArnResourceName,
  parseRemoval,
  parseResourceProperties,
} from './private/contracts/encrypted-secure-string-param.contract';
import { CustomResourceOutcome } from './private/handlers/cfn-response';
import { HANDLER_CLIENT_CONFIG } from './private/handlers/client-config';
import { RequestContext, customResourceHandler } from './private/handlers/custom-resource';
import { HandlerError, describeError, errorName } from './private/handlers/errors';

/**
 * The custom-resource handler of `EncryptedSecureStringParam`: creates, updates and deletes an SSM
 * SecureString parameter under a KMS key.
 *
 * The value is produced here (generated, decrypted from KMS ciphertext, or read from Secrets
 * Manager) and goes only to `ssm:PutParameter`. It is never returned, logged, or quoted in a
 * failure reason: every reason passes through a `Redactor` that knows the values of the request.
 *
 * It writes and deletes only parameters this resource owns: new ones it creates with the owner
 * tag, and existing ones whose owner tag names this resource's stack (by name, account and
 * Region) and logical id (`ownerTagMatches`). Anything else is left as it is.
 */

const ssm = new SSMClient(HANDLER_CLIENT_CONFIG);
const kms = new KMSClient(HANDLER_CLIENT_CONFIG);
const secretsManager = new SecretsManagerClient(HANDLER_CLIENT_CONFIG);

/** The physical id of a resource whose Create failed: not a parameter name (':' is not allowed). */
const NOT_CREATED_PREFIX = 'kms-governance:not-created:';

/** Lambda entry point. Log lines carry names and outcomes only, never anything the parameter holds. */
export const handler = customResourceHandler({
  resource: 'encrypted-secure-string-param',
  failedCreateId: (event) => `${NOT_CREATED_PREFIX}${event.RequestId}`,
  onCreate: (event, ctx) => onCreate(event, parseResourceProperties(event.ResourceProperties), ctx),
  onUpdate: (event, ctx) => onUpdate(event, parseResourceProperties(event.ResourceProperties), ctx),
  onDelete: (event, ctx) => onDelete(event, ctx),
  describe: (event) => ({ parameterName: parameterNameOf(event) }),
});

async function onCreate(
  event: CloudFormationCustomResourceCreateEvent,
  props: SecureStringResourceProperties,
  ctx: RequestContext,
): Promise<CustomResourceOutcome> {
  const value = await produceValue(props, ctx);
  const version = await putNew(event, props, value, ctx);
  return success(event, props.ParameterName, version);
}

async function onUpdate(
  event: CloudFormationCustomResourceUpdateEvent,
  props: SecureStringResourceProperties,
  ctx: RequestContext,
): Promise<CustomResourceOutcome> {
  const name = props.ParameterName;
  if (name !== event.PhysicalResourceId) {
    // A new name is a new parameter. CloudFormation then deletes the old one (physical id) with
    // its own removal policy.
    const value = await produceValue(props, ctx);
    return success(event, name, await putNew(event, props, value, ctx));
  }
  const old = parseOldProperties(event.OldResourceProperties);
  const sourceChanged = old === undefined || fingerprint(old.ValueSource) !== fingerprint(props.ValueSource);
  const settingsChanged = old === undefined || old.KeyArn !== props.KeyArn || old.Tier !== props.Tier || (old.Description ?? '') !== (props.Description ?? '');

  if (!sourceChanged && !settingsChanged) {
    // Only the removal policy (or the service token) changed: nothing to write.
    const version = await currentVersion(name, ctx);
    if (version !== undefined) return success(event, name, version);
    // The parameter is gone (deleted outside CloudFormation): write it again.
  }

  const ownership = await ownershipOf(name, event, ctx);
  if (ownership === Ownership.ABSENT) {
    // Deleted outside CloudFormation: written again, as a new parameter.
    return success(event, name, await putNew(event, props, await produceValue(props, ctx), ctx));
  }
  if (ownership === Ownership.FOREIGN) throw notOurs(name, event);
  let value: string | undefined;
  if (props.ValueSource.Kind === ValueSourceKind.GENERATED && (old === undefined || !sourceChanged)) {
    // Same generation options: keep the current value, re-encrypted under the new settings. Old
    // properties that cannot be read are no reason to replace a secret either.
    value = await currentValue(name, ctx);
  }
  value ??= await produceValue(props, ctx);
  return success(event, name, await putOwned(event, props, value, ctx));
}

/**
 * Delete the parameter when the removal policy says so and this resource owns it. A parameter
 * without our owner tag is left in place (the Delete still succeeds: nothing of ours is left).
 */
async function onDelete(event: CloudFormationCustomResourceDeleteEvent, ctx: RequestContext): Promise<CustomResourceOutcome> {
  const name = event.PhysicalResourceId;
  const done = (reason: string): CustomResourceOutcome => ({ status: 'SUCCESS', physicalResourceId: name, reason });
  if (!looksLikeParameterName(name)) {
    // Create failed before any parameter existed.
    return done('No parameter was created');
  }
  if (parseRemoval(event.ResourceProperties?.RemovalPolicy) !== 'destroy') {
    return done(`Parameter ${name} retained (removal policy)`);
  }
  try {
    const ownership = await ownershipOf(name, event, ctx);
    if (ownership === Ownership.ABSENT) return done(`Parameter ${name} was already gone`);
    if (ownership === Ownership.FOREIGN) {
      return done(`Parameter ${name} left in place: it has no ${OWNER_TAG_KEY} tag for ${event.LogicalResourceId} of this stack`);
    }
    await ssm.send(new DeleteParameterCommand({ Name: name }), { abortSignal: ctx.signal });
  } catch (e) {
    if (errorName(e) !== 'ParameterNotFound') throw new HandlerError(`Deleting parameter ${name} failed, so it was left in place: ${describeError(e)}`);
  }
  return done(`Parameter ${name} deleted`);
}

type Event = CloudFormationCustomResourceEvent;
type Props = SecureStringResourceProperties;

/**
 * Create a parameter that must not exist yet, tagged as ours. If it exists with our owner tag (a
 * retried or repeated Create, or the same stack created again after a delete that retained it),
 * overwrite it; otherwise refuse: never clobber a parameter that this resource did not create.
 */
async function putNew(event: Event, props: Props, value: string, ctx: RequestContext): Promise<string> {
  try {
    const out = await ssm.send(new PutParameterCommand({
      Name: props.ParameterName,
      Value: value,
      Type: 'SecureString',
      KeyId: props.KeyArn,
      Tier: props.Tier as ParameterTier,
      Description: props.Description,
      Tags: [{ Key: OWNER_TAG_KEY, Value: ownerOf(event) }],
      Overwrite: false,
    }), { abortSignal: ctx.signal });
    return String(out.Version ?? '');
  } catch (e) {
    if (errorName(e) !== 'ParameterAlreadyExists') throw e;
  }
  if ((await ownershipOf(props.ParameterName, event, ctx)) !== Ownership.OWNED) throw notOurs(props.ParameterName, event);
  return putOwned(event, props, value, ctx);
}

function notOurs(name: string, event: CloudFormationCustomResourceEvent): HandlerError {
  return new HandlerError(
    `Parameter ${name} already exists and is not managed by this stack (it has no ${OWNER_TAG_KEY} tag for ` +
      `${event.LogicalResourceId} of this stack); it was left unchanged. Delete it or choose another parameterName.`,
  );
}

/**
 * Overwrite a parameter this resource owns (PutParameter with Overwrite, which takes no tags; an
 * empty description clears the old one), and tag it with the current form of the owner tag.
 */
async function putOwned(event: Event, props: Props, value: string, ctx: RequestContext): Promise<string> {
  const options = { abortSignal: ctx.signal };
  const out = await ssm.send(new PutParameterCommand({
    Name: props.ParameterName,
    Value: value,
    Type: 'SecureString',
    KeyId: props.KeyArn,
    Tier: props.Tier as ParameterTier,
    Description: props.Description ?? '',
    Overwrite: true,
  }), options);
  await ssm.send(new AddTagsToResourceCommand({
    ResourceType: 'Parameter',
    ResourceId: props.ParameterName,
    Tags: [{ Key: OWNER_TAG_KEY, Value: ownerOf(event) }],
  }), options);
  return String(out.Version ?? '');
}

const Ownership = { OWNED: 'owned', FOREIGN: 'foreign', ABSENT: 'absent' } as const;
type Ownership = (typeof Ownership)[keyof typeof Ownership];

/** Whether the parameter exists, and whether its owner tag names this resource (see `ownerTagMatches`). */
async function ownershipOf(name: string, event: CloudFormationCustomResourceEvent, ctx: RequestContext): Promise<Ownership> {
  let tags;
  try {
    tags = (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }), { abortSignal: ctx.signal })).TagList;
  } catch (e) {
    if (errorName(e) === 'InvalidResourceId' || errorName(e) === 'ParameterNotFound') return Ownership.ABSENT;
    throw e;
  }
  const ours = (value?: string) => value !== undefined && ownerTagMatches(value, event.StackId, event.LogicalResourceId, sha256Hex);
  const owned = (tags ?? []).some((t) => t.Key === OWNER_TAG_KEY && ours(t.Value));
  return owned ? Ownership.OWNED : Ownership.FOREIGN;
}

/** The current version, or undefined if the parameter does not exist. Does not decrypt. */
async function currentVersion(name: string, ctx: RequestContext): Promise<string | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: false }), { abortSignal: ctx.signal });
    return String(out.Parameter?.Version ?? '');
  } catch (e) {
    if (errorName(e) === 'ParameterNotFound') return undefined;
    throw e;
  }
}

/** The current decrypted value, or undefined if the parameter does not exist. */
async function currentValue(name: string, { redactor, signal }: RequestContext): Promise<string | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }), { abortSignal: signal });
    const current = out.Parameter?.Value;
    return current === undefined ? undefined : redactor.track(current);
  } catch (e) {
    if (errorName(e) === 'ParameterNotFound') return undefined;
    throw new HandlerError(`Cannot read the current value of ${name} to keep it: ${describeError(e)}`);
  }
}

/** Produce the value from its source and check that it fits the tier. */
async function produceValue(props: SecureStringResourceProperties, ctx: RequestContext): Promise<string> {
  const value = ctx.redactor.track(await fromSource(props.ValueSource, ctx));
  if (value.length === 0) {
    throw new HandlerError('The value source produced an empty string; Parameter Store needs at least one character');
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  const max = TIER_MAX_VALUE_BYTES[props.Tier];
  if (bytes > max) {
    throw new HandlerError(`The value is ${bytes} bytes; the ${props.Tier} tier holds at most ${max}. Use the Advanced tier`);
  }
  return value;
}

function fromSource(source: ValueSource, ctx: RequestContext): Promise<string> {
  switch (source.Kind) {
    case ValueSourceKind.GENERATED:
      return Promise.resolve(generate(source));
    case ValueSourceKind.CIPHERTEXT:
      return decryptCiphertext(source, ctx);
    case ValueSourceKind.SECRET:
      return readSecret(source, ctx);
  }
}

/** A random value from the allowed characters, each drawn uniformly with the CSPRNG. */
function generate(source: GeneratedSource): string {
  const length = Number(source.Length);
  if (!Number.isInteger(length) || length < 1 || length > MAX_GENERATED_LENGTH) {
    throw new HandlerError(`ValueSource.Length must be a whole number between 1 and ${MAX_GENERATED_LENGTH}; received ${JSON.stringify(source.Length)}`);
  }
  const pool = characterPool(source.ExcludeCharacters, source.ExcludePunctuation === 'true');
  if (pool.length === 0) {
    throw new HandlerError('ValueSource.ExcludeCharacters leaves no character to generate from');
  }
  const out: string[] = new Array(length);
  for (let i = 0; i < length; i++) out[i] = pool[randomInt(pool.length)];
  return out.join('');
}

async function decryptCiphertext(source: CiphertextSource, { redactor, signal }: RequestContext): Promise<string> {
  let plaintext: Uint8Array | undefined;
  try {
    const out = await kms.send(new DecryptCommand({
      CiphertextBlob: Buffer.from(source.Ciphertext, 'base64'),
      KeyId: source.KeyArn,
      EncryptionContext: source.EncryptionContext,
    }), { abortSignal: signal });
    plaintext = out.Plaintext;
  } catch (e) {
    throw new HandlerError(`Decrypting the ciphertext with ${source.KeyArn} failed: ${describeError(e)}`);
  }
  if (!plaintext) throw new HandlerError('AWS KMS returned no plaintext for the ciphertext');
  try {
    return redactor.track(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new HandlerError('The decrypted ciphertext is not valid UTF-8 text');
  } finally {
    plaintext.fill(0);
  }
}

async function readSecret(source: SecretSource, { redactor, signal }: RequestContext): Promise<string> {
  let secretString: string | undefined;
  try {
    const out = await secretsManager.send(new GetSecretValueCommand({ SecretId: source.SecretArn }), { abortSignal: signal });
    secretString = out.SecretString;
  } catch (e) {
    throw new HandlerError(`Reading ${source.SecretArn} from Secrets Manager failed: ${describeError(e)}`);
  }
  if (secretString === undefined) {
    throw new HandlerError(`${source.SecretArn} has no SecretString (binary secrets are not supported)`);
  }
  redactor.track(secretString);
  if (source.JsonField === undefined) return secretString;

  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // JSON.parse quotes the text it fails on: never pass its message on.
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HandlerError(`${source.SecretArn} is not a JSON object, so its field ${JSON.stringify(source.JsonField)} cannot be read`);
  }
  const field = (parsed as Record<string, unknown>)[source.JsonField];
  if (field === undefined) {
    throw new HandlerError(`${source.SecretArn} has no field ${JSON.stringify(source.JsonField)}`);
  }
  if (typeof field !== 'string' && typeof field !== 'number' && typeof field !== 'boolean') {
    throw new HandlerError(`The field ${JSON.stringify(source.JsonField)} of ${source.SecretArn} is not a string, number or boolean`);
  }
  return redactor.track(String(field));
}

/**
 * A canonical form of a value source, to tell whether it changed. CloudFormation hands scalars
 * over as strings, so this compares the parsed (string) form.
 */
function fingerprint(source: ValueSource): string {
  const sorted = (o: Record<string, unknown> | undefined) =>
    (o ? Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) : undefined);
  switch (source.Kind) {
    case ValueSourceKind.GENERATED:
      return JSON.stringify([source.Kind, Number(source.Length), source.ExcludeCharacters, source.ExcludePunctuation]);
    case ValueSourceKind.CIPHERTEXT:
      return JSON.stringify([source.Kind, source.Ciphertext, source.KeyArn, sorted(source.EncryptionContext)]);
    case ValueSourceKind.SECRET:
      return JSON.stringify([source.Kind, source.SecretArn, source.JsonField ?? null]);
  }
}

/** The old properties of an Update; undefined (treated as "everything changed") if unreadable. */
function parseOldProperties(raw: Record<string, unknown> | undefined): SecureStringResourceProperties | undefined {
  try {
    return parseResourceProperties(raw);
  } catch {
    return undefined;
  }
}

function success(event: CloudFormationCustomResourceEvent, name: string, version: string): CustomResourceOutcome {
  return {
    status: 'SUCCESS',
    physicalResourceId: name,
    data: {
      [SecureStringAttribute.PARAMETER_NAME]: name,
      [SecureStringAttribute.PARAMETER_ARN]: parameterArn(event.StackId, name),
      [SecureStringAttribute.VERSION]: version,
    },
  };
}

/** The parameter ARN, in the stack's partition, Region and account. */
function parameterArn(stackId: string, name: string): string {
  const [, partition, , region, account] = stackId.split(':');
  return `arn:${partition}:ssm:${region}:${account}:parameter/${parameterArnResourceName(name)}`;
}

function ownerOf(event: CloudFormationCustomResourceEvent): string {
  return ownerTagValue(event.StackId, event.LogicalResourceId, sha256Hex);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The parameter an event is about: the physical id for a Delete, else the ParameterName property. */
function parameterNameOf(event: CloudFormationCustomResourceEvent): string | null {
  const name = event.RequestType === 'Delete' ? event.PhysicalResourceId : event.ResourceProperties?.ParameterName;
  return typeof name === 'string' ? name : null;
}
