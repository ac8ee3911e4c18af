/**
 * Telling a secret written into a template from a setting, for `EnvironmentNoPlaintextSecret`.
 * The aim is few false positives: a value counts as a secret only when it has the shape of a
 * well-known credential, or when both its name and its value say so.
 */

/** Values that are credentials whatever their name. */
const CREDENTIAL_PATTERNS: ReadonlyArray<[string, RegExp]> = [
  ['an AWS access key id', /^(AKIA|ASIA)[0-9A-Z]{16}$/],
  ['a private key', /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/],
  ['a GitHub token', /^(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})$/],
  ['a Slack token', /^xox[abposr]-[A-Za-z0-9-]{10,}$/],
  ['a URL with a password', /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]+:[^/@\s]+@/i],
];

/** The shape of an AWS secret access key: 40 characters of base64. */
const SECRET_ACCESS_KEY = /^(?=.*[0-9])(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9/+]{40}$/;

/** The variable names Security Hub ECS.8 checks (`ecs-no-environment-secrets`). */
const ALWAYS_SECRET_NAMES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'ECS_ENGINE_AUTH_DATA']);

/** Name words (upper case) that say the value is a secret. */
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PWD', 'SECRET', 'SECRETS', 'TOKEN', 'CREDENTIAL', 'CREDENTIALS', 'APIKEY', 'PRIVATEKEY', 'PASSPHRASE']);
/** Two-word secret names (`API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY`, `CLIENT_SECRET`…). */
const SECRET_PAIRS = new Set(['API KEY', 'PRIVATE KEY', 'ACCESS KEY', 'SIGNING KEY', 'AUTH KEY', 'MASTER KEY']);
/** Last name words that say the value names or locates the secret instead of holding it. */
const REFERENCE_WORDS = new Set([
  'ARN', 'NAME', 'ID', 'IDS', 'PATH', 'PARAM', 'PARAMETER', 'URL', 'URI', 'ENDPOINT', 'FILE', 'REGION', 'TTL', 'LENGTH', 'HEADER',
  'TYPE', 'ALGORITHM', 'ENABLED', 'EXPIRY', 'EXPIRATION', 'TIMEOUT', 'SECONDS', 'MINUTES', 'VERSION', 'KEYID', 'LOCATION', 'BUCKET', 'PREFIX',
]);
/** Values that are settings, not secrets. */
const SETTING_VALUES = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'enabled', 'disabled', 'none', 'null', 'undefined', 'default']);

/** The words of a variable name: split on non-alphanumerics and on camel case, upper-cased. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toUpperCase());
}

/** Whether a variable name says it holds a secret (and not where to find one). */
export function isSecretName(name: string): boolean {
  if (ALWAYS_SECRET_NAMES.has(name.toUpperCase())) return true;
  const w = words(name);
  if (w.length === 0 || REFERENCE_WORDS.has(w[w.length - 1])) return false;
  if (w.some((x) => SECRET_WORDS.has(x))) return true;
  return w.some((x, i) => i + 1 < w.length && SECRET_PAIRS.has(`${x} ${w[i + 1]}`));
}

/**
 * Whether a literal value could be a secret: at least 6 characters, not a number, a switch, an
 * ARN, a URL without credentials, a Parameter Store path or a slash-separated secret name, and no
 * whitespace (placeholders and prose).
 */
export function looksLikeSecretValue(value: string): boolean {
  if (SECRET_ACCESS_KEY.test(value)) return true;
  if (value.length < 6 || /\s/.test(value)) return false;
  if (/^-?\d+(\.\d+)?$/.test(value) || SETTING_VALUES.has(value.toLowerCase())) return false;
  if (value.startsWith('arn:') || value.startsWith('/')) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]+:[^/@\s]+@/i.test(value); // a URL: only with user:password@
  if (/^[\w+=.@-]+(\/[\w+=.@-]+)+$/.test(value)) return false; // prod/db/password: the name of a secret
  return true;
}

/**
 * Why a variable looks like a plaintext secret, or `undefined` if it does not. `value` must be a
 * literal written in the template (not built from references).
 */
export function plaintextSecretReason(name: string, value: string): string | undefined {
  for (const [what, pattern] of CREDENTIAL_PATTERNS) {
    if (pattern.test(value)) return `${name} holds ${what}`;
  }
  if (isSecretName(name) && looksLikeSecretValue(value)) return `${name} is named as a secret and holds a literal value`;
  return undefined;
}
