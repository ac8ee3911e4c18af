/**
 * cfn-lint over every template the tests synthesized (written to $KMSGOV_TEMPLATE_DIR by
 * test/support/stacks.ts), the examples app, and the committed integ snapshots. Fails on any
 * cfn-lint error; prints warnings. cfn-lint itself comes with the machine's Python (cfn-lint 1.x).
 *
 *   npx ts-node --transpile-only tools/cfn-lint.ts
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

function templatesUnder(dir: string, pattern: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('asset.')) out.push(...templatesUnder(p, pattern));
    else if (entry.isFile() && pattern.test(entry.name)) out.push(p);
  }
  return out;
}

function synthesizeExamples(outdir: string): void {
  const result = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(root, 'examples', 'main.ts')], {
    cwd: root,
    env: { ...process.env, CDK_OUTDIR: outdir },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('synthesizing examples/ failed');
}

function main(): void {
  const sources: Record<string, string[]> = {};
  const testDir = process.env.KMSGOV_TEMPLATE_DIR ? path.resolve(root, process.env.KMSGOV_TEMPLATE_DIR) : undefined;
  sources['unit-test stacks'] = testDir ? templatesUnder(testDir, /\.template\.json$/) : [];
  const examplesOut = fs.mkdtempSync(path.join(os.tmpdir(), 'kmsgov-examples-'));
  synthesizeExamples(examplesOut);
  sources.examples = templatesUnder(examplesOut, /\.template\.json$/);
  sources['integ snapshots'] = templatesUnder(path.join(root, 'integ'), /\.template\.json$/).filter((p) => p.includes('.snapshot'));

  // Identical templates (many tests synthesize the same default stack) are linted once. Templates
  // without resources (tests whose construct threw, leaving an empty stack) are not deployable
  // artifacts and are skipped.
  const unique = new Map<string, string>();
  let empty = 0;
  for (const files of Object.values(sources)) {
    for (const f of files) {
      const body = fs.readFileSync(f);
      if (Object.keys(JSON.parse(body.toString('utf8')).Resources ?? {}).length === 0) {
        empty++;
        continue;
      }
      unique.set(createHash('sha256').update(body).digest('hex'), f);
    }
  }
  const files = [...unique.values()];
  for (const [name, list] of Object.entries(sources)) console.log(`cfn-lint: ${list.length} templates from ${name}`);
  if (sources['unit-test stacks'].length === 0) {
    throw new Error('no unit-test templates found: run jest with KMSGOV_TEMPLATE_DIR set (npm test does)');
  }
  console.log(`cfn-lint: ${files.length} distinct templates (${empty} without resources skipped)`);

  const started = Date.now();
  const result = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`cfn-lint could not run (${result.error.message}); it ships with the machine's Python 3.11`);
  const lines = (result.stdout ?? '').split('\n').filter(Boolean);
  const errors = lines.filter((l) => /:E\d{4}:/.test(l));
  const warnings = lines.filter((l) => /:W\d{4}:/.test(l));
  const byRule = new Map<string, number>();
  for (const w of warnings) {
    const rule = /:(W\d{4}):/.exec(w)![1];
    byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
  }
  console.log(`cfn-lint: ${errors.length} errors, ${warnings.length} warnings (${[...byRule].map(([r, n]) => `${r}×${n}`).join(', ') || 'none'}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const e of errors) console.error(e);
  // cfn-lint's exit code is a bit field: 2 errors, 4 warnings, 8 informational; 1 a failure of its own.
  if (errors.length > 0 || (result.status ?? 1) % 4 !== 0) process.exit(1);
}

main();
