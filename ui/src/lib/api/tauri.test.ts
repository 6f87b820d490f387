import { describe, expect, it, vi } from 'vitest';
import { barAnswer } from '../../test/fixtures';
import { isAbort, toApiError } from './api';
import { TauriApi, tauriInvoke, tauriListen } from './tauri';

function setup(impl?: (cmd: string, args?: Record<string, unknown>) => Promise<unknown>) {
  const invoke = vi.fn(impl ?? (async () => ({})));
  return { api: new TauriApi(invoke), invoke };
}

describe('TauriApi', () => {
  it('calls one snake_case command per operation with camelCase args', async () => {
    const { api, invoke } = setup();
    await api.session();
    await api.config();
    await api.suggestions('en');
    await api.ask({ question: 'q', conversation_id: 'c1' });
    await api.sql('SELECT 1');
    await api.savedList();
    await api.savedSave({ name: 'n', sql: 'SELECT 1' });
    await api.savedShow('a1');
    await api.savedRun('a1');
    await api.savedDelete('a1');
    await api.savedSchedule('a1', '0 8 * * *');
    await api.savedHistory('a1');
    await api.dashboardList();
    await api.dashboardCreate('D');
    await api.dashboardShow('d1');
    await api.dashboardAdd('d1', 'a1');
    await api.dashboardRemove('d1', 'a1');
    await api.dashboardRefresh('d1');
    await api.export({ dashboard: 'd1' }, 'pdf');
    await api.dashboardRename('d1', 'R');
    await api.dashboardDelete('d1');
    await api.dashboardAddText('d1', 'Note');
    await api.dashboardUpdateTile('d1', 't1', { position: 2 });
    await api.dashboardRemoveTile('d1', 't1');
    await api.dashboardSetFilters('d1', { channel: ['sms'] });
    await api.dashboardFilterChoices('d1');
    await api.savedSetChart('a1', { kind: 'pie', x: 'channel', y: ['messages'] });
    await api.exportAnswer(barAnswer, 'csv', 'es');
    await api.ask({ question: 'q', drill: { column: 'channel', value: 'sms' } });
    expect(invoke.mock.calls.map((c) => c[0])).toEqual([
      'session',
      'config',
      'suggestions',
      'ask',
      'sql',
      'saved_list',
      'saved_save',
      'saved_show',
      'saved_run',
      'saved_delete',
      'saved_schedule',
      'saved_history',
      'dashboard_list',
      'dashboard_create',
      'dashboard_show',
      'dashboard_add',
      'dashboard_remove',
      'dashboard_refresh',
      'export',
      'dashboard_rename',
      'dashboard_delete',
      'dashboard_add_text',
      'dashboard_update_tile',
      'dashboard_remove_tile',
      'dashboard_set_filters',
      'dashboard_filter_choices',
      'saved_set_chart',
      'export_answer',
      'ask',
    ]);
    const args = invoke.mock.calls.map((c) => c[1]);
    expect(args[3]).toEqual({ question: 'q', conversationId: 'c1', newConversation: false });
    expect(args[6]).toEqual({ name: 'n', description: null, question: null, sql: 'SELECT 1', schedule: null, chart: null });
    expect(args[10]).toEqual({ id: 'a1', schedule: '0 8 * * *' });
    expect(args[15]).toEqual({ id: 'd1', analysisId: 'a1' });
    expect(args[18]).toEqual({ analysis: null, dashboard: 'd1', to: 'pdf', lang: null });
    expect(args[22]).toEqual({ id: 'd1', tileId: 't1', position: 2, width: null, height: null, text: null });
    expect(args[24]).toEqual({ id: 'd1', filters: { channel: ['sms'] } });
    expect(args[27]).toEqual({ answer: barAnswer, to: 'csv', lang: 'es' });
    expect(args[28]).toMatchObject({ question: 'q', drill: { column: 'channel', value: 'sms' } });
  });

  it('manages alerts through alert_* commands, the create request in camelCase', async () => {
    const { api, invoke } = setup();
    await api.alertList();
    await api.alertCreate({ analysis_id: 'a1', condition: 'above', threshold: 5, column: 'messages', webhook_url: 'https://h.example/x' });
    await api.alertSetPaused('al1', false);
    await api.alertTest('al1');
    await api.alertDelete('al1');
    expect(invoke.mock.calls).toEqual([
      ['alert_list', {}],
      [
        'alert_create',
        { analysisId: 'a1', condition: 'above', threshold: 5, column: 'messages', row: null, webhookUrl: 'https://h.example/x' },
      ],
      ['alert_set_paused', { id: 'al1', paused: false }],
      ['alert_test', { id: 'al1' }],
      ['alert_delete', { id: 'al1' }],
    ]);
  });

  it('reads and sets the scope through the shell (scope, set_scope {tenants})', async () => {
    const { api, invoke } = setup(async () => []);
    await api.scope();
    await api.setScope(['acme_corp', ' globex ', 'acme_corp']);
    await api.setScope(null);
    await api.setScope([]);
    expect(invoke.mock.calls).toEqual([
      ['scope', {}],
      ['set_scope', { tenants: ['acme_corp', 'globex'] }],
      ['set_scope', { tenants: null }],
      ['set_scope', { tenants: null }],
    ]);
  });

  it('passes {code, message} errors through', async () => {
    const { api } = setup(async () => {
      throw { code: 'not_understood', message: 'I did not understand "life".' };
    });
    const err = toApiError(await api.ask({ question: 'life' }).catch((e: unknown) => e));
    expect(err).toEqual({ code: 'not_understood', message: 'I did not understand "life".' });
    const { api: api2 } = setup(async () => {
      throw 'panic in command';
    });
    expect(toApiError(await api2.savedList().catch((e: unknown) => e))).toEqual({ code: 'internal', message: 'panic in command' });
  });

  it('long commands get a requestId; aborting rejects at once and asks the core to cancel', async () => {
    let finish: (v: unknown) => void = () => undefined;
    const { api, invoke } = setup((cmd) => (cmd === 'cancel' ? Promise.resolve(null) : new Promise((r) => (finish = r))));
    const controller = new AbortController();
    const p = api.ask({ question: 'slow' }, controller.signal);
    controller.abort();
    expect(isAbort(await p.catch((e: unknown) => e))).toBe(true);
    finish(barAnswer);
    const ask = invoke.mock.calls[0]!;
    const requestId = (ask[1] as { requestId: string }).requestId;
    expect(requestId).toBeTruthy();
    expect(invoke.mock.calls[1]).toEqual(['cancel', { requestId }]);
  });

  it('resolves when not aborted', async () => {
    const { api } = setup(async () => barAnswer);
    expect(await api.sql('SELECT 1', new AbortController().signal)).toEqual(barAnswer);
  });
});

describe('transport choice', () => {
  it('finds window.__TAURI__.core.invoke', () => {
    expect(tauriInvoke({})).toBeNull();
    expect(tauriInvoke({ __TAURI__: { core: {} } })).toBeNull();
    const invoke = vi.fn();
    expect(tauriInvoke({ __TAURI__: { core: { invoke } } })).toBeTypeOf('function');
  });
  it('finds window.__TAURI__.event.listen (the deep link’s new session)', () => {
    expect(tauriListen({})).toBeNull();
    expect(tauriListen({ __TAURI__: { core: {} } })).toBeNull();
    const listen = vi.fn(async () => () => undefined);
    const found = tauriListen({ __TAURI__: { event: { listen } } });
    expect(found).toBeTypeOf('function');
    void found?.('deep-link-opened', () => undefined);
    expect(listen).toHaveBeenCalledWith('deep-link-opened', expect.any(Function));
  });
});
