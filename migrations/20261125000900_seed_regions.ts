// The 14 regions of Uzbekistan are reference data every deployment needs, not demo data.
import type { Knex } from 'knex';

const REGIONS: [string, string, string, string][] = [
  ['QR', "Qoraqalpog'iston Respublikasi", 'Республика Каракалпакстан', 'Republic of Karakalpakstan'],
  ['AN', 'Andijon viloyati', 'Андижанская область', 'Andijan Region'],
  ['BU', 'Buxoro viloyati', 'Бухарская область', 'Bukhara Region'],
  ['JI', 'Jizzax viloyati', 'Джизакская область', 'Jizzakh Region'],
  ['QA', 'Qashqadaryo viloyati', 'Кашкадарьинская область', 'Kashkadarya Region'],
  ['NV', 'Navoiy viloyati', 'Навоийская область', 'Navoiy Region'],
  ['NG', 'Namangan viloyati', 'Наманганская область', 'Namangan Region'],
  ['SA', 'Samarqand viloyati', 'Самаркандская область', 'Samarkand Region'],
  ['SU', 'Surxondaryo viloyati', 'Сурхандарьинская область', 'Surkhandarya Region'],
  ['SI', 'Sirdaryo viloyati', 'Сырдарьинская область', 'Syrdarya Region'],
  ['TO', 'Toshkent viloyati', 'Ташкентская область', 'Tashkent Region'],
  ['FA', "Farg'ona viloyati", 'Ферганская область', 'Fergana Region'],
  ['XO', 'Xorazm viloyati', 'Хорезмская область', 'Khorezm Region'],
  ['TK', 'Toshkent shahri', 'город Ташкент', 'Tashkent City'],
];

export async function up(knex: Knex): Promise<void> {
  await knex('regions').insert(REGIONS.map(([code, uz, ru, en]) => ({ code, name_uz: uz, name_ru: ru, name_en: en })));
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
