/**
 * "Reset demo" (issue #14, "The demo shows a banner with Reset demo"): the built-in demo's
 * settings and sign-in as it started are remembered, and reset puts them back (undoing "Connect
 * your own Sage Intacct" and any edit) and reloads every enabled table in full from the sample
 * company, so the demo is as it was. The remembered secrets are the emulators' own test
 * credentials (main/demo/demo.ts), already in memory; outside the demo nothing is remembered.
 */
import { ValidationError } from '../errors';
import { secretNames, type SecretName, type Settings } from '../../../shared/types';
import type { ConnectorApi } from '../../../shared/ipc-contract';
import type { ServiceContext } from './service-context';
import type { ServiceRuns } from './runs';
import { streamDefinitions } from '../streams/definitions';

export async function createDemoReset(ctx: ServiceContext, runs: ServiceRuns, pushStatus: () => Promise<void>): Promise<Pick<ConnectorApi, 'resetDemo'>> {
  const { deps, state, log } = ctx;
  let start: { settings: Settings; secrets: [SecretName, string | null][] } | null = null;
  if (deps.demo) {
    start = {
      settings: structuredClone(deps.settings.get()),
      secrets: await Promise.all(secretNames.map(async (n) => [n, await deps.secrets.get(n)] as [SecretName, string | null])),
    };
  }
  return {
    async resetDemo() {
      if (!start) throw new ValidationError({ userMessage: 'Only the built-in demo can be reset.' });
      if (state.current)
        return { started: false, runId: state.current.runId, reason: 'A sync is running: wait for it to end (or cancel it), then reset the demo.' };
      const settings = structuredClone(start.settings);
      deps.settings.set(settings);
      for (const [name, value] of start.secrets) await (value === null ? deps.secrets.delete(name) : deps.secrets.set(name, value));
      state.scheduler?.update(settings.schedule);
      log('info', 'Demo reset: its settings and sign-in are back as they started; every table reloads in full.');
      const enabled = streamDefinitions.filter((d) => settings.streams.enabled[d.name]).map((d) => d.name);
      const r = runs.startRun('demo', { fullReload: enabled });
      void pushStatus();
      return r.started ? { started: true, runId: r.run.runId } : { started: false, runId: r.runId, reason: r.reason };
    },
  };
}
