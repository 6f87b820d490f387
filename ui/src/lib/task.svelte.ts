// A long operation (ask, sql, run, refresh) with progress and cancellation.
import { isAbort, toApiError } from './api';
import type { ApiError } from './api/types';
import { noteError } from './state.svelte';

/** Tasks in flight (a plain list: nothing renders from it). */
const running: Task[] = [];

function forget(t: Task): void {
  const i = running.indexOf(t);
  if (i >= 0) running.splice(i, 1);
}

/** Cancels every running task (Esc). Returns whether there was one. */
export function cancelAll(): boolean {
  const had = running.length > 0;
  for (const t of [...running]) t.cancel();
  return had;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; cancelled: true } | { ok: false; cancelled: false; error: ApiError };

export class Task {
  running = $state(false);
  startedAt = $state(0);
  #controller: AbortController | null = null;

  async run<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<Outcome<T>> {
    this.cancel();
    const controller = new AbortController();
    this.#controller = controller;
    this.running = true;
    this.startedAt = Date.now();
    running.push(this);
    // Cancelling settles the task at once: the request may take its time to stop (a slow network, a proxy
    // holding it), and the person who pressed Esc is told it is cancelled now, not when the request ends.
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(new DOMException('Cancelled', 'AbortError')), { once: true }),
    );
    try {
      return { ok: true, value: await Promise.race([fn(controller.signal), aborted]) };
    } catch (e) {
      if (isAbort(e) || controller.signal.aborted) return { ok: false, cancelled: true };
      return { ok: false, cancelled: false, error: noteError(toApiError(e)) };
    } finally {
      if (this.#controller === controller) {
        this.running = false;
        this.#controller = null;
        forget(this);
      }
    }
  }

  cancel(): void {
    if (this.#controller) {
      this.#controller.abort();
      this.#controller = null;
      this.running = false;
      forget(this);
    }
  }
}

/** Runs a short call, turning failures into `{code, message}` (and noting auth failures). */
export async function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (isAbort(e)) return { ok: false, cancelled: true };
    return { ok: false, cancelled: false, error: noteError(toApiError(e)) };
  }
}
