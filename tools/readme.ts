/**
 * The README sections generated from data, so that they are written once: the service-integration
 * contract (src/private/service-contract.ts) and the AWS Control Tower controls
 * (src/private/control-tower.ts). `npx ts-node --transpile-only tools/readme.ts` rewrites them between
 * their markers; test/readme.test.ts fails when README.md is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONTROL_TOWER_CONTROLS } from '../src/private/control-tower';
import { SERVICE_INTEGRATIONS } from '../src/private/service-contract';

export const README = path.join(__dirname, '..', 'README.md');

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string) => `\`${s}\``;

/** The contract table. */
export function contractSection(): string {
  const rows = SERVICE_INTEGRATIONS.map((i) => {
    const refs = [...new Set(i.references.map((r) => `${r.type} ${r.path}`))].map(code).join('<br>');
    const via = i.viaService
      ? `${i.viaService.actions.map(code).join(', ')}${i.viaService.grants ? ', and `kms:CreateGrant` for AWS resources' : ''} through ${code(`${i.viaService.endpoint}.<region>.amazonaws.com`)} (${code(i.viaService.sid)})`
      : '—';
    const sp = i.servicePrincipal
      ? `${code(i.servicePrincipal.principal.replace('{region}', '<region>'))}: ${i.servicePrincipal.actions.map(code).join(', ')} with ` +
        Object.entries(i.servicePrincipal.conditions).flatMap(([, kv]) => Object.keys(kv)).map(code).join(', ') + ` (${code(i.servicePrincipal.sid)})`
      : '—';
    const docs = i.docs.map((d, n) => `[${n + 1}](${d})`).join(' ');
    return `| ${cell(i.service)} | ${cell(refs)} | ${cell(via)} | ${cell(sp)} | ${cell(i.runtime)} | ${cell(i.notes ?? '')} ${docs} |`;
  });
  return [
    '| Service | CloudFormation property | Through the service: principals of the key\'s account (`kms:ViaService`, `kms:CallerAccount`) | Service principal | Users of the resource | Notes and AWS documentation |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The Control Tower table. */
export function controlTowerSection(): string {
  return [
    '| Control | Requires | How it is met | By default |',
    '|---|---|---|---|',
    ...CONTROL_TOWER_CONTROLS.map((c) => `| ${c.control} | ${cell(c.requires)} | ${cell(c.met)} | ${c.byDefault ? 'yes' : '**no: set the prop**'} |`),
  ].join('\n');
}

/** The sections, by marker name. */
export const SECTIONS: Record<string, () => string> = { 'contract': contractSection, 'control-tower': controlTowerSection };

/** README with every generated section replaced. */
export function render(readme: string): string {
  let out = readme;
  for (const [name, make] of Object.entries(SECTIONS)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} markers`);
    out = `${out.slice(0, i + start.length)}\n${make()}\n${out.slice(j)}`;
  }
  return out;
}

if (require.main === module) {
  fs.writeFileSync(README, render(fs.readFileSync(README, 'utf8')));
  process.stdout.write(`rewrote ${Object.keys(SECTIONS).join(', ')} in README.md\n`);
}
