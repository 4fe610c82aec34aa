/**
 * Lets each alert through once: the service evaluates alerts after every run and on a timer, and a
 * user must not get the same "data is stale" notification every minute.
 */
import type { KeyedAlert } from './evaluate-alerts';

/** Remembers which alert keys were raised. */
export interface AlertGate {
  /** The alerts not raised before (each is remembered as raised). */
  admit(alerts: readonly KeyedAlert[]): KeyedAlert[];
  /** Marks alerts as already raised without returning them (e.g. at startup, for old facts). */
  seed(alerts: readonly KeyedAlert[]): void;
}

/** A gate remembering the last `memory` keys (default 500): far more than can be live at once. */
export function createAlertGate(opts: { memory?: number } = {}): AlertGate {
  const memory = Math.max(1, opts.memory ?? 500);
  const seen = new Set<string>();
  const remember = (key: string) => {
    seen.add(key);
    if (seen.size > memory) seen.delete(seen.values().next().value as string);
  };
  return {
    admit(alerts) {
      const fresh = alerts.filter((a) => !seen.has(a.key));
      for (const a of fresh) remember(a.key);
      return fresh;
    },
    seed(alerts) {
      for (const a of alerts) remember(a.key);
    },
  };
}
