/**
 * Errors as Azure AI Personalizer writes them: `{"error": {"code", "message", "innerError"?}}` with its status
 * codes. allot's own code (ALLOT_...) rides along in `innerError.code`, so the docs/errors.md entry stays findable.
 */
import { isAllotError } from '../../core/errors.js';
import { toHttpError } from '../errors.js';

/** An error with Personalizer's status and code. */
export class PersonalizerError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'PersonalizerError';
    this.status = status;
    this.code = code;
  }
}

/** A Personalizer error body. */
export interface PersonalizerErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly innerError?: { readonly code: string; readonly message: string };
  };
}

/**
 * Renders any thrown value in Personalizer's shape.
 *
 * @param e - a PersonalizerError, an AllotError, a Fastify error (validation, size, parse) or anything else.
 * @param badRequestCode - the Personalizer code of a 400 on this route (`InvalidRankRequest`, ...).
 */
export function toPersonalizerError(
  e: unknown,
  badRequestCode: string,
): { status: number; body: PersonalizerErrorBody } {
  if (e instanceof PersonalizerError)
    return { status: e.status, body: { error: { code: e.code, message: e.message } } };
  const { status, body } = toHttpError(e);
  const allot = body.error;
  let code: string;
  if (status === 401) code = '401';
  else if (status === 404) code = 'ResourceNotFound';
  else if (status === 413) code = 'PayloadSizeExceeded';
  else if (status === 409) code = 'OperationNotAllowed';
  else if (status >= 500) code = 'InternalServerError';
  else code = isAllotError(e) || status === 400 ? badRequestCode : 'BadRequest';
  return {
    status,
    body: {
      error: { code, message: allot.message, innerError: { code: allot.code, message: allot.message } },
    },
  };
}
