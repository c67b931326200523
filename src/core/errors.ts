/**
 * Error codes and the error type thrown at every public boundary of allot.
 *
 * Codes are never renamed or reused; `docs/errors.md` documents each one and a test keeps the two in sync.
 */

/** Every error code allot can throw. */
export type ErrorCode =
  | 'ALLOT_INVALID_ARGUMENT'
  | 'ALLOT_SHAPE_MISMATCH'
  | 'ALLOT_NOT_FINITE'
  | 'ALLOT_OUT_OF_RANGE'
  | 'ALLOT_INVALID_CONFIG'
  | 'ALLOT_PARSE_ERROR'
  | 'ALLOT_MISSING_COLUMN'
  | 'ALLOT_NO_MATCH'
  | 'ALLOT_UNKNOWN_OPTION'
  | 'ALLOT_FILE_NOT_FOUND'
  | 'ALLOT_IO_ERROR'
  | 'ALLOT_NOT_CONVERGED'
  | 'ALLOT_NOT_POSITIVE_DEFINITE'
  | 'ALLOT_DEGENERATE'
  | 'ALLOT_INTERNAL'
  | 'ALLOT_UNKNOWN_AGENT'
  | 'ALLOT_UNKNOWN_EVENT'
  | 'ALLOT_CONFLICT'
  | 'ALLOT_BUDGET_EXHAUSTED'
  | 'ALLOT_UNAUTHORIZED'
  | 'ALLOT_PAYLOAD_TOO_LARGE'
  | 'ALLOT_UNSUPPORTED_MEDIA_TYPE'
  | 'ALLOT_NOT_FOUND'
  | 'ALLOT_STORE_UNAVAILABLE';

/** One entry of the registry: what the code means and how a user fixes it. */
export interface ErrorCodeInfo {
  readonly description: string;
  readonly howToSolve: string;
  /** True when the code is a user error (bad input); false for internal failures. */
  readonly userError: boolean;
}

/** The registry of error codes; `docs/errors.md` mirrors it row for row. */
export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorCodeInfo>> = {
  ALLOT_INVALID_ARGUMENT: {
    description: 'An argument or option has a value the function does not accept.',
    howToSolve: 'Read the message: it names the argument, the condition and the value given.',
    userError: true,
  },
  ALLOT_SHAPE_MISMATCH: {
    description: 'Arrays or matrices that must agree in length or shape do not.',
    howToSolve: 'Make the named arrays the same length (or the matrix the stated shape).',
    userError: true,
  },
  ALLOT_NOT_FINITE: {
    description: 'A number is NaN or infinite where a finite number is required.',
    howToSolve: 'Remove or fix the non-finite entry named in the message.',
    userError: true,
  },
  ALLOT_OUT_OF_RANGE: {
    description:
      'A number lies outside its valid range (a probability outside [0, 1], a negative count, ...).',
    howToSolve: 'Give a value inside the range stated in the message.',
    userError: true,
  },
  ALLOT_INVALID_CONFIG: {
    description: 'A configuration file or object is malformed or inconsistent.',
    howToSolve: 'Fix the field named in the message; see the command docs for the schema.',
    userError: true,
  },
  ALLOT_PARSE_ERROR: {
    description: 'An input file (JSON, CSV) could not be parsed.',
    howToSolve: 'Check the file at the line or field named in the message.',
    userError: true,
  },
  ALLOT_MISSING_COLUMN: {
    description: 'A CSV input lacks a column the command needs.',
    howToSolve: 'Add the named column or pass a file in the expected layout.',
    userError: true,
  },
  ALLOT_NO_MATCH: {
    description: 'Filters matched no rows of the input.',
    howToSolve: 'Loosen the filters or check their spelling against the file.',
    userError: true,
  },
  ALLOT_UNKNOWN_OPTION: {
    description: 'A named choice (policy, method, distribution, domain) is not one allot knows.',
    howToSolve: 'Use one of the choices listed in the message or in `--help`.',
    userError: true,
  },
  ALLOT_FILE_NOT_FOUND: {
    description: 'An input file does not exist or cannot be read.',
    howToSolve: 'Check the path and its permissions.',
    userError: true,
  },
  ALLOT_IO_ERROR: {
    description: 'An output file could not be written.',
    howToSolve: 'Check that the target folder exists and is writable.',
    userError: true,
  },
  ALLOT_NOT_CONVERGED: {
    description: 'An iterative method did not reach its tolerance where convergence is required.',
    howToSolve: 'Raise the iteration cap or loosen the tolerance.',
    userError: true,
  },
  ALLOT_NOT_POSITIVE_DEFINITE: {
    description: 'A matrix that must be symmetric positive definite is not (Cholesky failed).',
    howToSolve: 'Add regularisation or check the matrix for errors.',
    userError: true,
  },
  ALLOT_DEGENERATE: {
    description:
      'The input admits no well-defined answer (for example a target that no quantile level reaches).',
    howToSolve: 'Read the message; the docs of the function say what it returns in the degenerate case.',
    userError: true,
  },
  ALLOT_INTERNAL: {
    description: 'An internal failure: a bug in allot, not in your input.',
    howToSolve: 'Report it with the command and input that triggered it.',
    userError: false,
  },
  ALLOT_UNKNOWN_AGENT: {
    description: 'The agent (or experiment) named in the request does not exist for this tenant.',
    howToSolve: 'Create it with PUT first, or check the id and the API token.',
    userError: true,
  },
  ALLOT_UNKNOWN_EVENT: {
    description: 'A reward names an event id that no decision of the agent logged.',
    howToSolve: 'Send the eventId returned by decide (rewards join decisions by event id).',
    userError: true,
  },
  ALLOT_CONFLICT: {
    description:
      'A resource exists with a different configuration (PUT is create-only, idempotent for the same body).',
    howToSolve: 'DELETE it first, or use another id.',
    userError: true,
  },
  ALLOT_BUDGET_EXHAUSTED: {
    description: 'A budgeted agent has spent its budget; it makes no more decisions.',
    howToSolve: 'Create a new agent with a new budget.',
    userError: true,
  },
  ALLOT_UNAUTHORIZED: {
    description: 'The request has no API token, or one the server does not know.',
    howToSolve: 'Send Authorization: Bearer TOKEN with a token of the --auth file.',
    userError: true,
  },
  ALLOT_PAYLOAD_TOO_LARGE: {
    description: 'The request body is larger than the service accepts.',
    howToSolve: 'Send a smaller body (see docs/serve.md for the limit).',
    userError: true,
  },
  ALLOT_UNSUPPORTED_MEDIA_TYPE: {
    description: 'The request body is not JSON (Content-Type application/json).',
    howToSolve: 'Send JSON with Content-Type: application/json.',
    userError: true,
  },
  ALLOT_NOT_FOUND: {
    description: 'No route matches the method and path.',
    howToSolve: 'Check the path against /openapi.json.',
    userError: true,
  },
  ALLOT_STORE_UNAVAILABLE: {
    description: 'The store (SQLite file or Redis) did not answer; nothing was acknowledged.',
    howToSolve: 'Retry the request; check the store (the service reconnects by itself).',
    userError: false,
  },
};

/** Options of an {@link AllotError}. */
export interface AllotErrorOptions {
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * The error thrown for bad input and known failure modes. The message names the input, the expected condition and
 * the actual value: `alpha must be > 0 (got -1)`.
 */
export class AllotError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: AllotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AllotError';
    this.code = code;
    this.details = options.details;
  }
}

/** True when `e` is an {@link AllotError}. */
export function isAllotError(e: unknown): e is AllotError {
  return e instanceof AllotError;
}
