/**
 * HTTP rendering of allot's errors: every code maps to one status (docs/errors.md lists it; a test keeps the two
 * in sync), and every error reply is `{ "error": { "code": "ALLOT_...", "message": "..." } }`. Bad input is always
 * 4xx; 5xx is reserved for the store being unreachable (503) and bugs (500).
 */
import { AllotError, type ErrorCode, isAllotError } from '../core/errors.js';

/** The HTTP status of every error code. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  ALLOT_INVALID_ARGUMENT: 400,
  ALLOT_SHAPE_MISMATCH: 400,
  ALLOT_NOT_FINITE: 400,
  ALLOT_OUT_OF_RANGE: 400,
  ALLOT_INVALID_CONFIG: 400,
  ALLOT_PARSE_ERROR: 400,
  ALLOT_MISSING_COLUMN: 400,
  ALLOT_NO_MATCH: 404,
  ALLOT_UNKNOWN_OPTION: 400,
  ALLOT_FILE_NOT_FOUND: 404,
  ALLOT_IO_ERROR: 500,
  ALLOT_NOT_CONVERGED: 422,
  ALLOT_NOT_POSITIVE_DEFINITE: 422,
  ALLOT_DEGENERATE: 422,
  ALLOT_INTERNAL: 500,
  ALLOT_UNKNOWN_AGENT: 404,
  ALLOT_UNKNOWN_EVENT: 404,
  ALLOT_CONFLICT: 409,
  ALLOT_BUDGET_EXHAUSTED: 409,
  ALLOT_UNAUTHORIZED: 401,
  ALLOT_PAYLOAD_TOO_LARGE: 413,
  ALLOT_UNSUPPORTED_MEDIA_TYPE: 415,
  ALLOT_NOT_FOUND: 404,
  ALLOT_STORE_UNAVAILABLE: 503,
};

/** An error reply body. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** Store and driver failures (connection refused, timeouts, closed database) rather than bad input. */
export function isStoreFailure(e: unknown): boolean {
  const err = e as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (err === null || typeof err !== 'object') return false;
  const code = String(err.code ?? '');
  const name = String(err.name ?? '');
  const msg = String(err.message ?? '');
  return (
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTCONN|EHOSTUNREACH|SQLITE_)/.test(code) ||
    name === 'MaxRetriesPerRequestError' ||
    name === 'SqliteError' ||
    /Connection is closed|Stream isn't writeable|The database connection is not open|Reached the max retries|LOADING/.test(
      msg,
    )
  );
}

/**
 * Maps any thrown value to a status and an error body.
 *
 * @param e - an AllotError, a Fastify error (validation, body parsing, size) or anything else.
 */
export function toHttpError(e: unknown): { status: number; body: ErrorBody } {
  if (isAllotError(e))
    return { status: HTTP_STATUS[e.code] ?? 500, body: { error: { code: e.code, message: e.message } } };
  const err = e as {
    code?: string;
    statusCode?: number;
    message?: string;
    validation?: unknown;
    validationContext?: string;
  };
  const reply = (status: number, code: ErrorCode, message: string) => ({
    status,
    body: { error: { code, message } },
  });
  if (err?.validation !== undefined) {
    return reply(
      400,
      'ALLOT_INVALID_ARGUMENT',
      `${err.validationContext ?? 'request'} ${String(err.message).replace(/^(body|querystring|params)\s*/, '')}`.trim(),
    );
  }
  switch (err?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply(413, 'ALLOT_PAYLOAD_TOO_LARGE', String(err.message));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply(415, 'ALLOT_UNSUPPORTED_MEDIA_TYPE', String(err.message));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reply(400, 'ALLOT_PARSE_ERROR', String(err.message));
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return reply(400, 'ALLOT_INVALID_ARGUMENT', String(err.message));
    default:
  }
  if (err instanceof SyntaxError || (err?.statusCode === 400 && /JSON/i.test(String(err.message)))) {
    return reply(400, 'ALLOT_PARSE_ERROR', `body is not valid JSON: ${String(err.message)}`);
  }
  if (isStoreFailure(e))
    return reply(503, 'ALLOT_STORE_UNAVAILABLE', `store unavailable: ${String(err?.message ?? e)}`);
  if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return reply(
      err.statusCode,
      err.statusCode === 404 ? 'ALLOT_NOT_FOUND' : 'ALLOT_INVALID_ARGUMENT',
      String(err.message),
    );
  }
  return reply(500, 'ALLOT_INTERNAL', String(err?.message ?? e));
}

/** Shorthand for throwing a coded error from a route. */
export function httpError(code: ErrorCode, message: string): AllotError {
  return new AllotError(code, message);
}
