export type DeploymentEventKind =
  | 'started'
  | 'approval_requested'
  | 'approved'
  | 'rejected'
  | 'traffic_shifted'
  | 'succeeded'
  | 'rolled_back'
  | 'congruence_report'
  /** A judged analysis verdict (passed or failed), with its numbers in `detail`. */
  | 'analysis_verdict'
  /** This deployment took over a lock whose holder can no longer act under it (who, and why, in `detail`). */
  | 'lock_taken_over'
  /** A change freeze was set, or lifted (scope, end, who and why in `detail`; no deployment: see freezeEvent). */
  | 'frozen'
  | 'unfrozen'
  /** This deployment went ahead during a freeze, by an approver's override (who and why in `detail`). */
  | 'freeze_overridden'
  /** RestoreTraffic and RecordRollback failed for good: the listener may be split, the record says compensating. */
  | 'traffic_in_doubt';

export interface DeploymentEvent {
  kind: DeploymentEventKind;
  deploymentId: string;
  service: string;
  environment: string;
  version: string;
  imageId?: string;
  at: string;
  /** Human-readable: the failed step and its cause, per-phase durations, who decided. */
  detail?: string;
}

/** Tells people and systems what happened. A failing notifier never fails a deployment. */
export interface Notifier {
  notify(event: DeploymentEvent): Promise<void>;
}
