// The admin command line: `npm run cli -- <command>`. Same services as the web; clear errors, non-zero exit.
import { Command, CommanderError } from 'commander';
import { loadConfig, ConfigError, Config } from './config';
import { createRuntime, Runtime } from './runtime';
import { createDb, migrate } from './db';
import { ValidationError, AppError } from './http/errors';
import { translator } from './i18n';
import { createUser, resetPassword } from './features/users/users.service';
import { findUserByUsername } from './features/users/users.repository';
import { FEATURES } from './features';
import { seedDemoIfEmpty } from './seed/demo';
import { createLogger } from './logger';

const t = translator('en');

export class CliError extends Error {}

function describe(e: unknown): string {
  if (e instanceof ValidationError) return e.fields.map((f) => `${f.field}: ${t(f.key, f.params)}`).join('\n');
  if (e instanceof AppError) return t(e.key, e.params);
  return (e as Error).message ?? String(e);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function buildProgram(config: Config, out: (s: string) => void = (s) => process.stdout.write(s)): { program: Command; close(): Promise<void> } {
  let rt: Runtime | null = null;
  const runtime = async () => (rt ??= await createRuntime(config, { logger: createLogger('warn') }));
  const program = new Command('sifat').description('Sifat administration').exitOverride().showHelpAfterError();

  program.command('migrate').description('run the database migrations').action(async () => {
    // Only the database: features' start-up work needs the migrated schema.
    const db = createDb(config);
    try {
      const applied = await migrate(db);
      out(applied.length ? `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}\n` : 'The database is up to date.\n');
    } finally {
      await db.destroy();
    }
  });

  program
    .command('create-user')
    .description('create a user (e.g. the first administrator)')
    .requiredOption('--username <name>', 'user name')
    .requiredOption('--role <role>', 'admin | specialist | supervisor | leadership | operator')
    .option('--name <display name>', 'full name (defaults to the user name)')
    .option('--email <email>', 'e-mail address', '')
    .option('--language <code>', 'uz | ru | en', 'uz')
    .option('--password <password>', 'password (prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (o) => {
      const password = o.passwordStdin ? await readStdin() : o.password;
      if (!password) throw new CliError('A password is required: --password-stdin (recommended) or --password.');
      const r = await runtime();
      const id = await createUser(r.db, { username: o.username, displayName: o.name ?? o.username, email: o.email, role: o.role, language: o.language, password }, { rounds: config.passwordHashRounds });
      out(`Created user ${o.username} (id ${id}, role ${o.role}).\n`);
    });

  program
    .command('reset-password')
    .description("reset a user's password")
    .argument('<username>')
    .option('--password <password>', 'new password (prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (username: string, o) => {
      const password = o.passwordStdin ? await readStdin() : o.password;
      if (!password) throw new CliError('A password is required: --password-stdin (recommended) or --password.');
      const r = await runtime();
      const user = await findUserByUsername(r.db, username);
      if (!user) throw new CliError(`No user named "${username}".`);
      await resetPassword(r.db, user.id, password, { rounds: config.passwordHashRounds, actorId: null });
      out(`Password reset for ${username}.\n`);
    });

  program.command('seed-demo').description('seed demo data into an empty database').action(async () => {
    const r = await runtime();
    const done = await seedDemoIfEmpty({ ...r, config: { ...r.config, demoMode: true } }, FEATURES, (m) => out(`${m}\n`));
    out(done ? 'Demo data seeded.\n' : 'The database is not empty: nothing seeded.\n');
  });

  for (const f of FEATURES) f.cli?.(program, runtime);

  return { program, close: async () => { if (rt) await rt.close(); } };
}

export async function runCli(argv: string[], config: Config, out?: (s: string) => void, err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const { program, close } = buildProgram(config, out);
  program.configureOutput({ writeErr: err, writeOut: out ?? ((s) => process.stdout.write(s)) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    err(`Error: ${describe(e)}\n`);
    return 1;
  } finally {
    await close();
  }
}

if (require.main === module) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
    process.exit(2);
  }
  void runCli(process.argv.slice(2), config).then((code) => process.exit(code));
}
