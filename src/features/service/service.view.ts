// Assembles everything one Service view shows — scope, sums, names, figures, tables and charts —
// for the page, the workbook, the CSV downloads and the reports export. No req/res here.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Language, Translate } from '../../i18n';
import * as reportsRepo from '../reports/reports.repository';
import { regionName } from '../reports/report-tables';
import { activeBindings } from '../checks/checks.repository';
import { buildServiceModel, type ServiceModel, type StandardName } from './service-model';
import { serviceCharts } from './service-charts';
import { serviceTables, type ServiceTable } from './service-tables';
import { resolveServiceScope, serviceSettings, servicePeriodSums, type ResolvedServiceScope, type ServiceScope, type Viewer } from './service.service';
import type { ServiceQuery } from './service.schema';
import type { ChartSpec } from '../reports/dashboard-view';

export interface ServiceView {
  resolved: ResolvedServiceScope;
  model: ServiceModel;
  tables: ServiceTable[];
  charts: Record<string, ChartSpec>;
  filterLabels: { team: string | null; region: string | null; category: string | null; language: string | null };
  /** today shown from sums counted at this instant (a busy today within its grace), else null */
  todayAsOf: string | null;
}

export interface ViewContext {
  t: Translate;
  lang: Language;
  clock: () => Date;
}

/** The figures, tables and charts of a scope already resolved (also what the reports export adds as sheets). */
export async function serviceViewOf(db: Knex, config: Pick<Config, 'service'>, resolved: ResolvedServiceScope, standard: StandardName, ctx: ViewContext): Promise<Omit<ServiceView, 'resolved'>> {
  const settings = serviceSettings(config);
  const { sums, todayAsOf } = await servicePeriodSums(db, resolved.scope, settings, ctx.clock);
  const operatorIds = [...sums.operators.keys()].filter((k): k is number => typeof k === 'number');
  const [operators, teams, bindings] = await Promise.all([reportsRepo.operators(db, operatorIds), reportsRepo.teams(db), activeBindings(db)]);
  const f = resolved.filters;
  const filterLabels = {
    team: f.teamId === null ? null : (teams.find((x) => x.id === f.teamId)?.name ?? null),
    region: f.regionId === null ? null : regionName(resolved.regionOptions.find((x) => x.id === f.regionId), ctx.lang, ctx.t),
    category: f.category === null ? null : ctx.t(`calls.category.${f.category}`, { defaultValue: f.category }),
    language: f.language === null ? null : ctx.t(`calls.language.${f.language}`, { defaultValue: f.language }),
  };
  const model = buildServiceModel({
    sums,
    period: resolved.scope,
    thresholds: settings.answerSeconds,
    callbackMinutes: settings.callbackMinutes,
    standard,
    teamScoped: resolved.teamScoped,
    operatorsShown: resolved.scope.regionId === null && resolved.scope.category === null && resolved.scope.language === null,
    operators,
    teamNames: new Map(teams.map((x) => [x.id, x.name])),
    regions: resolved.regionOptions,
    operatorTeamFilter: resolved.wholeService ? resolved.ownTeamIds : null,
    bindings: bindings.map((b) => ({ key: b.key, binding: b.binding, codes: [...new Set(b.uses.map((u) => u.code))] })),
    t: ctx.t,
    lang: ctx.lang,
  });
  const tables = serviceTables(model, { t: ctx.t, lang: ctx.lang, filterLabels, generatedAt: ctx.clock() });
  return { model, tables, charts: serviceCharts(model, ctx.t), filterLabels, todayAsOf };
}

export async function buildServiceView(db: Knex, config: Pick<Config, 'service'>, viewer: Viewer, q: ServiceQuery, ctx: ViewContext): Promise<ServiceView> {
  const resolved = await resolveServiceScope(db, viewer, q.filters, { wholeService: q.wholeService });
  return { resolved, ...(await serviceViewOf(db, config, resolved, q.standard, ctx)) };
}

/**
 * The Service sheets for the reports workbook (/reports/export.xlsx), over the dashboard's scope:
 * its period and filters, and a supervisor's teams.
 */
export async function serviceSheetsForReport(db: Knex, config: Pick<Config, 'service'>, scope: ServiceScope & { filters: ServiceQuery['filters'] }, ctx: ViewContext): Promise<ServiceTable[]> {
  const [teamOptions, regionOptions] = await Promise.all([reportsRepo.teams(db), reportsRepo.regions(db)]);
  const resolved: ResolvedServiceScope = {
    scope,
    filters: scope.filters,
    teamOptions,
    regionOptions,
    categoryOptions: [],
    ownTeamIds: null,
    teamScoped: scope.teamIds !== null,
    wholeService: false,
  };
  return (await serviceViewOf(db, config, resolved, config.service.standard, ctx)).tables;
}
