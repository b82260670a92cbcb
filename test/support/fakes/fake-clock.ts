import type { Clock } from '../../../core/ports/clock.js';

/**
 * Real time plus an offset that tests advance to simulate long waits (bakes, approvals, deadlines). Given a start
 * instant, it is virtual instead: no real time passes, only what tests advance (the model-based test, whose
 * histories must replay exactly).
 */
export class FakeClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly virtualStartMs?: number) {}

  now(): Date {
    if (this.virtualStartMs !== undefined) return new Date(this.virtualStartMs + this.offsetMs);
    // The machine's time from the performance clock, which faking `Date` (e.g. for a CLI run) leaves alone.
    return new Date(performance.timeOrigin + performance.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
