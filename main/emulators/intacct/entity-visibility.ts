/**
 * Which records a request may see in the multi-entity sample company (intacct-xml.md §3.3).
 *
 * - A session signed in to an entity (login `locationid`, or `getAPISession <locationid>`) sees
 *   that entity's records and the records owned by the top level (MEGAENTITYID ''), such as the
 *   chart of accounts. The top-level part is UNCONFIRMED in the reference: it is the commonly
 *   documented behaviour (entities share the top level's lists) and the safe one for a client,
 *   which then never misses shared records.
 * - A top-level session sees everything except records of **private** entities, which `query`
 *   returns only with `<options><showprivate>true</showprivate></options>` (§3.3).
 * - `readByQuery`/`readMore` have no such option; whether they see private entities is
 *   UNCONFIRMED (§3.3), so they hide them: the conservative emulation, which exposes a client that
 *   relies on reading private entities that way.
 *
 * GLDETAIL and APBILLITEM have no MEGAENTITY* fields (intacct-objects.md "Entity fields"): their
 * owning entity is the entity of their LOCATIONID. Other objects without MEGAENTITYID
 * (DEPARTMENT, LOCATION, APPYMTDETAIL, AUDITHISTORY) are not filtered.
 */
import { fieldSpec, type IntacctRecord, type ObjectSpec } from './object-catalog';
import { ENTITIES, entityOfLocation } from './sample-reference-data';

/** The entity filter one request runs under. */
export interface EntityVisibility {
  /** True when nothing is hidden (callers skip filtering). */
  readonly all: boolean;
  /** Whether a record owned by this entity ('' = the top level) is visible. */
  sees(entityId: string): boolean;
}

const privateIds = new Set<string>(ENTITIES.filter((e) => e.private).map((e) => e.id));

/** Sees every record: a top-level session with `showprivate`, or a company without private entities. */
export const SEES_ALL: EntityVisibility = { all: true, sees: () => true };

/**
 * The visibility of a session signed in at `locationId` ('' = top level), for a read that did
 * (`showPrivate`) or did not ask for private entities.
 */
export function entityVisibility(locationId: string, showPrivate: boolean): EntityVisibility {
  if (locationId !== '') return { all: false, sees: (id) => id === '' || id === locationId };
  if (showPrivate || privateIds.size === 0) return SEES_ALL;
  return { all: false, sees: (id) => !privateIds.has(id) };
}

/** Objects whose owning entity is their location's. */
const OWNED_BY_LOCATION = new Set(['GLDETAIL', 'APBILLITEM']);

/** Whether the object's records carry an owning entity and so are filtered. */
export function hasEntity(object: ObjectSpec): boolean {
  return fieldSpec(object, 'MEGAENTITYID') !== undefined || OWNED_BY_LOCATION.has(object.name);
}

/** The entity ('' = top level) that owns a record of the object. */
export function ownerOf(object: ObjectSpec, r: IntacctRecord): string {
  return OWNED_BY_LOCATION.has(object.name) ? entityOfLocation(r.LOCATIONID ?? '') : (r.MEGAENTITYID ?? '');
}

/** The record predicate for an object, or null when every record of it is visible. */
export function visibleRecords(object: ObjectSpec, vis: EntityVisibility): ((r: IntacctRecord) => boolean) | null {
  if (vis.all || !hasEntity(object)) return null;
  return (r) => vis.sees(ownerOf(object, r));
}
