import { readFileSync } from 'node:fs';

/** Running, not merely a zombie waiting to be reaped (Linux: the state field of /proc/<pid>/stat). */
export function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
