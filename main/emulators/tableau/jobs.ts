/**
 * Asynchronous jobs of the emulator (tableau-rest.md §6 "Query Job"): PublishDatasource,
 * UpdateUploadedFile and RefreshExtract. A job's work runs in the background; the job reports
 * progress that moves with each poll and finishes (finishCode 0 ok, 1 failed, 2 cancelled) once its
 * work is done and it has been polled enough times or enough time has passed, so clients must
 * really poll. A job has finished when it has `completedAt` (TSC `wait_for_job`); a running
 * PublishDatasource job already carries `finishCode="1"`, as TSC's real asJob publish response
 * `datasource_publish_async.xml` does (progress 0, no completedAt), so a client that stops at the
 * first finishCode fails here as it would on Tableau.
 */
import { el, isoSeconds, type TsElement } from './ts-response';

/** The job types the emulator starts (XSD `jobType` values seen in the fixtures). */
export type JobType = 'PublishDatasource' | 'UpdateUploadedFile' | 'RefreshExtract';

/** A job and what it did. */
export interface EmulatorJob {
  readonly id: string;
  readonly type: JobType;
  readonly createdAt: number;
  readonly datasource: { id: string; name: string } | null;
  readonly connectionLuid?: string;
  startedAt: number | null;
  completedAt: number | null;
  updatedAt: number | null;
  polls: number;
  progress: number;
  /** Set when the background work has begun (it can no longer be cancelled). */
  workStarted: boolean;
  /** Set when the background work has ended. */
  workDone: boolean;
  /** The failure of the work (or an injected failure), which becomes the job's notes. */
  failure: string | null;
  finishCode: 0 | 1 | 2 | null;
  /** Cancelled (Cancel Job or an injected cancel): ends with finish code 2, its work not applied. */
  cancelled: boolean;
}

/** How a job moves: polls needed, or time after which it finishes anyway. */
export interface JobPacing {
  readonly pollsToComplete: number;
  readonly durationMs: number;
}

/** Advances a job (a poll when `poll` is true) and finishes it when due. */
export function advanceJob(job: EmulatorJob, now: number, pacing: JobPacing, poll: boolean): void {
  if (job.finishCode !== null) return;
  if (poll) job.polls += 1;
  if (job.polls > 0 && job.startedAt === null) job.startedAt = now;
  const due = job.polls >= pacing.pollsToComplete || now - job.createdAt >= pacing.durationMs;
  if (job.workDone && due) {
    job.finishCode = job.cancelled ? 2 : job.failure === null ? 0 : 1;
    job.progress = 100;
    job.startedAt ??= now;
    job.completedAt = now;
    job.updatedAt = now;
    return;
  }
  if (poll) {
    // Moves with every poll but stays below 100 until the job has really finished.
    job.progress = Math.min(90, Math.round((100 * job.polls) / (pacing.pollsToComplete + 1)));
    job.updatedAt = now;
  }
}

/** True while the job has not finished. */
export function jobPending(job: EmulatorJob): boolean {
  return job.completedAt === null;
}

function detailElement(job: EmulatorJob): TsElement | null {
  const notes = job.finishCode === 1 && job.failure !== null ? [el('notes', undefined, undefined, { text: job.failure })] : [];
  const ds = job.datasource ? [el('datasource', { id: job.datasource.id, name: job.datasource.name })] : [];
  switch (job.type) {
    case 'UpdateUploadedFile': // fixture datasource_data_update.xml / job_get_by_id_failed.xml
      return el('updateUploadedFileJob', undefined, [
        ...ds,
        ...(job.connectionLuid ? [el('connectionLuid', undefined, undefined, { text: job.connectionLuid })] : []),
        ...notes,
      ]);
    case 'RefreshExtract': // fixture datasource_refresh.xml / job_get_by_id_failed_workbook.xml
      return el('extractRefreshJob', undefined, [...ds, ...notes]);
    case 'PublishDatasource':
      // The async publish fixture has no sub-element; a failure's reason goes to statusNotes
      // (XSD jobType), UNCONFIRMED where Tableau puts it for publish jobs.
      return null;
  }
}

/**
 * The `<job>` element. `asCreated` gives the shape of the 202 response that starts the job
 * (fixtures datasource_data_update.xml, datasource_refresh.xml: no progress); otherwise the
 * Query Job shape (job_get_by_id*.xml).
 */
export function jobElement(job: EmulatorJob, asCreated: boolean): TsElement {
  const detail = detailElement(job);
  const children: TsElement[] = detail ? [detail] : [];
  if (job.type === 'PublishDatasource' && job.finishCode === 1 && job.failure !== null) {
    children.push(el('statusNotes', undefined, [el('statusNote', { type: 'ErrorMessage', text: job.failure })], { list: true }));
  }
  return el(
    'job',
    {
      id: job.id,
      mode: 'Asynchronous',
      type: job.type,
      progress: asCreated && job.type !== 'PublishDatasource' ? undefined : job.progress,
      createdAt: isoSeconds(job.createdAt),
      startedAt: asCreated || job.startedAt === null ? undefined : isoSeconds(job.startedAt),
      updatedAt: asCreated || job.updatedAt === null ? undefined : isoSeconds(job.updatedAt),
      completedAt: job.completedAt === null ? undefined : isoSeconds(job.completedAt),
      finishCode: job.finishCode ?? (job.type === 'PublishDatasource' ? 1 : undefined),
    },
    children,
  );
}
