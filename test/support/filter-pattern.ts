/**
 * A small evaluator for CloudWatch Logs JSON filter patterns (`{ $.a.b = "x" && ... }`).
 *
 * TEST SUPPORT ONLY. The local AWS emulator stores metric filters but never evaluates them, so
 * the tests use this module to show that the library's patterns match exactly the CloudTrail
 * records they are meant to.
 *
 * Semantics follow the AWS documentation:
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
 * - the archived user guide (wildcard and "special considerations" wording that the current
 *   pages dropped): https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide/blob/master/doc_source/FilterAndPatternSyntax.md
 *
 * Supported subset:
 * - the whole pattern in `{ }`; conditions joined by `&&` / `||` with parentheses; precedence
 *   `()` > `&&` > `||` (documented "standard order of operations");
 * - selectors `$.a.b`, `$.a[0].b`, `$.a[0][1]`, `$.['dotted.name']`, and the wildcard selectors
 *   `$.a[*]` / `$.*` ("select any array element or any JSON object field": the condition holds when
 *   it holds for at least one selected value). At most one wildcard per selector and three per
 *   pattern (documented quotas);
 * - `=` / `!=` with a string (unquoted, or in double quotes), with `*` as a wildcard at the start
 *   and/or end of the value (prefix, suffix, contains, or `*` alone);
 * - `=`, `!=`, `<`, `>`, `<=`, `>=` with a number (optional sign, decimals, scientific notation);
 * - `=` / `!=` with a regular expression `%...%` (documented character set, no parentheses, at
 *   most two per pattern), matched anywhere in the value unless anchored with `^` / `$`;
 * - `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`.
 *
 * Anything else throws a {@link FilterPatternError}: the documented-unsupported `EXISTS` and
 * `IS NOT`, a `*` inside a value (the archived guide says `Ev*ent` only matches the literal text,
 * the current pages don't say), wildcard selectors with `!=`, `IS` or `NOT EXISTS` (which element
 * must satisfy a negation is not documented), backslashes in quoted strings, unquoted values with
 * characters the docs say need quotes, and comparing a number in the pattern with a string in the
 * event. The evaluator never answers `false` for something it does not understand.
 *
 * Value semantics:
 * - a selector must point to a value node (string or number). When it points to an array, an
 *   object, `null`, a boolean, or nothing at all, neither `=` nor `!=` matches (the archived guide:
 *   "both {$.users = 1} and {$.users != 1} will fail to match" an array). So `!=` needs the field;
 * - string comparison is exact and case sensitive ("Filter patterns are case sensitive");
 * - a string without wildcards never equals a number node (the documented compound example
 *   `$.coordinates[0][1] = "nonmatch"` against the number 1); a wildcard value is matched against
 *   the number's JSON text ("use the asterisk as a wild card to match numbers", `{ $.latency = * }`).
 */

/** A pattern outside the supported subset, or a comparison whose outcome is not documented. */
export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}

export type PathStep =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

export interface Selector {
  /** The selector as written, e.g. `$.resources[0].ARN`. */
  readonly text: string;
  readonly path: readonly PathStep[];
}

export type Operand =
  /** `text` may start and/or end with the `*` wildcard. */
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  | { readonly kind: 'regex'; readonly source: string };

export type ComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type FilterExpression =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpression; readonly right: FilterExpression }
  | { readonly kind: 'compare'; readonly selector: Selector; readonly operator: ComparisonOperator; readonly operand: Operand }
  | { readonly kind: 'is'; readonly selector: Selector; readonly value: null | boolean }
  | { readonly kind: 'notExists'; readonly selector: Selector };

/** Parses a JSON filter pattern into its expression tree; throws {@link FilterPatternError}. */
export function parseJsonFilterPattern(pattern: string): FilterExpression {
  return new Parser(pattern).parsePattern();
}

/**
 * Whether the log event (a JSON string, or a value that serializes to JSON) matches the JSON
 * filter pattern. A string event that isn't JSON never matches a JSON pattern.
 */
export function matchesJsonFilterPattern(pattern: string, event: unknown): boolean {
  const expression = parseJsonFilterPattern(pattern);
  let root: unknown;
  try {
    root = typeof event === 'string' ? JSON.parse(event) : JSON.parse(JSON.stringify(event));
  } catch {
    return false;
  }
  return evaluate(expression, root);
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

type Token =
  | { readonly type: '{' | '}' | '(' | ')' | '&&' | '||' | 'end'; readonly pos: number }
  | { readonly type: 'operator'; readonly operator: ComparisonOperator; readonly pos: number }
  | { readonly type: 'selector'; readonly selector: Selector; readonly pos: number }
  | { readonly type: 'quoted' | 'regex' | 'word'; readonly text: string; readonly pos: number };

const NAME = /^[A-Za-z0-9_-]+/;
const WORD = /^[^\s(){}"%$&|=!<>]+/;
const UNQUOTED_VALUE = /^[A-Za-z0-9_.*+-]+$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// Documented regex characters: alphanumerics, the symbols : _ # = @ / ; , - and the operators
// ^ $ ? [ ] { } | \ * + . (plus the space used in the documented `%^shutting down%` example).
const REGEX_CHARACTERS = /^[A-Za-z0-9:_#=@/;,\- ^$?[\]{}|\\*+.]*$/;

function tokenize(pattern: string): Token[] {
  const fail = (message: string, pos: number): never => {
    throw new FilterPatternError(`${message} at offset ${pos} in filter pattern ${JSON.stringify(pattern)}`);
  };
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    const two = pattern.slice(i, i + 2);
    if (/\s/.test(c)) {
      i += 1;
    } else if (two === '&&' || two === '||') {
      tokens.push({ type: two, pos: i });
      i += 2;
    } else if (c === '{' || c === '}' || c === '(' || c === ')') {
      tokens.push({ type: c, pos: i });
      i += 1;
    } else if (two === '==') {
      fail("'==' is not a filter-pattern operator (use '=')", i);
    } else if (two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ type: 'operator', operator: two, pos: i });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      tokens.push({ type: 'operator', operator: c, pos: i });
      i += 1;
    } else if (c === '"' || c === '%') {
      const end = pattern.indexOf(c, i + 1);
      if (end < 0) fail(c === '"' ? 'unterminated string' : 'unterminated regular expression', i);
      tokens.push({ type: c === '"' ? 'quoted' : 'regex', text: pattern.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (c === '$') {
      const { selector, end } = readSelector(pattern, i, fail);
      tokens.push({ type: 'selector', selector, pos: i });
      i = end;
    } else {
      const word = WORD.exec(pattern.slice(i));
      if (!word) fail(`unexpected character ${JSON.stringify(c)}`, i);
      tokens.push({ type: 'word', text: word![0], pos: i });
      i += word![0].length;
    }
  }
  tokens.push({ type: 'end', pos: pattern.length });
  return tokens;
}

function readSelector(pattern: string, start: number, fail: (message: string, pos: number) => never): { selector: Selector; end: number } {
  const path: PathStep[] = [];
  let i = start + 1;
  for (;;) {
    const rest = pattern.slice(i);
    const bracketName = /^\.\['([^']*)'\]/.exec(rest);
    const index = /^\[(\d+|\*)\]/.exec(rest);
    if (rest.startsWith('.*')) {
      path.push({ kind: 'wildcard' });
      i += 2;
    } else if (bracketName) {
      path.push({ kind: 'field', name: bracketName[1] });
      i += bracketName[0].length;
    } else if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1));
      if (!name) fail("expected a property name (letters, digits, '-', '_') after '.'", i);
      path.push({ kind: 'field', name: name![0] });
      i += 1 + name![0].length;
    } else if (index) {
      if (path.length === 0) fail('array elements must follow a property (e.g. $.items[0])', i);
      path.push(index[1] === '*' ? { kind: 'wildcard' } : { kind: 'index', index: Number(index[1]) });
      i += index[0].length;
    } else if (rest.startsWith('[')) {
      fail('expected [NUMBER] or [*]', i);
    } else {
      break;
    }
  }
  if (path.length === 0) fail("a property selector starts with '$.'", start);
  if (path.filter((step) => step.kind === 'wildcard').length > 1) {
    fail('only one wildcard selector is allowed in a property selector (documented quota)', start);
  }
  return { selector: { text: pattern.slice(start, i), path }, end: i };
}

// ---------------------------------------------------------------------------------------------
// Recursive-descent parser:
//   pattern   := '{' or '}'
//   or        := and ('||' and)*
//   and       := primary ('&&' primary)*
//   primary   := '(' or ')' | condition
//   condition := SELECTOR (OPERATOR operand | 'IS' ('NULL' | 'TRUE' | 'FALSE') | 'NOT' 'EXISTS')

class Parser {
  private readonly tokens: Token[];
  private position = 0;
  private wildcardSelectors = 0;
  private regexes = 0;

  constructor(private readonly pattern: string) {
    this.tokens = tokenize(pattern);
  }

  public parsePattern(): FilterExpression {
    if (this.peek().type !== '{') {
      this.fail('a JSON filter pattern must be enclosed in { } (other filter-pattern kinds are not supported)');
    }
    this.next();
    const expression = this.parseOr();
    this.expect('}');
    this.expect('end');
    if (this.wildcardSelectors > 3) this.fail('at most three wildcard selectors are allowed in a filter pattern (documented quota)');
    if (this.regexes > 2) this.fail('at most two regular expressions are allowed in a filter pattern (documented quota)');
    return expression;
  }

  private parseOr(): FilterExpression {
    let left = this.parseAnd();
    while (this.peek().type === '||') {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpression {
    let left = this.parsePrimary();
    while (this.peek().type === '&&') {
      this.next();
      left = { kind: 'and', left, right: this.parsePrimary() };
    }
    return left;
  }

  private parsePrimary(): FilterExpression {
    if (this.peek().type === '(') {
      this.next();
      const inner = this.parseOr();
      this.expect(')');
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): FilterExpression {
    const token = this.next();
    if (token.type !== 'selector') return this.fail(`expected a property selector ($.name) but found ${show(token)}`, token);
    const selector = token.selector;
    const wildcard = selector.path.some((step) => step.kind === 'wildcard');
    if (wildcard) this.wildcardSelectors += 1;
    const noNegatedWildcard = (what: string, at: Token) => {
      if (wildcard) this.fail(`${what} with a wildcard selector (${selector.text}) has no documented semantics`, at);
    };

    const after = this.next();
    if (after.type === 'operator') {
      if (after.operator === '!=') noNegatedWildcard("'!='", after);
      return { kind: 'compare', selector, operator: after.operator, operand: this.parseOperand(after.operator) };
    }
    if (after.type === 'word' && after.text === 'IS') {
      noNegatedWildcard('IS', after);
      const value = this.next();
      if (value.type === 'word' && value.text === 'NULL') return { kind: 'is', selector, value: null };
      if (value.type === 'word' && value.text === 'TRUE') return { kind: 'is', selector, value: true };
      if (value.type === 'word' && value.text === 'FALSE') return { kind: 'is', selector, value: false };
      if (value.type === 'word' && value.text === 'NOT') return this.fail("'IS NOT' is not supported (documented)", value);
      return this.fail(`expected NULL, TRUE or FALSE after IS but found ${show(value)}`, value);
    }
    if (after.type === 'word' && after.text === 'NOT') {
      noNegatedWildcard('NOT EXISTS', after);
      const exists = this.next();
      if (exists.type === 'word' && exists.text === 'EXISTS') return { kind: 'notExists', selector };
      return this.fail(`expected EXISTS after NOT but found ${show(exists)}`, exists);
    }
    if (after.type === 'word' && after.text === 'EXISTS') {
      return this.fail("'EXISTS' is not supported (documented); use NOT EXISTS, or compare with '= *'", after);
    }
    return this.fail(`expected =, !=, <, >, <=, >=, IS or NOT EXISTS after ${selector.text} but found ${show(after)}`, after);
  }

  private parseOperand(operator: ComparisonOperator): Operand {
    const token = this.next();
    const textOnly = (kind: string): void => {
      if (operator !== '=' && operator !== '!=') this.fail(`'${operator}' compares numbers, not ${kind}`, token);
    };
    if (token.type === 'regex') {
      textOnly('regular expressions');
      this.regexes += 1;
      return { kind: 'regex', source: this.checkRegex(token.text, token) };
    }
    if (token.type === 'quoted') {
      textOnly('strings');
      if (token.text.includes('\\')) this.fail('backslash escapes in quoted strings are not documented', token);
      return { kind: 'string', text: this.checkWildcards(token.text, token) };
    }
    if (token.type !== 'word') return this.fail(`expected a value after '${operator}' but found ${show(token)}`, token);
    if (NUMBER.test(token.text)) return { kind: 'number', value: Number(token.text), text: token.text };
    if (!UNQUOTED_VALUE.test(token.text)) {
      this.fail(`the value ${JSON.stringify(token.text)} must be enclosed in double quotes`, token);
    }
    textOnly('strings');
    return { kind: 'string', text: this.checkWildcards(token.text, token) };
  }

  private checkWildcards(text: string, token: Token): string {
    if (text.replace(/^\*/, '').replace(/\*$/, '').includes('*')) {
      this.fail(`'*' is only supported at the start or end of a value (${JSON.stringify(text)})`, token);
    }
    return text;
  }

  private checkRegex(source: string, token: Token): string {
    if (source.includes('(') || source.includes(')')) this.fail('parentheses are not supported in filter-pattern regular expressions', token);
    if (!REGEX_CHARACTERS.test(source)) this.fail(`unsupported character in regular expression %${source}%`, token);
    try {
      new RegExp(source);
    } catch (e) {
      this.fail(`invalid regular expression %${source}%: ${(e as Error).message}`, token);
    }
    return source;
  }

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    const token = this.tokens[this.position];
    if (token.type !== 'end') this.position += 1;
    return token;
  }

  private expect(type: Token['type']): Token {
    const token = this.next();
    if (token.type !== type) this.fail(`expected ${type === 'end' ? 'the end of the pattern' : `'${type}'`} but found ${show(token)}`, token);
    return token;
  }

  private fail(message: string, at: Token = this.peek()): never {
    throw new FilterPatternError(`${message} at offset ${at.pos} in filter pattern ${JSON.stringify(this.pattern)}`);
  }
}

function show(token: Token): string {
  switch (token.type) {
    case 'end': return 'the end of the pattern';
    case 'operator': return `'${token.operator}'`;
    case 'selector': return token.selector.text;
    case 'quoted': return `"${token.text}"`;
    case 'regex': return `%${token.text}%`;
    case 'word': return `'${token.text}'`;
    default: return `'${token.type}'`;
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluator

function evaluate(expression: FilterExpression, root: unknown): boolean {
  switch (expression.kind) {
    case 'and':
    case 'or': {
      // Both sides are always evaluated, so an undocumented comparison throws whatever its position.
      const left = evaluate(expression.left, root);
      const right = evaluate(expression.right, root);
      return expression.kind === 'and' ? left && right : left || right;
    }
    case 'notExists':
      return select(root, expression.selector.path).length === 0;
    case 'is':
      return select(root, expression.selector.path).some((value) => value === expression.value);
    case 'compare':
      return select(root, expression.selector.path).some((value) => compare(value, expression));
  }
}

function select(root: unknown, path: readonly PathStep[]): unknown[] {
  let current: unknown[] = [root];
  for (const step of path) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'index') {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (step.kind === 'field') {
        if (isObject(value) && Object.prototype.hasOwnProperty.call(value, step.name)) next.push(value[step.name]);
      } else if (Array.isArray(value)) {
        next.push(...value);
      } else if (isObject(value)) {
        next.push(...Object.values(value));
      }
    }
    current = next;
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compare(value: unknown, condition: Extract<FilterExpression, { kind: 'compare' }>): boolean {
  const { operator, operand, selector } = condition;
  // Only value nodes (strings and numbers) take part in comparisons.
  if (typeof value !== 'string' && typeof value !== 'number') return false;

  if (operand.kind === 'number') {
    if (typeof value === 'string') {
      throw new FilterPatternError(
        `${selector.text} holds the string ${JSON.stringify(value)} but the pattern compares it with the number ${operand.text}; ` +
        'how CloudWatch Logs compares these is not documented (quote the value to compare text)',
      );
    }
    switch (operator) {
      case '=': return value === operand.value;
      case '!=': return value !== operand.value;
      case '<': return value < operand.value;
      case '>': return value > operand.value;
      case '<=': return value <= operand.value;
      case '>=': return value >= operand.value;
    }
  }

  let hit: boolean;
  if (operand.kind === 'regex') {
    if (typeof value === 'number') {
      throw new FilterPatternError(`${selector.text} holds the number ${value}; matching numbers with a regular expression is not documented`);
    }
    hit = new RegExp(operand.source).test(value);
  } else {
    const wildcard = operand.text.includes('*');
    if (typeof value === 'number' && !wildcard) return false;
    hit = matchesWildcard(typeof value === 'number' ? JSON.stringify(value) : value, operand.text);
  }
  return operator === '=' ? hit : !hit;
}

/** Exact match, where a leading and/or trailing `*` stands for any run of characters. */
function matchesWildcard(value: string, text: string): boolean {
  if (text === '*' || text === '**') return true;
  const leading = text.startsWith('*');
  const trailing = text.endsWith('*');
  const core = text.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (leading && trailing) return value.includes(core);
  if (leading) return value.endsWith(core);
  if (trailing) return value.startsWith(core);
  return value === core;
}
