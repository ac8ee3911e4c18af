import * as fs from 'fs';
import { NagMessageLevel } from 'cdk-nag';
import { ALL_RULES } from '../../src/nag/rules';
import { RULES_MD, renderRulesMd } from '../../tools/rules-md';

/**
 * RULES.md is generated from the rule files (tools/rules-md.ts): it must be exactly what the
 * generator writes, and every rule's text must be complete.
 */

test('RULES.md is up to date with the rule files (run `npx ts-node --transpile-only tools/rules-md.ts` if not)', () => {
  expect(fs.readFileSync(RULES_MD, 'utf8')).toBe(renderRulesMd());
});

test.each(ALL_RULES.map((r) => [r.name, r] as const))('%s has a section with its level, resources, mirrors, checks and why', (name, rule) => {
  const md = renderRulesMd();
  const start = md.indexOf(`#### KmsGovernance-${name}\n`);
  expect(start).toBeGreaterThan(0);
  const end = md.indexOf('\n#### ', start + 1);
  const section = md.slice(start, end < 0 ? undefined : end);
  const doc = rule.documentation;
  expect(section).toContain(`| Level | ${doc.level === NagMessageLevel.ERROR ? 'Error' : '**Warning**'}`);
  expect(section).toContain(`| Resources | ${doc.resources} |`);
  expect(section).toContain(`| Mirrors | ${doc.mirrors} |`);
  expect(section).toContain(`**Finding.** ${doc.info}`);
  expect(section).toContain(doc.checks);
  expect(section).toContain(`**Why.** ${doc.explanation}`);
  for (const text of [doc.info, doc.explanation, doc.checks, doc.resources, doc.mirrors]) expect(text.trim().length).toBeGreaterThan(10);
});

test('the contents link to every rule section, and every advisory rule is named in the Levels section', () => {
  const md = renderRulesMd();
  for (const rule of ALL_RULES) expect(md).toContain(`](#kmsgovernance-${rule.name.toLowerCase()})`);
  const levels = md.slice(md.indexOf('## Levels'), md.indexOf('## Props'));
  for (const rule of ALL_RULES.filter((r) => r.documentation.level !== NagMessageLevel.ERROR)) expect(levels).toContain(`\`${rule.name}\``);
});
