import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createDb } from '@hub/db';
import { createLogger, loadConfig } from '@hub/platform';
import { serviceUrlsForCommand } from '@hub/platform/services';
import { Email, Password } from '@hub/protocol';
import { ensureFirstAdmin } from './first-admin.ts';

/**
 * `npm run admin:create -- --email you@example.cn --name 姓名` creates an admin account. An email
 * that already has an account is refused (exit 1): the command never promotes an account it did not
 * create. The password is read from standard input, never from the command line.
 */
const log = createLogger('admin-create');
const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string', default: 'Admin' } } });

async function readPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  const answer = await rl.question(process.stdin.isTTY ? 'Password (at least 10 characters): ' : '');
  rl.close();
  return answer.trim();
}

try {
  const email = Email.parse(values.email ?? '');
  const password = Password.parse(await readPassword());
  const db = createDb((await serviceUrlsForCommand(loadConfig())).databaseUrl);
  const { outcome } = await ensureFirstAdmin(db, { email, password, name: values.name! }, log, 'created with npm run admin:create');
  await db.$disconnect();
  if (outcome === 'refused') throw new Error(`${email} already has an account that is not an admin; it is not promoted (an admin grants roles in the staff console)`);
  console.log(outcome === 'created' ? `Admin ${email} created.` : `${email} is already an admin; nothing changed (the password was not replaced).`);
} catch (error) {
  const message = (error as { issues?: { message: string }[] }).issues?.map((i) => i.message).join('; ') ?? (error as Error).message;
  console.error(`admin:create failed: ${message}. Usage: npm run admin:create -- --email you@example.cn --name 姓名 (password on stdin)`);
  process.exit(1);
}
