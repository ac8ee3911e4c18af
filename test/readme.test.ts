import * as fs from 'fs';
import { README, render } from '../tools/readme';

test('the README sections generated from data are current (run `npx ts-node --transpile-only tools/readme.ts`)', () => {
  const readme = fs.readFileSync(README, 'utf8');
  expect(render(readme)).toEqual(readme);
});
