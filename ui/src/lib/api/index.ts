import type { Api } from './api';
import { HttpApi, takeTokenFromUrl } from './http';
import { TauriApi, tauriChannel, tauriInvoke } from './tauri';

export type { Api } from './api';
export { ApiException, isAbort, toApiError } from './api';
export * from './types';

/** Picks the transport at startup: the Tauri global when present, else HTTP to `inda serve` at `./api/`. */
export function createApi(win: Window = window): Api {
  const invoke = tauriInvoke(win);
  if (invoke) return new TauriApi(invoke, tauriChannel(win));
  const token = takeTokenFromUrl(win.location, win.history);
  return new HttpApi({ base: new URL('api/', new URL('./', win.location.href)).toString(), token });
}
