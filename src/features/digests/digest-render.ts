// A digest snapshot rendered in a language: the e-mail (summary in the body) and the Excel workbook
// (the full list). The page renders the same snapshot through its view.
import ExcelJS from 'exceljs';
import { formatters, pickLocalized, translator, type Language, type Translate } from '../../i18n';
import type { DigestContent, DigestScope } from './digest-content';
import { PRINT_SETUP } from '../reports/report-writers';

/** "Bobur Aliyev's teams", "Team: 1-smena", "The whole centre". */
export function scopeLabel(scope: Pick<DigestScope, 'type' | 'name'>, t: Translate): string {
  return t(`digests.scope.${scope.type}`, { name: scope.name ?? '—' });
}

export interface DigestEmail {
  subject: string;
  text: string;
}

/** The e-mail to the supervisor: the summary in the body, in their language; the list is attached. */
export function composeDigestEmail(content: DigestContent, lang: Language, digestUrl: string): DigestEmail {
  const t = translator(lang);
  const fmt = formatters(lang);
  const h = content.header;
  const s = content.summary;
  const from = fmt.date(h.periodStart);
  const to = fmt.date(h.periodEnd);
  const scope = scopeLabel(content.header.scope, t);
  const lines: string[] = [];
  lines.push(h.recipientName ? t('digests.mail.greeting', { name: h.recipientName }) : t('digests.mail.greetingNoName'), '');
  lines.push(t('digests.mail.intro', { from, to, scope }), '');
  lines.push(t('digests.mail.evaluations', { count: s.evaluations }));
  lines.push(t('digests.mail.average', { score: fmt.number(s.averageScore, 1) }));
  lines.push(t('digests.mail.critical', { count: s.criticalFailures }));
  lines.push(t('digests.mail.errors', { count: s.errors }));
  if (!s.errors) {
    lines.push('', t('digests.mail.noErrors'));
  } else {
    lines.push('', t('digests.mail.byCategory'));
    for (const c of s.byCategory) lines.push(`  • ${t(`errors.category.${c.category}`)}: ${c.count}`);
    lines.push('', t('digests.mail.byOperator'));
    for (const op of content.operators) lines.push(`  • ${op.name ?? t('digests.doc.noOperator')}${op.code ? ` (${op.code})` : ''}: ${op.errors.length}`);
    lines.push('', t('digests.mail.attachment'));
  }
  lines.push(t('digests.mail.openInApp', { url: digestUrl }), '', '—', t('digests.mail.signature'));
  return { subject: t('digests.mail.subject', { scope, from, to }), text: lines.join('\n') };
}

/** A file name for the workbook, ASCII only so every mail client keeps it. */
export function workbookFileName(content: Pick<DigestContent, 'header'>, lang: Language): string {
  const t = translator(lang);
  return `${t('digests.xlsx.fileBase')}-${content.header.periodStart}-${content.header.periodEnd}.xlsx`;
}

/**
 * The workbook: a summary sheet and one row per error (operator, call time, criterion, comment,
 * moment, and a link that opens the recording there). Headers in the recipient's language.
 */
export async function buildDigestWorkbook(content: DigestContent, lang: Language): Promise<Buffer> {
  const t = translator(lang);
  const fmt = formatters(lang);
  const h = content.header;
  const s = content.summary;
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Sifat';
  wb.created = new Date(h.generatedAt);

  const summary = wb.addWorksheet(t('digests.xlsx.summarySheet').slice(0, 31), { pageSetup: { ...PRINT_SETUP, orientation: 'portrait', printTitlesRow: undefined } });
  summary.columns = [{ width: 34 }, { width: 48 }];
  const title = summary.addRow([t('digests.doc.service')]);
  title.font = { bold: true, size: 13 };
  summary.addRow([t('digests.doc.title'), scopeLabel(content.header.scope, t)]).font = { bold: true };
  summary.addRow([t('digests.doc.period'), `${fmt.date(h.periodStart)} – ${fmt.date(h.periodEnd)}`]);
  summary.addRow([t('digests.doc.preparedBy'), h.preparedBy ?? t('digests.doc.bySchedule')]);
  summary.addRow([t('digests.doc.generatedAt'), fmt.dateTime(h.generatedAt)]);
  summary.addRow([]);
  summary.addRow([t('digests.summary.evaluations'), s.evaluations]);
  summary.addRow([t('digests.summary.averageScore'), s.averageScore ?? '—']);
  summary.addRow([t('digests.summary.criticalFailures'), s.criticalFailures]);
  summary.addRow([t('digests.summary.errors'), s.errors]);
  summary.addRow([t('digests.summary.operatorsWithErrors'), s.operatorsWithErrors]);
  summary.addRow([]);
  summary.addRow([t('digests.summary.byCategory')]).font = { bold: true };
  if (!s.byCategory.length) summary.addRow([t('digests.doc.noErrors')]);
  for (const c of s.byCategory) summary.addRow([t(`errors.category.${c.category}`), c.count]);

  const sheet = wb.addWorksheet(t('digests.xlsx.errorsSheet').slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }], pageSetup: PRINT_SETUP });
  sheet.columns = [
    { header: t('digests.xlsx.col.operator'), key: 'operator', width: 26 },
    { header: t('digests.xlsx.col.code'), key: 'code', width: 10 },
    { header: t('digests.xlsx.col.team'), key: 'team', width: 20 },
    { header: t('digests.xlsx.col.callTime'), key: 'callTime', width: 18 },
    { header: t('digests.xlsx.col.criterion'), key: 'criterion', width: 10 },
    { header: t('digests.xlsx.col.criterionText'), key: 'criterionText', width: 48 },
    { header: t('digests.xlsx.col.category'), key: 'category', width: 20 },
    { header: t('digests.xlsx.col.severity'), key: 'severity', width: 12 },
    { header: t('digests.xlsx.col.comment'), key: 'comment', width: 48 },
    { header: t('digests.xlsx.col.moment'), key: 'moment', width: 10 },
    { header: t('digests.xlsx.col.link'), key: 'link', width: 16 },
  ];
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columns.length } };
  for (const op of content.operators) {
    for (const e of op.errors) {
      const row = sheet.addRow({
        operator: op.name ?? t('digests.doc.noOperator'),
        code: op.code ?? '',
        team: op.teamName ?? '',
        callTime: e.callStartedAt ? fmt.dateTime(e.callStartedAt) : fmt.date(e.errorDate),
        criterion: e.criterionCode ?? '',
        criterionText: e.criterionCode ? pickLocalized(content.criteria?.[e.criterionCode], lang) : t('errors.source.mark'),
        category: t(`errors.category.${e.category}`),
        severity: t(`errors.severity.${e.severity}`),
        comment: e.comment ?? '',
        moment: e.atSec == null ? '' : fmt.duration(e.atSec),
      });
      row.getCell('link').value = { text: t('digests.xlsx.listen'), hyperlink: e.link };
      row.getCell('link').font = { color: { argb: 'FF0F5C8C' }, underline: true };
      row.alignment = { vertical: 'top', wrapText: true };
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
