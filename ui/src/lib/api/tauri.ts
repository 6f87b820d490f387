import type { Api, ExplanationEvent, OnExplanation, TilePatch } from './api';
import { ApiException, abortError, normalizeScope, toApiError } from './api';
import type {
  Alert,
  AlertDelivery,
  AlertRequest,
  Answer,
  AskRequest,
  ChartSpec,
  Dashboard,
  DashboardFilters,
  DashboardView,
  Deleted,
  Execution,
  ExportFormat,
  ExportSummary,
  ExportTarget,
  FilterChoices,
  Lang,
  SaveRequest,
  SavedAnalysis,
  SavedAnswer,
  ScopeChoice,
  SessionInfo,
  Suggestions,
  UiConfig,
} from './types';

export type Invoke = (command: string, args?: Record<string, unknown>) => Promise<unknown>;

/** Tauri's IPC channel (`window.__TAURI__.core.Channel`): the core sends messages, `onmessage` receives them. */
export interface ChannelLike<T> {
  onmessage: (message: T) => void;
}
export type ChannelFactory = <T>() => ChannelLike<T>;

/** Subscribes to an event the shell emits (`window.__TAURI__.event.listen`); resolves with the unsubscribe. */
export type Listen = (event: string, handler: (event: { payload: unknown }) => void) => Promise<() => void>;

interface TauriGlobal {
  core?: { invoke?: Invoke; Channel?: new () => ChannelLike<unknown> };
  event?: { listen?: Listen };
}

/** The shell's event subscription, or null outside the desktop shell. */
export function tauriListen(win: unknown): Listen | null {
  const t = (win as { __TAURI__?: TauriGlobal } | undefined)?.__TAURI__;
  const listen = t?.event?.listen;
  return typeof listen === 'function' ? listen.bind(t?.event) : null;
}

/** A factory of Tauri channels, or null outside the desktop shell (or in a shell without them). */
export function tauriChannel(win: unknown): ChannelFactory | null {
  const C = (win as { __TAURI__?: TauriGlobal } | undefined)?.__TAURI__?.core?.Channel;
  return typeof C === 'function' ? (<T,>() => new C() as ChannelLike<T>) : null;
}

/** The `invoke` of the Tauri global (`app.withGlobalTauri = true`), or null outside the desktop shell. */
export function tauriInvoke(win: unknown): Invoke | null {
  const t = (win as { __TAURI__?: TauriGlobal } | undefined)?.__TAURI__;
  const invoke = t?.core?.invoke;
  return typeof invoke === 'function' ? invoke.bind(t?.core) : null;
}

let nextRequest = 0;

/**
 * The desktop transport: one Tauri command per operation, named like the method in snake_case. Arguments follow
 * Tauri's default camelCase mapping to Rust snake_case parameters (`analysisId` → `analysis_id`); a request type
 * (`AskRequest`, `SaveRequest`, an export) goes as its fields, named the same way. Errors arrive as
 * `{code, message}`. Long commands also get a `requestId`; aborting calls `cancel {requestId}` (best effort) and
 * rejects at once.
 */
export class TauriApi implements Api {
  readonly transport = 'tauri' as const;
  readonly #invoke: Invoke;
  readonly #channel: ChannelFactory | null;

  constructor(invoke: Invoke, channel: ChannelFactory | null = null) {
    this.#invoke = invoke;
    this.#channel = channel;
  }

  async #call<T>(command: string, args: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortError();
    if (!signal) {
      try {
        return (await this.#invoke(command, args)) as T;
      } catch (e) {
        throw asException(e);
      }
    }
    const requestId = `r${Date.now().toString(36)}-${(nextRequest++).toString(36)}`;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.#invoke('cancel', { requestId }).catch(() => undefined);
        reject(abortError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#invoke(command, { ...args, requestId }).then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          if (!signal.aborted) resolve(v as T);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (!signal.aborted) reject(asException(e));
        },
      );
    });
  }

  session(): Promise<SessionInfo> {
    return this.#call('session');
  }
  config(): Promise<UiConfig> {
    return this.#call('config');
  }
  scope(): Promise<ScopeChoice[]> {
    return this.#call('scope');
  }
  /** The shell checks the scope and keeps it for every later command (`null`: everything the role reaches). */
  setScope(tenants: string[] | null): Promise<ScopeChoice[]> {
    return this.#call('set_scope', { tenants: normalizeScope(tenants) });
  }
  suggestions(lang: 'en' | 'es'): Promise<Suggestions> {
    return this.#call('suggestions', { lang });
  }
  ask(req: AskRequest, signal?: AbortSignal, onExplanation?: OnExplanation): Promise<Answer> {
    const args: Record<string, unknown> = {
      question: req.question,
      conversationId: req.conversation_id ?? null,
      newConversation: req.new_conversation ?? false,
    };
    if (req.provider) args.provider = req.provider;
    if (req.drill) args.drill = req.drill;
    // The shell's `ask` takes a channel for the explanation stream (a Tauri channel argument cannot be optional).
    if (this.#channel) {
      const channel = this.#channel<ExplanationEvent>();
      channel.onmessage = (m) => {
        if (onExplanation && !signal?.aborted) onExplanation(m);
      };
      args.explanation = channel;
    }
    return this.#call('ask', args, signal);
  }
  sql(sql: string, signal?: AbortSignal): Promise<Answer> {
    return this.#call('sql', { sql }, signal);
  }
  savedList(): Promise<SavedAnalysis[]> {
    return this.#call('saved_list');
  }
  savedSave(req: SaveRequest): Promise<SavedAnalysis> {
    return this.#call('saved_save', {
      name: req.name,
      description: req.description ?? null,
      question: req.question ?? null,
      sql: req.sql ?? null,
      schedule: req.schedule ?? null,
      chart: req.chart ?? null,
    });
  }
  savedShow(id: string, signal?: AbortSignal): Promise<SavedAnswer> {
    return this.#call('saved_show', { id }, signal);
  }
  savedRun(id: string, signal?: AbortSignal): Promise<SavedAnswer> {
    return this.#call('saved_run', { id }, signal);
  }
  savedDelete(id: string): Promise<Deleted> {
    return this.#call('saved_delete', { id });
  }
  savedSchedule(id: string, schedule: string | null): Promise<SavedAnalysis> {
    return this.#call('saved_schedule', { id, schedule });
  }
  savedHistory(id: string): Promise<Execution[]> {
    return this.#call('saved_history', { id });
  }
  dashboardList(): Promise<Dashboard[]> {
    return this.#call('dashboard_list');
  }
  dashboardCreate(name: string): Promise<DashboardView> {
    return this.#call('dashboard_create', { name });
  }
  dashboardShow(id: string, signal?: AbortSignal): Promise<DashboardView> {
    return this.#call('dashboard_show', { id }, signal);
  }
  dashboardAdd(id: string, analysisId: string): Promise<DashboardView> {
    return this.#call('dashboard_add', { id, analysisId });
  }
  dashboardRemove(id: string, analysisId: string): Promise<DashboardView> {
    return this.#call('dashboard_remove', { id, analysisId });
  }
  dashboardRefresh(id: string, signal?: AbortSignal): Promise<DashboardView> {
    return this.#call('dashboard_refresh', { id }, signal);
  }
  dashboardRename(id: string, name: string): Promise<DashboardView> {
    return this.#call('dashboard_rename', { id, name });
  }
  dashboardDelete(id: string): Promise<Deleted> {
    return this.#call('dashboard_delete', { id });
  }
  dashboardAddText(id: string, text: string): Promise<DashboardView> {
    return this.#call('dashboard_add_text', { id, text });
  }
  dashboardUpdateTile(id: string, tileId: string, patch: TilePatch): Promise<DashboardView> {
    return this.#call('dashboard_update_tile', {
      id,
      tileId,
      position: patch.position ?? null,
      width: patch.width ?? null,
      height: patch.height ?? null,
      text: patch.text ?? null,
    });
  }
  dashboardRemoveTile(id: string, tileId: string): Promise<DashboardView> {
    return this.#call('dashboard_remove_tile', { id, tileId });
  }
  dashboardSetFilters(id: string, filters: DashboardFilters): Promise<DashboardView> {
    return this.#call('dashboard_set_filters', { id, filters });
  }
  dashboardFilterChoices(id: string): Promise<FilterChoices> {
    return this.#call('dashboard_filter_choices', { id });
  }
  savedSetChart(id: string, chart: ChartSpec): Promise<SavedAnalysis> {
    return this.#call('saved_set_chart', { id, chart });
  }
  alertList(): Promise<Alert[]> {
    return this.#call('alert_list');
  }
  /** Read by the shell from all of its arguments, in camelCase (`analysisId`, `webhookUrl`). */
  alertCreate(req: AlertRequest): Promise<Alert> {
    return this.#call('alert_create', {
      analysisId: req.analysis_id,
      condition: req.condition,
      threshold: req.threshold,
      column: req.column ?? null,
      row: req.row ?? null,
      webhookUrl: req.webhook_url,
    });
  }
  alertSetPaused(id: string, paused: boolean): Promise<Alert> {
    return this.#call('alert_set_paused', { id, paused });
  }
  alertDelete(id: string): Promise<Deleted> {
    return this.#call('alert_delete', { id });
  }
  alertTest(id: string): Promise<AlertDelivery> {
    return this.#call('alert_test', { id });
  }
  /** The shell shows a native save dialog and writes the file; returns `{path, rows}`. */
  export(target: ExportTarget, to: ExportFormat, lang?: Lang): Promise<ExportSummary> {
    const ids = 'analysis' in target ? { analysis: target.analysis, dashboard: null } : { analysis: null, dashboard: target.dashboard };
    return this.#call('export', { ...ids, to, lang: lang ?? null });
  }
  /** The answer as shown, through the same save dialog. */
  exportAnswer(answer: Answer, to: ExportFormat, lang?: Lang): Promise<ExportSummary> {
    return this.#call('export_answer', { answer, to, lang: lang ?? null });
  }
}

function asException(e: unknown): ApiException {
  const err = toApiError(e);
  return new ApiException(err.code, err.message);
}
