// The desktop app's updates (src-tauri/src/updates.rs): a check some seconds after start-up, and an install
// only after the user agrees. Outside the desktop shell (inda serve in a browser) there is nothing to update.
import type { Invoke } from './api/tauri';
import { toApiError } from './api';
import type { ApiError, AvailableUpdate, UpdateCheck } from './api/types';

/** Asks the shell whether a newer version is offered; null when there is none to show (or no shell). */
export async function availableUpdate(invoke: Invoke | null): Promise<AvailableUpdate | null> {
  if (!invoke) return null;
  const check = (await invoke('check_update')) as UpdateCheck;
  return check.status === 'available' ? check : null;
}

/** Installs the version the user agreed to; the app restarts into it, so success never returns here. */
export async function installUpdate(invoke: Invoke, version: string): Promise<ApiError | null> {
  try {
    await invoke('install_update', { version });
    return null;
  } catch (e) {
    return toApiError(e);
  }
}
