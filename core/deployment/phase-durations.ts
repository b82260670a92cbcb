import { type DeploymentRecord, PHASES, type Phase } from './deployment-record.js';

/** Seconds spent in each phase: from its start to the next recorded phase's start (or the end). */
export function phaseDurations(record: DeploymentRecord, end: Date): Partial<Record<Phase, number>> {
  const started = PHASES.flatMap((phase) => {
    const at = record.phases[phase];
    return at ? [{ phase, at: Date.parse(at) }] : [];
  }).sort((a, b) => a.at - b.at);
  const durations: Partial<Record<Phase, number>> = {};
  started.forEach((entry, i) => {
    const next = started[i + 1]?.at ?? end.getTime();
    durations[entry.phase] = Math.max(0, (next - entry.at) / 1000);
  });
  return durations;
}

export const formatDurations = (durations: Partial<Record<Phase, number>>) =>
  Object.entries(durations)
    .map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)}s`)
    .join(', ');
