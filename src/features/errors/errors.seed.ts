// Demo: the evaluations seed has turned failed criteria into errors; here supervisors have
// already worked on some of them, so the inbox shows every stage (and some overdue actions).
import type { SeedContext } from '../../app-context';
import { addDays, daysBetween, tashkentToUtc, tashkentToday } from '../../time';
import type { ActionType } from './error-status';
import * as repo from './errors.repository';

// Written by the supervisor, so in the supervisor's language.
const ACTION_NOTES: Record<'uz' | 'ru', Record<ActionType, string>> = {
  uz: {
    conversation: "Operator bilan yozuv birga tinglandi, skript bo'yicha suhbat o'tkazildi.",
    training: "Manzilni aniqlash bo'yicha qisqa mashg'ulotga yozildi.",
    written_warning: 'Takroriy kamchilik uchun yozma ogohlantirish berildi.',
    other: "Navbatchilik boshlig'i bilan kelishilgan holda qayta attestatsiya rejalashtirildi.",
  },
  ru: {
    conversation: 'Прослушали запись вместе с оператором, разобрали скрипт разговора.',
    training: 'Записан на короткое занятие по уточнению адреса.',
    written_warning: 'За повторную ошибку вынесено письменное предупреждение.',
    other: 'По согласованию с начальником смены назначена повторная аттестация.',
  },
};
const RESOLUTIONS = {
  uz: "Holat navbatchilik boshlig'i bilan ko'rib chiqildi. Operatorga bunday chaqiruvlarda supervayzerni darhol ulash tartibi tushuntirildi, yo'riqnomaga izoh qo'shildi.",
  ru: 'Случай разобран с начальником смены. Оператору объяснён порядок немедленного подключения супервайзера в таких вызовах, в инструкцию добавлено примечание.',
};
const ACTION_ORDER: ActionType[] = ['conversation', 'training', 'conversation', 'written_warning', 'training', 'other'];

/** A stable 0..99 for an id, so the demo is the same on every start. */
function bucket(id: number): number {
  return (id * 2654435761) % 4294967296 % 100;
}

/** An instant `days` after a Tashkent day at a given time, never after now. */
function at(day: string, days: number, time: string, nowIso: string): string {
  const iso = tashkentToUtc(addDays(day, days), time).toISOString();
  return iso < nowIso ? iso : nowIso;
}

export async function seedErrors(ctx: SeedContext): Promise<void> {
  const { db, clock } = ctx;
  const today = tashkentToday(clock);
  const nowIso = clock().toISOString();
  const admin = await db('users').where({ role: 'admin' }).orderBy('id').first('id');
  const { rows } = await repo.listErrors(db, { kind: 'all' }, { status: 'new' }, { limit: 100000, offset: 0 });
  const languages = await repo.userLanguages(db, rows.map((e) => e.teamSupervisorId).filter((id): id is number => id != null));
  const langOf = (userId: number) => (languages.get(userId) === 'ru' ? 'ru' : 'uz');
  const moved = { acknowledged: 0, action_recorded: 0, closed: 0 };
  for (const e of rows) {
    const actor = e.teamSupervisorId ?? admin?.id;
    if (!actor) continue;
    const age = daysBetween(e.errorDate, today);
    const b = bucket(e.id);
    // Older errors are further along; the last three days mostly wait for the supervisor.
    const target = age >= 10 ? (b < 65 ? 'closed' : b < 88 ? 'action_recorded' : 'acknowledged')
      : age >= 4 ? (b < 30 ? 'closed' : b < 70 ? 'action_recorded' : 'acknowledged')
      : age >= 1 ? (b < 45 ? 'acknowledged' : 'new')
      : 'new';
    if (target === 'new') continue;
    const patch: Record<string, unknown> = { status: target, acknowledged_by: actor, acknowledged_at: at(e.errorDate, 1, '09:20', nowIso) };
    if (target === 'action_recorded' || target === 'closed') {
      const type = ACTION_ORDER[b % ACTION_ORDER.length];
      // Due a week after the action: errors older than ~9 days with an open action are overdue.
      Object.assign(patch, { action_type: type, action_note: ACTION_NOTES[langOf(actor)][type], action_due: addDays(e.errorDate, 2 + 7), action_by: actor, action_at: at(e.errorDate, 2, '11:05', nowIso) });
    }
    if (target === 'closed') Object.assign(patch, { closed_by: actor, closed_at: at(e.errorDate, 8, '16:40', nowIso) });
    if (await repo.updateErrorStatus(db, e.id, 'new', patch, nowIso)) moved[target]++;
  }
  // One flagged complex case already resolved, so the page shows both kinds.
  const open = await repo.listComplexCases(db, { kind: 'all' }, { resolved: false });
  const oldest = open[open.length - 1];
  if (oldest?.teamSupervisorId) {
    await repo.resolveComplexCase(db, oldest.evaluationId, RESOLUTIONS[langOf(oldest.teamSupervisorId)], oldest.teamSupervisorId, nowIso);
  }
  ctx.log(`errors: ${rows.length} new at start; acknowledged ${moved.acknowledged}, action recorded ${moved.action_recorded}, closed ${moved.closed}`);
}
