/**
 * Fills the audit trail's search words (document number, vendor, journal: streams/audit-labels.ts)
 * without the engine knowing: the run's source is wrapped to note each row's words by record key
 * as pages are read, and the run's store is wrapped to add them to the audit entries of those
 * rows, which the engine records right after reading their page (sync/batch-pipeline.ts persists
 * a batch's audit rows before it is sent). A noted row is forgotten once its entry is recorded,
 * and the whole map with the run (a re-read row that is unchanged gets no entry and stays noted
 * until then: at most the look-back's rows).
 */
import type { AuditEntry } from '../../../shared/types';
import { rowKey } from '../sync/canonical-row';
import type { SourcePort } from '../sync/ports';
import { auditLabelsOf, type AuditLabels } from '../streams/audit-labels';
import { streamByName, streamDefinitions } from '../streams/definitions';
import type { Store } from '../store/types';

type Page = SourcePort['readChanged'] extends (...args: never[]) => AsyncGenerator<infer P> ? P : never;

/**
 * `target` with some members replaced. A Proxy, not a copy or a prototype: every other member is
 * read from the target itself (bound to it), so getters and private fields keep working.
 */
function overriding<T extends object>(target: T, members: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.prototype.hasOwnProperty.call(members, prop)) return (members as Record<PropertyKey, unknown>)[prop];
      const v: unknown = Reflect.get(t, prop, t);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** The source and store to give the engine for one run. */
export function tapAuditLabels<S extends SourcePort>(source: S, store: Store): { source: S; store: Store } {
  const noted = new Map<string, AuditLabels>();
  const at = (object: string, key: string) => `${object}\u0000${key}`;
  const defsOf = (object: string) => streamDefinitions.filter((d) => d.intacctObject === object);

  async function* noting(object: string, pages: AsyncGenerator<Page>): AsyncGenerator<Page> {
    const defs = defsOf(object);
    for await (const page of pages) {
      for (const def of defs) for (const row of page.rows) noted.set(at(object, rowKey(def, row)), auditLabelsOf(def, row));
      yield page;
    }
  }

  const tappedSource = overriding<SourcePort>(source, {
    readChanged: (spec, signal) => noting(spec.object, source.readChanged(spec, signal)),
    readPartitioned: (spec, opts, signal) => noting(spec.object, source.readPartitioned(spec, opts, signal)),
  }) as S;

  const recordAudit = (entries: readonly AuditEntry[]) => {
    const filled = entries.map((e) => {
      const key = at(streamByName(e.stream).intacctObject, e.recordKey);
      const labels = noted.get(key);
      if (!labels) return e;
      noted.delete(key);
      return { ...e, ...labels };
    });
    store.recordAudit(filled);
  };
  return { source: tappedSource, store: overriding(store, { recordAudit }) };
}
