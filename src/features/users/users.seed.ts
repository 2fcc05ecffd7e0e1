// Demo organisation: one user per role (and a few more specialists), teams, operators.
import type { SeedContext } from '../../app-context';
import { hashPassword } from './users.service';
import * as repo from './users.repository';
import type { Role } from '../../auth/roles';
import type { Language } from '../../i18n';

export const DEMO_PASSWORD = 'sifat-demo-112';

export const DEMO_USERS: { username: string; displayName: string; role: Role; language: Language; email: string }[] = [
  { username: 'admin', displayName: 'Aziz Karimov', role: 'admin', language: 'uz', email: 'admin@sifat.local' },
  { username: 'specialist', displayName: 'Dilnoza Rahimova', role: 'specialist', language: 'uz', email: 'dilnoza@sifat.local' },
  { username: 'specialist2', displayName: 'Sergey Pak', role: 'specialist', language: 'ru', email: 'sergey@sifat.local' },
  { username: 'specialist3', displayName: 'Gulnora Tursunova', role: 'specialist', language: 'uz', email: 'gulnora@sifat.local' },
  { username: 'supervisor', displayName: 'Bobur Aliyev', role: 'supervisor', language: 'uz', email: 'bobur@sifat.local' },
  { username: 'supervisor2', displayName: 'Elena Kim', role: 'supervisor', language: 'ru', email: 'elena@sifat.local' },
  { username: 'leadership', displayName: 'Rustam Nazarov', role: 'leadership', language: 'uz', email: 'rustam@sifat.local' },
];

const FIRST = ['Jasur', 'Madina', 'Otabek', 'Nilufar', 'Sardor', 'Zarina', 'Bekzod', 'Shahnoza', 'Ulugbek', 'Kamola', 'Anvar', 'Malika', 'Timur', 'Feruza', 'Rustam', 'Lola', 'Islom', 'Sevara', 'Alisher', 'Mohira', 'Daniyar', 'Aigul', 'Ivan', 'Olga'];
const LAST = ['Yusupov', 'Saidova', 'Ergashev', 'Xolmatova', 'Qodirov', 'Abdullayeva', 'Toshmatov', 'Nurmatova', 'Rasulov', 'Mirzayeva', 'Hamidov', 'Usmonova', 'Sharipov', 'Ismoilova', 'Jurayev', 'Aminova', 'Sobirov', 'Karimova', 'Ahmedov', 'Rahmonova', 'Utepov', 'Seitova', 'Petrov', 'Ivanova'];

export async function seedOrganisation(ctx: SeedContext): Promise<void> {
  const { db, config, clock } = ctx;
  const hash = await hashPassword(DEMO_PASSWORD, config.passwordHashRounds);
  const ids: Record<string, number> = {};
  for (const u of DEMO_USERS) ids[u.username] = await repo.insertUser(db, { ...u, passwordHash: hash }, clock);
  const teamA = await repo.insertTeam(db, { name: '1-smena (Toshkent)', supervisorUserId: ids.supervisor }, clock);
  const teamB = await repo.insertTeam(db, { name: '2-smena (Toshkent)', supervisorUserId: ids.supervisor2 }, clock);
  const teamC = await repo.insertTeam(db, { name: 'Hududiy guruh', supervisorUserId: ids.supervisor }, clock);
  const teams = [teamA, teamB, teamC];
  for (let i = 0; i < FIRST.length; i++) {
    const languages = i >= 20 ? (i >= 22 ? ['ru', 'uz'] : ['kaa', 'uz', 'ru']) : i % 3 === 0 ? ['uz', 'ru'] : ['uz'];
    await repo.insertOperator(db, {
      employeeCode: `OP-${String(101 + i)}`,
      fullName: `${FIRST[i]} ${LAST[i]}`,
      teamId: teams[i % 3],
      category: i % 4 === 0 ? 'A2' : 'A1',
      languages,
      isActive: i !== 17,
    }, clock);
  }
  ctx.log(`organisation: ${DEMO_USERS.length} users, ${teams.length} teams, ${FIRST.length} operators`);
}
