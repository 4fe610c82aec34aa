/**
 * The next-step line for an error, chosen by the error itself (issue #14 point 3): an invalid
 * extra field links to that stream's extra-fields panel, a refused password to its field, a
 * missing dependent data source to that list. The link opens Settings at the field
 * (`#/settings?field=<name>`), which the Settings page focuses. The words come from
 * shared/next-step.ts, which alerts use too, so the window and an alert email say the same.
 */
import type { ErrorInfo, StreamName } from '../shared/types';
import { nextStepFor } from '../shared/next-step';
import { hrefOf } from './route';
import { streamLabels } from './streams';

export interface NextStep {
  text: string;
  link?: { href: string; label: string };
}

/** What a finance user can do next about `error`. */
export function nextStepOf(error: ErrorInfo): NextStep {
  const step = nextStepFor(error, (s: StreamName) => streamLabels[s] ?? s);
  if (step.field) return { text: step.text, link: { href: hrefOf('settings', { field: step.field }), label: step.linkLabel ?? 'Open Settings' } };
  if (step.settings) return { text: step.text, link: { href: hrefOf('settings'), label: step.linkLabel ?? 'Open Settings' } };
  return { text: step.text };
}
