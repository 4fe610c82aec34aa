/**
 * Following a Tableau job to its end (tableau-rest.md §6).
 *
 * Polls Query Job with backoff (TSC's cadence: 0.5 s, ×1.4, capped at 30 s; polling every few
 * seconds for hours is what got TSC users 429s, #952) through the injected clock until the job has
 * finished, which is when `completedAt` is present (TSC `jobs_endpoint.wait_for_job` loops
 * `while job.completed_at is None`). A `finishCode` alone does not mean finished: it can appear
 * earlier (TSC's asJob publish fixture `datasource_publish_async.xml` has `finishCode="1"` at
 * progress 0). Once finished, 0 is success, and so is 3 ("Completed", TSC `job_item.py`); 1 (failed)
 * and 2 (cancelled) throw TableauJobFailedError with the job's notes as the reason; a missing or
 * unknown code is treated as a failure, since assuming success could hide lost data.
 */
import type { Clock } from '../clock';
import { ApiError } from '../errors';
import { TableauJobFailedError } from './tableau-errors';
import type { TableauJob } from './tableau-xml';

export interface JobPollPolicy {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
}

export const defaultJobPollPolicy: JobPollPolicy = { initialDelayMs: 500, factor: 1.4, maxDelayMs: 30_000 };

/** Give up following a job after this long (it may still finish in Tableau). */
export const DEFAULT_JOB_TIMEOUT_MS = 4 * 60 * 60_000;

export interface WaitForJobOptions {
  signal?: AbortSignal;
  onProgress?: (pct: number) => void;
  timeoutMs?: number;
}

/** True once Tableau says the job has ended (TSC's rule: `completedAt` is present). */
export function jobFinished(job: TableauJob): boolean {
  return job.completedAt !== undefined && job.completedAt !== '';
}

/** True for the finish codes that mean success. */
export function jobSucceeded(job: TableauJob): boolean {
  return job.finishCode === 0 || job.finishCode === 3;
}

/**
 * Polls `getJob` until the job finishes; returns it on success, throws TableauJobFailedError on
 * failure or cancellation, ApiError JOB_TIMEOUT when it runs past `timeoutMs`.
 */
export async function waitForJob(
  getJob: (signal?: AbortSignal) => Promise<TableauJob>,
  deps: { clock: Clock; poll: JobPollPolicy },
  opts: WaitForJobOptions = {},
): Promise<TableauJob> {
  const { clock, poll } = deps;
  const started = clock.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  let delay = poll.initialDelayMs;
  let lastProgress = -1;
  for (;;) {
    const job = await getJob(opts.signal);
    if (job.progress !== lastProgress) {
      lastProgress = job.progress;
      opts.onProgress?.(job.progress);
    }
    if (jobFinished(job)) {
      if (jobSucceeded(job)) return job;
      throw new TableauJobFailedError(job);
    }
    if (clock.now() - started >= timeoutMs) {
      throw new ApiError({
        service: 'tableau',
        code: 'JOB_TIMEOUT',
        kind: 'transient',
        userMessage: `The Tableau ${job.type || ''} job ${job.id} was still running after ${Math.round(timeoutMs / 60_000)} minutes. It may still finish in Tableau; the next sync checks again.`,
        detail: { jobId: job.id, progress: job.progress },
      });
    }
    await clock.sleep(delay, opts.signal);
    delay = Math.min(Math.round(delay * poll.factor), poll.maxDelayMs);
  }
}
