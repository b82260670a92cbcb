// Runs one instance's app and ties its life to the control plane's. The shim leads its own process group and
// the app runs inside it, so stopping the group stops everything the app started. When the control plane goes
// away, even by SIGKILL, the IPC channel closes and the shim stops its group: no app outlives the control plane.
import { spawn } from 'node:child_process';

const command = process.env.BAKESHIFT_START_COMMAND;
const cwd = process.env.BAKESHIFT_IMAGE_ROOT;
const graceMs = Number(process.env.BAKESHIFT_STOP_GRACE_MS ?? '5000');
const appEnv = JSON.parse(process.env.BAKESHIFT_APP_ENV ?? '{}');

// Whatever goes wrong in the shim itself, the app must not outlive it.
process.on('uncaughtException', () => {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } finally {
    process.exit(1);
  }
});

const app = spawn('sh', ['-c', command], { cwd, env: appEnv, stdio: ['ignore', 'inherit', 'inherit'] });
let killTimer;
if (process.connected) process.send({ appPid: app.pid }, () => undefined);

function signalGroup(signal) {
  try {
    process.kill(-process.pid, signal);
  } catch {
    // Already gone.
  }
}

function stop() {
  if (killTimer) return;
  // SIGTERM reaches this shim too; it is handled here, so the shim stays until the app has exited.
  signalGroup('SIGTERM');
  killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
}

process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The control plane may already be gone by the time this shim runs.
if (!process.connected) stop();
// When the app's main process ends, whatever it started ends with it (the whole group, this shim included).
app.on('exit', (code, signal) => {
  clearTimeout(killTimer);
  const report = signal ?? `code ${code}`;
  if (process.connected) process.send({ appExit: report }, () => signalGroup('SIGKILL'));
  else signalGroup('SIGKILL');
});
