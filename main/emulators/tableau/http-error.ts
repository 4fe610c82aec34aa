/**
 * An error the emulator answers with Tableau's error body (tableau-rest.md §8): the HTTP status plus
 * a six-digit code whose first three digits are that status.
 */
export class TsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly summary: string,
    readonly detail: string,
  ) {
    super(`${code} ${summary}: ${detail}`);
    this.name = 'TsHttpError';
  }
}

/** 400000 Bad Request: the request could not be parsed (tableau-rest.md §8). */
export function badRequest(detail: string): TsHttpError {
  return new TsHttpError(400, '400000', 'Bad Request', detail);
}

/** 404 for an unknown resource. `code` defaults to 404003 "Resource Not Found" (fixture server_info_404.xml). */
export function notFound(detail: string, code = '404003'): TsHttpError {
  return new TsHttpError(404, code, 'Resource Not Found', detail);
}
