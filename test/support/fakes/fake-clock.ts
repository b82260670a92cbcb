import type { Clock } from '../../../core/ports/clock.js';

/** Real time plus an offset that tests advance to simulate long waits (bakes, approvals, deadlines). */
export class FakeClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    // The machine's time from the performance clock, which faking `Date` (e.g. for a CLI run) leaves alone.
    return new Date(performance.timeOrigin + performance.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
