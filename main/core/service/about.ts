/**
 * About (issue #14): the app's version, hyperd's, the OS and the data folder, for Status and the
 * support bundle. The host says its own version and OS (the core reads no process globals);
 * hyperd's version is asked of hyperd once per service, since running it takes a moment.
 */
import type { About } from '../../../shared/types';
import type { ServiceContext } from './service-context';

export interface AboutSource {
  /** Null when the host gave no version (tests, the bare core). */
  about(): Promise<About | null>;
  /** For the support bundle: About plus the runtime. */
  details(): Promise<(About & { runtime: string }) | null>;
}

export function createAbout(ctx: Pick<ServiceContext, 'deps'>): AboutSource {
  const { deps } = ctx;
  let hyperd: Promise<string | null> | null = null;
  const hyperdVersion = () =>
    (hyperd ??= deps.factories.hyperdVersion
      ? deps.factories.hyperdVersion({ ...(deps.hyperdPath ? { hyperdPath: deps.hyperdPath } : {}), ...(deps.env ? { env: deps.env } : {}) }).catch(() => null)
      : Promise.resolve(null));
  const about = async (): Promise<About | null> => {
    const host = deps.host;
    if (!host) return null;
    return { version: host.appVersion, hyperdVersion: await hyperdVersion(), os: host.os, dataDir: deps.dataDir };
  };
  return {
    about,
    async details() {
      const a = await about();
      return a && deps.host ? { ...a, runtime: deps.host.runtime } : null;
    },
  };
}
