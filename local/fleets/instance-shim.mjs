// Runs one instance's app in its own process group, and stops that group when the control plane goes away:
// its IPC channel closes even when the control plane is killed with SIGKILL, so no app outlives it.
import { spawn } from 'node:child_process';

const command = process.env.BAKESHIFT_START_COMMAND;
const cwd = process.env.BAKESHIFT_IMAGE_ROOT;
const graceMs = Number(process.env.BAKESHIFT_STOP_GRACE_MS ?? '5000');
const appEnv = JSON.parse(process.env.BAKESHIFT_APP_ENV ?? '{}');

const app = spawn('sh', ['-c', command], {
  cwd,
  env: appEnv,
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});
let killTimer;
// The control plane records the app's process group, to stop it even if this shim dies first.
process.send?.({ appPid: app.pid });

function signalApp(signal) {
  try {
    process.kill(-app.pid, signal);
  } catch {
    // Already gone.
  }
}

function stop() {
  signalApp('SIGTERM');
  killTimer ??= setTimeout(() => signalApp('SIGKILL'), graceMs);
}

process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
app.on('exit', (code, signal) => {
  clearTimeout(killTimer);
  process.exitCode = code ?? (signal ? 128 : 1);
  process.disconnect?.();
});
