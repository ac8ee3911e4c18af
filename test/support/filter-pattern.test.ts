import { FilterPatternError, matchesJsonFilterPattern as matches, parseJsonFilterPattern } from '.';

/*
 * Part 1: the evaluator against the documented examples of the JSON filter-pattern syntax. Each
 * event and pattern is reproduced from the page cited above its block, with the outcome the page
 * states.
 */

// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html ("Using filter patterns to match terms in JSON log events")
// Both pages use this sample JSON log event, and list these patterns as matching it.
const SAMPLE_EVENT = {
  'eventType': 'UpdateTrail',
  'sourceIPAddress': '111.111.111.111',
  'arrayKey': ['value', 'another value'],
  'objectList': [{ name: 'a', id: 1 }, { name: 'b', id: 2 }],
  'SomeObject': null,
  'cluster.name': 'c',
};

describe('documented examples: sample JSON log event', () => {
  test.each([
    ['{ $.eventType = "UpdateTrail" }', 'matches the string "UpdateTrail" in eventType'],
    ['{ $.sourceIPAddress != 123.123.* }', 'the address does not start with 123.123.'],
    ['{ $.arrayKey[0] = "value" }', 'matches the element "value" in arrayKey'],
    ['{ $.eventType = %Trail% }', 'regex: matches "Trail" in eventType'],
    ['{ $.arrayKey[*] = %val.{2}% }', 'regex on any element of arrayKey'],
    ['{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }', 'regex on any field: matches sourceIPAddress'],
    ["{ $.['cluster.name'] = \"c\" }", 'bracket notation for a property with a period'],
    ['{ $.SomeObject IS NULL }', 'SomeObject is null'],
    ['{ $.SomeOtherObject NOT EXISTS }', 'SomeOtherObject is absent'],
  ])('%s matches (%s)', (pattern) => {
    expect(matches(pattern, SAMPLE_EVENT)).toBe(true);
  });

  test('the event can also be given as the single-line JSON text the docs ask for when testing', () => {
    expect(matches('{ $.eventType = "UpdateTrail" }', JSON.stringify(SAMPLE_EVENT))).toBe(true);
  });

  test('"IS NOT" and "EXISTS" are documented as unsupported, so they are rejected', () => {
    expect(() => parseJsonFilterPattern('{ $.SomeObject IS NOT NULL }')).toThrow(/IS NOT/);
    expect(() => parseJsonFilterPattern('{ $.SomeObject EXISTS }')).toThrow(/EXISTS/);
  });
});

// Archived user guide, "JSON Metric Filter Examples":
// https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide/blob/master/doc_source/FilterAndPatternSyntax.md
// Its sample event has "ThisFlag": true instead of "cluster.name".
const ARCHIVED_SAMPLE_EVENT = {
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [{ name: 'a', id: 1 }, { name: 'b', id: 2 }],
  SomeObject: null,
  ThisFlag: true,
};

describe('documented examples: archived user guide', () => {
  test.each([
    '{ $.eventType = "UpdateTrail" }',
    '{ $.sourceIPAddress != 123.123.* }',
    '{ $.arrayKey[0] = "value" }',
    '{ $.objectList[1].id = 2 }',
    '{ $.SomeObject IS NULL }',
    '{ $.SomeOtherObject NOT EXISTS }',
    '{ $.ThisFlag IS TRUE }',
  ])('%s matches', (pattern) => {
    expect(matches(pattern, ARCHIVED_SAMPLE_EVENT)).toBe(true);
  });

  test('"this also works for boolean filters which check for FALSE value"', () => {
    expect(matches('{ $.ThisFlag IS FALSE }', ARCHIVED_SAMPLE_EVENT)).toBe(false);
    expect(matches('{ $.ThisFlag IS FALSE }', { ThisFlag: false })).toBe(true);
  });

  test('"If arrayKey is not an array this will be false"; "if the items in objectList ... do not have an id property, this will be false"', () => {
    expect(matches('{ $.arrayKey[0] = "value" }', { arrayKey: 'value' })).toBe(false);
    expect(matches('{ $.objectList[1].id = 2 }', { objectList: { 1: { id: 2 } } })).toBe(false);
    expect(matches('{ $.objectList[1].id = 2 }', { objectList: [{ id: 1 }, { name: 'b' }] })).toBe(false);
    expect(matches('{ $.objectList[1].id = 2 }', { objectList: [{ id: 1 }, 'b'] })).toBe(false);
  });

  test('"IS NULL ... will only be true if the specified object is set to null"', () => {
    expect(matches('{ $.SomeObject IS NULL }', { SomeObject: 'x' })).toBe(false);
    expect(matches('{ $.SomeObject IS NULL }', {})).toBe(false);
  });

  test('"NOT EXISTS ... will only be true if specified object does not exist in log data"', () => {
    expect(matches('{ $.SomeObject NOT EXISTS }', ARCHIVED_SAMPLE_EVENT)).toBe(false); // present, even though null
  });

  test('OR pattern matching: {$.foo = bar} matches event 1, {$.foo = baz } event 2, and the || of both matches both', () => {
    const event1 = { foo: 'bar' };
    const event2 = { foo: 'baz' };
    expect([matches('{$.foo = bar}', event1), matches('{$.foo = bar}', event2)]).toEqual([true, false]);
    expect([matches('{$.foo = baz }', event1), matches('{$.foo = baz }', event2)]).toEqual([false, true]);
    expect([matches('{$.foo = bar || $.foo = baz }', event1), matches('{$.foo = bar || $.foo = baz }', event2)]).toEqual([true, true]);
  });

  test('string wildcards: *Event matches PutEvent and GetEvent, Event* matches EventId and EventName', () => {
    for (const value of ['PutEvent', 'GetEvent']) expect(matches('{ $.name = *Event }', { name: value })).toBe(true);
    for (const value of ['EventId', 'EventName']) expect(matches('{ $.name = Event* }', { name: value })).toBe(true);
    expect(matches('{ $.name = *Event }', { name: 'EventId' })).toBe(false);
    expect(matches('{ $.name = Event* }', { name: 'PutEvent' })).toBe(false);
  });

  test('"Ev*ent will only match the actual string Ev*ent": an inner * is rejected rather than guessed (the current pages are silent)', () => {
    expect(() => parseJsonFilterPattern('{ $.name = Ev*ent }')).toThrow(FilterPatternError);
    expect(() => parseJsonFilterPattern('{ $.name = "Ev*ent" }')).toThrow(/start or end/);
  });

  test('"both {$.users = 1} and {$.users != 1} will fail to match" when users is an array', () => {
    const event = { users: [1, 2, 3] };
    expect(matches('{$.users = 1}', event)).toBe(false);
    expect(matches('{$.users != 1}', event)).toBe(false);
  });

  test('"{ $.latency = * }" (publishing numerical values) matches an event with a numeric latency', () => {
    expect(matches('{ $.latency = * }', { latency: 250 })).toBe(true);
    expect(matches('{ $.latency = * }', { other: 250 })).toBe(false);
  });
});

// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html ("compound expressions")
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html: "Compound expressions support the use of
// parentheses ("()") and the following standard order of operations: () > && > ||."
const COMPOUND_EVENT = {
  user: { id: 1, email: 'John.Stiles@example.com' },
  users: [{ id: 2, email: 'John.Doe@example.com' }, { id: 3, email: 'Jane.Doe@example.com' }],
  actions: ['GET', 'PUT', 'DELETE'],
  coordinates: [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
};

describe('documented examples: compound expressions', () => {
  test.each([
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
    ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }', true],
    ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }', false],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
    // The archived guide writes the same examples with unquoted values.
    ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', true],
    ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', false],
  ])('%s → %s', (pattern, expected) => {
    expect(matches(pattern, COMPOUND_EVENT)).toBe(expected);
  });
});

// Numeric patterns from https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html ("Writing filter patterns
// that match numeric values") and the archived guide ("Numeric Comparisons"). The docs give no event for these, so each is checked
// on an event made here just inside, and just outside, the comparison.
describe('documented examples: numeric comparisons', () => {
  test.each([
    ['{ $.bandwidth > 75 }', { bandwidth: 76 }, { bandwidth: 75 }],
    ['{ $.latency < 50 }', { latency: 49.9 }, { latency: 50 }],
    ['{ $.refreshRate >= 60 }', { refreshRate: 60 }, { refreshRate: 59 }],
    ['{ $.responseTime <= 5 }', { responseTime: 5 }, { responseTime: 5.01 }],
    ['{ $.errorCode = 400}', { errorCode: 400 }, { errorCode: 401 }],
    ['{ $.errorCode != 500 }', { errorCode: 400 }, { errorCode: 500 }],
    ['{ $.number[0] = 1e+3 }', { number: [1000] }, { number: [100] }],
    ['{ $.number[0] != 1e-3 }', { number: [1] }, { number: [0.001] }],
    ['{ $.latency >= 500 }', { latency: 500 }, { latency: 499 }],
    ['{ $.numbers[0] < 10e3 }', { numbers: [9999] }, { numbers: [10000] }],
    ['{ $.numbers[0] < 10e-3 }', { numbers: [0.009] }, { numbers: [0.01] }],
    ['{ $.processes[4].averageRuntime <= 55.5 }', { processes: [{}, {}, {}, {}, { averageRuntime: 55.5 }] }, { processes: [{}, {}, {}, {}, { averageRuntime: 56 }] }],
    ['{ $.latency > +1000 }', { latency: 1001 }, { latency: 1000 }],
  ])('%s', (pattern, inside, outside) => {
    expect(matches(pattern, inside)).toBe(true);
    expect(matches(pattern, outside)).toBe(false);
  });
});

/*
 * Part 2: edge cases of the semantics the evaluator commits to (see the header of
 * test/support/filter-pattern.ts for the reasoning behind each).
 */

describe('missing fields and non-value nodes', () => {
  const event = { present: 'x', nothing: null, flag: true, nested: { list: [] }, count: 3 };

  test('a missing field matches neither = nor != (a selector has to reach a value node)', () => {
    expect(matches('{ $.absent = x }', event)).toBe(false);
    expect(matches('{ $.absent != x }', event)).toBe(false);
    expect(matches('{ $.absent = * }', event)).toBe(false);
    expect(matches('{ $.absent > 1 }', event)).toBe(false);
    expect(matches('{ $.present.deeper = x }', event)).toBe(false);
    expect(matches('{ $.nested.list[0] = x }', event)).toBe(false);
  });

  test('null, booleans, arrays and objects match neither = nor !=', () => {
    for (const field of ['nothing', 'flag', 'nested', 'nested.list']) {
      expect(matches(`{ $.${field} = "x" }`, event)).toBe(false);
      expect(matches(`{ $.${field} != "x" }`, event)).toBe(false);
      expect(matches(`{ $.${field} = * }`, event)).toBe(false);
    }
    expect(matches('{ $.flag = true }', event)).toBe(false); // use IS TRUE for booleans
  });

  test('NOT EXISTS: absent paths, including through null or a string, do not exist; a null value does', () => {
    expect(matches('{ $.absent NOT EXISTS }', event)).toBe(true);
    expect(matches('{ $.nothing.child NOT EXISTS }', event)).toBe(true);
    expect(matches('{ $.present.child NOT EXISTS }', event)).toBe(true);
    expect(matches('{ $.nested.list[0] NOT EXISTS }', event)).toBe(true);
    expect(matches('{ $.nothing NOT EXISTS }', event)).toBe(false);
    expect(matches('{ $.nested NOT EXISTS }', event)).toBe(false);
  });

  test('IS NULL / IS TRUE need the field with exactly that value', () => {
    expect(matches('{ $.absent IS NULL }', event)).toBe(false);
    expect(matches('{ $.present IS NULL }', event)).toBe(false);
    expect(matches('{ $.flag IS TRUE }', event)).toBe(true);
    expect(matches('{ $.present IS TRUE }', { present: 'true' })).toBe(false);
  });

  test('JavaScript undefined is treated as absent, as JSON would have it', () => {
    expect(matches('{ $.a NOT EXISTS }', { a: undefined })).toBe(true);
  });

  test('a log event that is not JSON never matches a JSON pattern', () => {
    expect(matches('{ $.a = * }', '[ERROR] not json')).toBe(false);
  });
});

describe('strings and wildcards', () => {
  test('comparison is exact and case sensitive', () => {
    expect(matches('{ $.eventName = DisableKey }', { eventName: 'DisableKey' })).toBe(true);
    expect(matches('{ $.eventName = DisableKey }', { eventName: 'disablekey' })).toBe(false);
    expect(matches('{ $.eventName = DisableKey }', { eventName: 'DisableKeyRotation' })).toBe(false);
    expect(matches('{ $.eventName = Key }', { eventName: 'DisableKey' })).toBe(false);
    expect(matches('{ $.eventName != DisableKey }', { eventName: 'DisableKeyRotation' })).toBe(true);
  });

  test('quoted and unquoted values are the same value', () => {
    expect(matches('{ $.eventSource = "kms.amazonaws.com" }', { eventSource: 'kms.amazonaws.com' })).toBe(true);
    expect(matches('{ $.eventSource = kms.amazonaws.com }', { eventSource: 'kms.amazonaws.com' })).toBe(true);
    expect(matches('{ $.eventSource = kms.amazonaws.com }', { eventSource: 'kms.amazonaws.com.evil' })).toBe(false);
  });

  test('* matches any run of characters (including none) at the start, the end, or both', () => {
    const cases: Array<[string, string, boolean]> = [
      ['kms*', 'kms.amazonaws.com', true],
      ['kms*', 'kms', true],
      ['kms*', 'ec2.amazonaws.com', false],
      ['*.amazonaws.com', 'kms.amazonaws.com', true],
      ['*.amazonaws.com', 'kms.amazonaws.com.cn', false],
      ['*amazonaws*', 'kms.amazonaws.com', true],
      ['*amazonaws*', 'amazonaws', true],
      ['*amazonaws*', 'kms.aws.com', false],
      ['*', '', true],
    ];
    for (const [value, field, expected] of cases) expect([value, field, matches(`{ $.f = ${value} }`, { f: field })]).toEqual([value, field, expected]);
    expect(matches('{ $.errorMessage = "* is pending deletion." }', { errorMessage: 'arn:aws:kms:us-east-1:111122223333:key/k is pending deletion.' })).toBe(true);
    expect(matches('{ $.errorMessage = "* is pending deletion." }', { errorMessage: 'key is pending deletion' })).toBe(false);
    expect(matches('{ $.errorMessage = "* is pending deletion." }', { errorMessage: 'is pending deletion.' })).toBe(false);
  });

  test('wildcards match a number through its JSON text; a plain string never equals a number', () => {
    expect(matches('{ $.status = 4* }', { status: 404 })).toBe(true);
    expect(matches('{ $.status = 4* }', { status: 504 })).toBe(false);
    expect(matches('{ $.status = "404" }', { status: 404 })).toBe(false);
    expect(matches('{ $.status != "404" }', { status: 404 })).toBe(false);
  });

  test('a number in the pattern against a string in the event is undocumented, so it throws instead of answering', () => {
    expect(() => matches('{ $.recipientAccountId = 111122223333 }', { recipientAccountId: '111122223333' })).toThrow(/quote the value/);
    expect(matches('{ $.recipientAccountId = "111122223333" }', { recipientAccountId: '111122223333' })).toBe(true);
  });

  test('regular expressions match anywhere unless anchored, and != negates', () => {
    expect(matches('{ $.eventName = %^Disable% }', { eventName: 'DisableKey' })).toBe(true);
    expect(matches('{ $.eventName = %^Key% }', { eventName: 'DisableKey' })).toBe(false);
    expect(matches('{ $.eventName != %Rotation$% }', { eventName: 'DisableKey' })).toBe(true);
    expect(matches('{ $.eventName != %Rotation$% }', {})).toBe(false);
  });
});

describe('wildcard selectors', () => {
  test('[*] and .* hold when any selected value satisfies the condition', () => {
    const event = { resources: [{ ARN: 'arn:a' }, { ARN: 'arn:b' }], tags: { team: 'x', env: 'prod' } };
    expect(matches('{ $.resources[*].ARN = "arn:b" }', event)).toBe(true);
    expect(matches('{ $.resources[*].ARN = "arn:c" }', event)).toBe(false);
    expect(matches('{ $.tags.* = prod }', event)).toBe(true);
    expect(matches('{ $.tags.* = dev }', event)).toBe(false);
  });

  test('negations over a wildcard selector have no documented meaning and are rejected', () => {
    for (const pattern of ['{ $.a[*] != x }', '{ $.a[*] NOT EXISTS }', '{ $.* IS NULL }']) {
      expect(() => parseJsonFilterPattern(pattern)).toThrow(/wildcard selector/);
    }
  });

  test('documented quotas: one wildcard per selector, three per pattern', () => {
    expect(() => parseJsonFilterPattern('{ $.a[*].b[*] = x }')).toThrow(/one wildcard/);
    expect(() => parseJsonFilterPattern('{ $.a[*] = x || $.b[*] = x || $.c[*] = x || $.d[*] = x }')).toThrow(/three wildcard/);
    expect(() => parseJsonFilterPattern('{ $.a[*] = x || $.b[*] = x || $.c[*] = x }')).not.toThrow();
  });
});

describe('precedence, parentheses and whitespace', () => {
  const cmp = (name: string) => ({ kind: 'compare', selector: { text: `$.${name}`, path: [{ kind: 'field', name }] }, operator: '=', operand: { kind: 'string', text: name } });

  test('&& binds tighter than ||, on either side', () => {
    expect(parseJsonFilterPattern('{ $.a = a || $.b = b && $.c = c }')).toEqual({ kind: 'or', left: cmp('a'), right: { kind: 'and', left: cmp('b'), right: cmp('c') } });
    expect(parseJsonFilterPattern('{ $.a = a && $.b = b || $.c = c }')).toEqual({ kind: 'or', left: { kind: 'and', left: cmp('a'), right: cmp('b') }, right: cmp('c') });
  });

  test('parentheses override precedence', () => {
    expect(parseJsonFilterPattern('{ ($.a = a || $.b = b) && $.c = c }')).toEqual({ kind: 'and', left: { kind: 'or', left: cmp('a'), right: cmp('b') }, right: cmp('c') });
    const onlyA = { a: 'a' };
    expect(matches('{ $.a = a || $.b = b && $.c = c }', onlyA)).toBe(true);
    expect(matches('{ ($.a = a || $.b = b) && $.c = c }', onlyA)).toBe(false);
  });

  test('chains are left-associative and redundant parentheses change nothing', () => {
    expect(parseJsonFilterPattern('{ $.a = a || $.b = b || $.c = c }')).toEqual({ kind: 'or', left: { kind: 'or', left: cmp('a'), right: cmp('b') }, right: cmp('c') });
    expect(parseJsonFilterPattern('{ ((($.a = a))) }')).toEqual(cmp('a'));
  });

  test('whitespace around operators, parentheses and braces is optional', () => {
    const spaced = parseJsonFilterPattern('{ ( $.eventName = DisableKey ) || ( $.eventName = EnableKey ) }');
    expect(parseJsonFilterPattern('{($.eventName=DisableKey)||($.eventName=EnableKey)}')).toEqual(spaced);
    expect(parseJsonFilterPattern('  {\n\t$.eventName =DisableKey||$.eventName= EnableKey }  ')).toEqual(spaced);
  });

  test('selector forms', () => {
    expect(parseJsonFilterPattern('{ $.a.b-c_d[0][12].e = x }')).toMatchObject({
      selector: { text: '$.a.b-c_d[0][12].e', path: [{ kind: 'field', name: 'a' }, { kind: 'field', name: 'b-c_d' }, { kind: 'index', index: 0 }, { kind: 'index', index: 12 }, { kind: 'field', name: 'e' }] },
    });
    expect(parseJsonFilterPattern("{ $.['a.b'].c = x }")).toMatchObject({ selector: { path: [{ kind: 'field', name: 'a.b' }, { kind: 'field', name: 'c' }] } });
  });
});

describe('parse errors', () => {
  test.each([
    ['', /enclosed in \{ \}/],
    ['ERROR Exception', /enclosed in \{ \}/],
    ['[ip, user, status_code = 4*]', /enclosed in \{ \}/],
    ['{ }', /expected a property selector/],
    ['{ $.a = x', /expected '\}'/],
    ['{ $.a = x } trailing', /expected the end of the pattern/],
    ['{ ($.a = x }', /expected '\)'/],
    ['{ $.a = x) }', /expected '\}'/],
    ['{ $.a = x && }', /expected a property selector/],
    ['{ $.a = x & $.b = y }', /unexpected character "&"/],
    ['{ $.a == x }', /'=='/],
    ['{ $.a }', /expected =, !=/],
    ['{ $.a = }', /expected a value/],
    ['{ $.a =~ x }', /unexpected character "~"|must be enclosed in double quotes/],
    ['{ a = x }', /expected a property selector/],
    ['{ $ = x }', /starts with '\$\.'/],
    ['{ $.a. = x }', /property name/],
    ['{ $[0] = x }', /must follow a property/],
    ['{ $.a[x] = y }', /\[NUMBER\] or \[\*\]/],
    ['{ $.a = "unterminated }', /unterminated string/],
    ['{ $.a = "back\\slash" }', /backslash/],
    ['{ $.a = arn:aws:kms:us-east-1:111122223333:key/k }', /must be enclosed in double quotes/],
    ['{ $.a = x*y }', /start or end/],
    ['{ $.a > x }', /compares numbers/],
    ['{ $.a > "10" }', /compares numbers/],
    ['{ $.a > 4* }', /compares numbers/],
    ['{ $.a is null }', /expected =, !=/],
    ['{ $.a IS MISSING }', /expected NULL, TRUE or FALSE/],
    ['{ $.a NOT NULL }', /expected EXISTS after NOT/],
    ['{ $.a = %(x)% }', /parentheses/],
    ['{ $.a = %x! % }', /unsupported character/],
    ['{ $.a = %[% }', /invalid regular expression/],
    ['{ $.a = %x }', /unterminated regular expression/],
    ['{ $.a = %x% || $.b = %y% || $.c = %z% }', /two regular expressions/],
  ])('%j is rejected', (pattern, message) => {
    expect(() => parseJsonFilterPattern(pattern)).toThrow(FilterPatternError);
    expect(() => parseJsonFilterPattern(pattern)).toThrow(message);
  });

  test('errors name the offset and the pattern', () => {
    expect(() => parseJsonFilterPattern('{ $.a == x }')).toThrow('at offset 6 in filter pattern "{ $.a == x }"');
  });

  test('matching never swallows a parse error into false', () => {
    expect(() => matches('{ $.a EXISTS }', { a: 1 })).toThrow(FilterPatternError);
  });
});
