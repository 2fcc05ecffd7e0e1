// "Critical" is one notion in every language: an evaluation that failed a critical criterion is a
// critical failure, called the same on the home page, the dashboard, the workbook, the operator's
// page and the evaluation itself — and never by the word a language uses for a "major" error.
import { expect } from 'chai';
import { LANGUAGES, translator } from '../../../src/i18n';

describe('the word for a critical failure', () => {
  for (const lang of LANGUAGES) {
    const t = translator(lang);
    it(`is the same everywhere in ${lang}, and is not the word for "major"`, () => {
      const one = ['evaluations.result.critical_fail', 'reports.band.critical_fail', 'errors.band.critical_fail', 'rubrics.preview.band.critical_fail', 'reports.col.criticalFailure'].map((k) => t(k));
      expect(new Set(one).size, one.join(' | ')).to.equal(1);
      const many = ['home.summary.critical', 'reports.stats.criticalFailures', 'reports.summary.criticalFailures', 'reports.col.criticalFailures', 'errors.operator.criticalFailures'].map((k) => t(k));
      expect(new Set(many).size, many.join(' | ')).to.equal(1);
      const major = t('evaluations.severity.major').toLowerCase();
      for (const label of [...one, ...many]) expect(label.toLowerCase()).not.to.contain(major);
      // The severity "critical" of an error is named alike on the evaluation page and in the reports.
      expect(t('evaluations.severity.critical')).to.equal(t('reports.severity.critical'));
    });
  }
});
