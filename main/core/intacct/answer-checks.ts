/**
 * The checks of an answer before its XML is read (docs/reference/intacct-xml.md §2.2–§2.3): HTTP
 * status, then the kind of body (HTML error page, empty, not XML). Each failure is the typed error
 * the retry helper and the reader act on; an answer that passes is XML to parse.
 */
import { ApiError, AuthError, NetworkError, RateLimitError } from '../errors';
import { parseRetryAfter } from '../http/retry';

/** Throws the typed error an answer that is not a readable XML document stands for. */
export function checkAnswer(
  status: number,
  text: string,
  trimmed: string,
  headers: { get(name: string): string | null } | undefined,
  now: number | undefined,
): void {
  const head = trimmed.slice(0, 512).toLowerCase();

  if (status === 524) {
    // §2.3, §6: Cloudflare's "origin timed out". The JS SDK deliberately does not retry it; the query
    // may still be running server-side (inference), so repeating it blindly only adds load. The
    // reader asks for a smaller page instead (keyset-read.ts, KeysetRead.fetchPage).
    throw new ApiError({
      service: 'intacct',
      kind: 'transient',
      code: 'HTTP_524',
      status,
      userMessage:
        'Intacct took too long to answer (HTTP 524) and the request was not repeated automatically. Try again later, or narrow the date range of the read.',
    });
  }
  if (status >= 300 && status < 400) {
    // The client never follows redirects (the body carries credentials); a gateway that redirects
    // is a wrong URL or something in between.
    const location = headers?.get('location');
    let host = '';
    try {
      host = location ? new URL(location).host : '';
    } catch {
      host = '';
    }
    throw new ApiError({
      service: 'intacct',
      kind: 'config',
      code: 'REDIRECT',
      status,
      userMessage: `Intacct's gateway answered with a redirect (HTTP ${status}${host ? ` to ${host}` : ''}), which the connector does not follow because requests carry credentials. Check the Intacct gateway URL and proxy settings.`,
    });
  }
  if (status === 429) {
    throw new RateLimitError({
      service: 'intacct',
      code: 'HTTP_429',
      status,
      retryAfterMs: parseRetryAfter(headers?.get('retry-after'), now ?? 0),
      userMessage: 'Intacct is limiting the request rate (HTTP 429); waiting before trying again.',
    });
  }
  if (!trimmed) {
    throw new NetworkError({
      service: 'intacct',
      code: status >= 500 ? `HTTP_${status}` : 'EMPTY_BODY',
      status,
      userMessage: `Intacct sent an empty answer (HTTP ${status}); the request will be retried.`,
    });
  }
  const isHtml = head.startsWith('<!doctype html') || head.startsWith('<html') || (/<html[\s>]/.test(head) && !head.includes('<response'));
  if (isHtml) {
    if (text.includes('cf-error-details') || /cloudflare/i.test(text)) {
      // §2.3: hotglue treats Cloudflare error pages as retryable.
      throw new NetworkError({
        service: 'intacct',
        code: 'CLOUDFLARE',
        status,
        userMessage: `Intacct's network edge (Cloudflare) returned an error page (HTTP ${status}); the request will be retried.`,
      });
    }
    if (status >= 500) {
      throw new NetworkError({
        service: 'intacct',
        code: `HTTP_${status}`,
        status,
        userMessage: `Intacct returned a server error page (HTTP ${status}); the request will be retried.`,
      });
    }
    throw new ApiError({
      service: 'intacct',
      kind: 'config',
      code: 'HTML_PAGE',
      status,
      userMessage: `Received a web page instead of Intacct's answer (HTTP ${status}). A proxy or firewall may be intercepting the connection: check the proxy settings.`,
    });
  }
  if (status >= 500) {
    throw new NetworkError({
      service: 'intacct',
      code: `HTTP_${status}`,
      status,
      userMessage: `Intacct had a server error (HTTP ${status}); the request will be retried.`,
    });
  }
  if (!trimmed.startsWith('<')) {
    if (status === 401 || status === 403) {
      throw new AuthError({
        service: 'intacct',
        code: `HTTP_${status}`,
        status,
        userMessage: `Intacct refused the sign-in (HTTP ${status}): check the sender and user credentials.`,
      });
    }
    if (status >= 400) {
      throw new ApiError({ service: 'intacct', code: `HTTP_${status}`, status, userMessage: `Intacct rejected the request (HTTP ${status}).` });
    }
    throw malformed(status, 'the answer is not XML');
  }
}

export function malformed(status: number, why: string, code = 'MALFORMED_RESPONSE'): NetworkError {
  return new NetworkError({
    service: 'intacct',
    code,
    status,
    userMessage: `Intacct's answer could not be read (${why}); the request will be retried.`,
  });
}
