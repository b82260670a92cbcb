import type { PreTrafficResult } from '../../../core/deployment/deployment-record.js';
import type { PreTrafficRun, PreTrafficTests } from '../../../core/ports/pre-traffic-tests.js';

/** A test fake: every configured test passes unless the test names it in `failing`; runs are recorded. */
export class FakePreTrafficTests implements PreTrafficTests {
  readonly failing = new Set<string>();
  readonly runs: PreTrafficRun[] = [];

  async run(run: PreTrafficRun): Promise<PreTrafficResult[]> {
    this.runs.push(structuredClone(run));
    const names = [...run.tests.checks.map((c) => c.name), ...(run.tests.command ? ['command'] : [])];
    return names.map((name) => ({
      name,
      passed: !this.failing.has(name),
      detail: this.failing.has(name) ? 'failed (fake)' : 'ok (fake)',
    }));
  }
}
