/** postMessage from a dedicated worker (typed without the WebWorker lib, which clashes with DOM). */
export function post(message: unknown): void {
  (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(message);
}

/** Registers the worker's message handler. */
export function onMessage<T>(fn: (data: T) => void): void {
  (globalThis as unknown as { onmessage: (ev: MessageEvent<T>) => void }).onmessage = (ev) => fn(ev.data);
}

/** An error as plain data (AllotError keeps its code). */
export function errorData(e: unknown): { code: string; message: string } {
  const err = e as { code?: unknown; message?: unknown };
  return {
    code: typeof err.code === 'string' ? err.code : 'ALLOT_INTERNAL',
    message: typeof err.message === 'string' ? err.message : String(e),
  };
}
