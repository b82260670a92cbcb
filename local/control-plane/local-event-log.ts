import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApprovalChannel, ApprovalView } from '../../core/ports/approval-channel.js';
import type { DeploymentEvent, Notifier } from '../../core/ports/notifier.js';

export type ControlPlaneEvent =
  | ({ type: 'deployment' } & DeploymentEvent)
  | { type: 'approval'; view: ApprovalView }
  | { type: 'approval_outcome'; view: ApprovalView };

/**
 * Local mode's notifier and approval channel: every event is appended to `<home>/events.jsonl` and handed to
 * subscribers (the progress display, `bakeshift events`). People approve with `bakeshift approve`.
 */
export class LocalEventLog implements Notifier, ApprovalChannel {
  private readonly listeners = new Set<(event: ControlPlaneEvent) => void>();

  constructor(private readonly file: string) {}

  subscribe(listener: (event: ControlPlaneEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async notify(event: DeploymentEvent) {
    await this.emit({ type: 'deployment', ...event });
  }

  async ask(view: ApprovalView) {
    await this.emit({ type: 'approval', view });
    return undefined;
  }

  async showOutcome(view: ApprovalView) {
    await this.emit({ type: 'approval_outcome', view });
  }

  private async emit(event: ControlPlaneEvent) {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
    for (const listener of this.listeners) listener(event);
  }
}
