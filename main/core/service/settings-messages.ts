/**
 * Words for settings problems (issue #14, "every message names its field, none is a raw schema
 * message"): each settings path has the label the form shows for it, and a problem zod reports
 * without a message of ours (a wrong type, an unknown value, a number out of range) is said in
 * those words instead of zod's ("Invalid input: expected number, received string"). Used by
 * validateSettings (settings.ts) as zod's per-parse error map, which zod consults only where a
 * schema gave no message of its own (https://zod.dev/error-customization, "Error precedence").
 */
import type { z } from 'zod';
import { streamDefinitions } from '../streams/definitions';
import { settingsFieldLabel as labelOf } from '../../../shared/settings-labels';

const tableLabel = (name: string) => streamDefinitions.find((d) => d.name === name)?.label ?? name;

/** The label of a settings path as the form shows it ('intacct.userId' → 'User ID'). */
export const settingsFieldLabel = (path: string): string => labelOf(path, tableLabel);

const kindOf = (expected: unknown) =>
  expected === 'int'
    ? 'a whole number'
    : expected === 'number'
      ? 'a number'
      : expected === 'boolean'
        ? 'yes or no'
        : expected === 'array'
          ? 'a list'
          : expected === 'object'
            ? 'a group of settings'
            : 'text';

/** zod's per-parse error map: our words for an issue no schema message covers. */
export function settingsIssueMessage(issue: z.core.$ZodRawIssue, prefix: readonly string[] = []): string {
  const label = settingsFieldLabel([...prefix, ...(issue.path ?? []).map(String)].join('.'));
  const i = issue as z.core.$ZodRawIssue & { expected?: unknown; minimum?: unknown; maximum?: unknown; origin?: unknown; keys?: string[]; values?: unknown[] };
  const chars = i.origin === 'string' ? ' characters' : i.origin === 'array' ? ' entries' : '';
  switch (issue.code) {
    case 'invalid_type':
      return i.input === undefined ? `${label} is missing.` : `${label}: enter ${kindOf(i.expected)}.`;
    case 'too_small':
      return i.origin === 'string' ? `${label}: enter it.` : `${label}: at least ${String(i.minimum)}${chars}.`;
    case 'too_big':
      return `${label}: at most ${String(i.maximum)}${chars}.`;
    case 'invalid_value':
    case 'invalid_union':
      return `${label}: choose one of the offered values.`;
    case 'unrecognized_keys':
      return `${label === 'Settings' || !issue.path?.length ? 'These settings' : label} are not known to this version: ${(i.keys ?? []).join(', ')}.`;
    case 'not_multiple_of':
      return `${label}: enter a whole number.`;
    default:
      return `${label} is not valid.`;
  }
}
