import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { formatters, translator } from '../../../src/i18n';
import { ERROR_TRANSITIONS } from '../../../src/features/errors/error-status';
import { actionKey, actionLabel, auditLines, detailsText, entityHref } from '../../../src/features/users/audit-view';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Every action name the code writes to the audit log (string literals after `action:` in files that call audit()). */
function auditedActions(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const src = fs.readFileSync(p, 'utf8');
        if (!/\baudit\(/.test(src)) continue;
        for (const m of src.matchAll(/\baction:([^\n]*)/g)) for (const q of m[1]!.matchAll(/'([a-z][a-zA-Z]*(?:\.[a-zA-Z]+)+)'/g)) out.add(q[1]!);
        if (src.includes('action: `error.${transition}`')) for (const tr of ERROR_TRANSITIONS) out.add(`error.${tr}`);
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return out;
}

describe('users/audit-view: the audit log as people read it', () => {
  const en = translator('en');
  const fmt = formatters('en');

  it('has a name in every language for every action the code writes to the log (new actions need one too)', () => {
    const actions = auditedActions();
    expect(actions.size).to.be.greaterThan(40);
    const missing: string[] = [];
    for (const lang of ['uz', 'ru', 'en'] as const) {
      const t = translator(lang);
      for (const a of actions) if (t(actionKey(a)) === actionKey(a)) missing.push(`${lang}: ${a}`);
    }
    expect(missing).to.deep.equal([]);
  });

  it('names an action in the reader\'s language, and shows a code it has no name for as it is', () => {
    expect(actionLabel(en, 'recording.play')).to.equal('Recording listened to');
    expect(actionLabel(translator('ru'), 'evaluation.submit')).to.equal('Оценка сдана');
    expect(actionLabel(en, 'something.new')).to.equal('something.new');
  });

  it('links an object to its page where it has one', () => {
    expect(entityHref('call', '12')).to.equal('/calls/12');
    expect(entityHref('evaluation', '7')).to.equal('/evaluations/7');
    expect(entityHref('user', '3')).to.equal('/admin/users/3/edit');
    expect(entityHref('plan_rules', '3')).to.equal(null);
    expect(entityHref('call', '../x')).to.equal(null);
  });

  it('writes the details as text, not JSON: names, yes/no, dates and numbers in the reader\'s format', () => {
    const text = detailsText(en, fmt, { callId: 12, score: 94.44, heardShare: 0.8, complexCase: false, from: '2026-12-01', at: '2026-12-06T23:30:00Z', rendition: true });
    expect(text).to.equal('Call: 12; Score: 94.4; Heard: 80 %; Complex case: No; From: 01.12.2026; at: 07.12.2026, 04:30; Browser copy: Yes');
    expect(text).not.to.contain('{');
  });

  it('shows who by display name with a link, or the system when nobody signed in did it', () => {
    const lines = auditLines(
      [
        { id: 2, at: '2026-12-07T05:00:00Z', userId: 5, username: 'dilnoza', action: 'recording.play', entityType: 'call', entityId: '12', subject: null, ip: '10.0.0.5', details: { recordingId: 3 } },
        { id: 1, at: '2026-12-07T04:00:00Z', userId: null, username: null, action: 'digest.send', entityType: 'digest', entityId: '4', subject: null, ip: null, details: null },
      ],
      new Map([[5, 'Dilnoza Rahimova']]),
      en,
      fmt,
    );
    expect(lines[0]).to.deep.include({ user: { name: 'Dilnoza Rahimova', href: '/admin/users/5/edit' }, actionLabel: 'Recording listened to', entity: { label: 'Call #12', href: '/calls/12' }, details: 'Recording: 3' });
    expect(lines[1]!.user).to.equal(null);
    expect(lines[1]!.entity).to.deep.equal({ label: 'Digest #4', href: '/digests/4' });
  });
});
