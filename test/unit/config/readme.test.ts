import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../../src/config';
import { settingsTable } from '../../../scripts/settings-table';

describe('the README', () => {
  const readme = fs.readFileSync(path.join(ROOT_DIR, 'README.md'), 'utf8');

  it('opens with the two commands', () => {
    const firstCode = /```(?:bash|sh)?\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstCode).to.contain('npm install && npm start');
    expect(firstCode).to.contain('npm test');
  });

  it('lists every setting with its default, as src/config.ts defines them', () => {
    expect(readme).to.contain(settingsTable());
  });
});
