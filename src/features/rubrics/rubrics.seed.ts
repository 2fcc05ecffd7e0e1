// Demo rubrics beside the default one (which bootstrap creates): a rubric for medical calls with a
// version history (v1 retired, v2 published, v3 a draft in progress) and a draft-only rubric for
// the 1146 support line, built through the same service steps an administrator's clicks take.
import type { SeedContext } from '../../app-context';
import { findUserByUsername } from '../users/users.repository';
import type { Criterion } from './rubric.model';
import * as service from './rubrics.service';

const DAY = 86_400_000;

const INFO_6: Criterion = {
  code: 'INFO-6',
  text: {
    uz: "Bemorning yoshi, hushi va nafas olishi aniqlandi",
    ru: 'Выяснены возраст пациента, сознание и дыхание',
    en: "Patient's age, consciousness and breathing established",
  },
  guidance: {
    uz: "Tez yordam brigadasi uchun asosiy savollar: bemor necha yoshda, hushidami, nafas olyaptimi. Ular kartada qayd etilganini tekshiring.",
    ru: 'Ключевые вопросы для бригады скорой помощи: сколько лет пациенту, в сознании ли он, дышит ли. Проверьте, что ответы внесены в карточку.',
    en: 'The key questions for the ambulance crew: how old the patient is, whether they are conscious and breathing. Check the answers are on the card.',
  },
  points: 10, answerType: 'yesno', naAllowed: false, critical: false,
  errorCategory: 'information', defaultSeverity: 'major', standardRef: 'A2.02.3',
};

const HELP_5: Criterion = {
  code: 'HELP-5',
  text: {
    uz: "Fuqaroga brigadani kutib olish (eshikni ochish, yo'lni ko'rsatish) tushuntirildi",
    ru: 'Заявителю объяснено, как встретить бригаду (открыть дверь, показать дорогу)',
    en: 'Caller told how to meet the crew (unlock the door, show the way)',
  },
  guidance: {
    uz: "Ko'p qavatli uylar va qishloq joylarda brigada vaqtini yo'qotmasligi uchun kim va qayerda kutib olishi kelishilganini tekshiring.",
    ru: 'В многоэтажках и сельской местности проверьте, договорились ли, кто и где встретит бригаду, чтобы она не теряла время.',
    en: 'In blocks of flats and villages, check it was agreed who meets the crew and where, so it loses no time.',
  },
  points: 5, answerType: 'yesno', naAllowed: true, critical: false,
  errorCategory: 'help', defaultSeverity: 'minor', standardRef: 'A2.02.3',
};

export async function seedDemoRubrics(ctx: SeedContext): Promise<void> {
  const admin = await findUserByUsername(ctx.db, 'admin');
  const actorId = admin?.id ?? null;
  const at = (daysAgo: number) => () => new Date(ctx.clock().getTime() - daysAgo * DAY);
  const rubrics = await service.listRubricsFor(ctx.db, 'admin');
  const standard = rubrics.find((r) => r.isDefault);
  if (!standard) return;

  // Medical calls: v1 a copy of the standard, v2 adds INFO-6, v3 (draft) adds HELP-5.
  const medical = await service.copyRubric(ctx.db, standard.id, "Tibbiy chaqiruvlar (103) uchun baholash shakli", { actorId, clock: at(75) });
  await service.updateRubricSettings(ctx.db, medical.rubricId, {
    name: "Tibbiy chaqiruvlar (103) uchun baholash shakli",
    description: "Tez tibbiy yordam chaqiruvlari uchun: standart shaklga bemor holatini aniqlash mezoni qo'shilgan.",
    callCategory: 'medical', isDefault: '',
  }, { actorId, clock: at(75) });
  await service.publishDraft(ctx.db, medical.rubricId, medical.versionId, { actorId, clock: at(74) });
  const v2 = await service.openDraft(ctx.db, medical.rubricId, { actorId, clock: at(30) });
  await service.editDraft(ctx.db, medical.rubricId, v2.versionId, { op: 'addCriterion', sectionKey: 'information', criterion: { ...INFO_6 } }, { actorId, clock: at(30) });
  await service.publishDraft(ctx.db, medical.rubricId, v2.versionId, { actorId, clock: at(29) });
  const v3 = await service.openDraft(ctx.db, medical.rubricId, { actorId, clock: at(2) });
  await service.editDraft(ctx.db, medical.rubricId, v3.versionId, { op: 'addCriterion', sectionKey: 'help', criterion: { ...HELP_5 } }, { actorId, clock: at(2) });

  // The 1146 line: a draft being shaped from the standard (no routing or card checks there).
  const line = await service.copyRubric(ctx.db, standard.id, "Ishonch telefoni (1146) uchun shakl", { actorId, clock: at(5) });
  await service.updateRubricSettings(ctx.db, line.rubricId, {
    name: "Ishonch telefoni (1146) uchun shakl",
    description: "Xotin-qizlarni qo'llab-quvvatlash liniyasi uchun loyiha: yo'naltirish va karta bo'limlari olib tashlangan.",
    callCategory: 'domestic_violence', isDefault: '',
  }, { actorId, clock: at(5) });
  for (const key of ['routing', 'card']) {
    await service.editDraft(ctx.db, line.rubricId, line.versionId, { op: 'removeSection', key }, { actorId, clock: at(4) });
  }
  ctx.log('rubrics: medical rubric with three versions, a draft rubric for the 1146 line');
}
