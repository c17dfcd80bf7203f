// `npm start`: plain Node with no dependencies, so that it works on a fresh clone before `npm install`.
// Installs dependencies when they are missing or older than the lockfile, then runs the orchestrator
// (scripts/stack.ts) and passes on its exit code. With --install-only it stops after the install check.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function needsInstall() {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(path.join(root, 'node_modules')) || !existsSync(installed)) return true;
  const lock = path.join(root, 'package-lock.json');
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs;
}

if (needsInstall()) {
  console.log('npm start: installing dependencies (npm install --no-audit --no-fund) ...');
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`npm start: \`npm install\` failed (${result.error?.message ?? `exit code ${result.status}`}); fix the problem shown above and run \`npm start\` again.`);
    process.exit(1);
  }
}

// `npm test` uses this script only to make sure dependencies are installed.
if (process.argv.includes('--install-only')) process.exit(0);

// `node --import tsx` rather than the tsx CLI: the CLI is a second process that, when the script takes
// more than 30 ms to acknowledge a signal, re-sends it and then SIGKILLs the script mid-shutdown.
const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'stack.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});

// A Ctrl-C in the terminal reaches the whole foreground process group, the orchestrator included;
// a signal sent to this process alone (a supervisor, `kill`) is passed on. The orchestrator shuts
// down once however many copies arrive.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('error', (error) => {
  console.error(`npm start: could not run the orchestrator (${error.message}); run \`npm install\` and try again.`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
