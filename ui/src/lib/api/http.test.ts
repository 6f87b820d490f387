import { describe, expect, it, vi } from 'vitest';
import { barAnswer, dashboard, savedAnswer, scopeChoices, session } from '../../test/fixtures';
import { ApiException, isAbort, toApiError } from './api';
import { HttpApi, errorFrom, filenameFromDisposition, takeTokenFromUrl } from './http';

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

function setup(respond: (url: URL, init: RequestInit) => Response | Promise<Response>, token: string | null = 'tok123') {
  const calls: { url: URL; init: RequestInit }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push({ url, init: init ?? {} });
    return respond(url, init ?? {});
  });
  const saved: { blob: Blob; name: string }[] = [];
  const api = new HttpApi({
    base: 'http://127.0.0.1:8765/api/',
    token,
    fetch: fetchMock as unknown as typeof fetch,
    saveBlob: (blob, name) => saved.push({ blob, name }),
  });
  return { api, calls, saved };
}

const header = (init: RequestInit, name: string) => (init.headers as Record<string, string>)[name];

describe('HttpApi', () => {
  it('sends the bearer token and reads JSON', async () => {
    const { api, calls } = setup(() => json(session));
    expect(await api.session()).toEqual(session);
    expect(calls[0]!.url.pathname).toBe('/api/session');
    expect(header(calls[0]!.init, 'Authorization')).toBe('Bearer tok123');
    expect(calls[0]!.init.credentials).toBe('same-origin');
  });

  it('sends no Authorization header without a token (cookie session)', async () => {
    const { api, calls } = setup(() => json(session), null);
    await api.session();
    expect(header(calls[0]!.init, 'Authorization')).toBeUndefined();
  });

  it('maps every operation to its method and path', async () => {
    const { api, calls } = setup((url) => json(url.pathname.endsWith('/saved') ? [] : url.pathname.includes('dashboards') ? dashboard : savedAnswer));
    await api.suggestions('es');
    await api.ask({ question: 'q', conversation_id: 'c1' });
    await api.sql('SELECT 1');
    await api.savedList();
    await api.savedSave({ name: 'n', question: 'q', schedule: '0 8 * * 1' });
    await api.savedShow('a/1');
    await api.savedRun('a1');
    await api.savedDelete('a1');
    await api.savedSchedule('a1', null);
    await api.savedHistory('a1');
    await api.dashboardList();
    await api.dashboardCreate('D');
    await api.dashboardShow('d1');
    await api.dashboardAdd('d1', 'a1');
    await api.dashboardRemove('d1', 'a1');
    await api.dashboardRefresh('d1');
    const seen = calls.map((c) => `${c.init.method} ${c.url.pathname}${c.url.search}`);
    expect(seen).toEqual([
      'GET /api/suggestions?lang=es',
      'POST /api/ask',
      'POST /api/sql',
      'GET /api/saved',
      'POST /api/saved',
      'GET /api/saved/a%2F1',
      'POST /api/saved/a1/run',
      'DELETE /api/saved/a1',
      'PUT /api/saved/a1/schedule',
      'GET /api/saved/a1/history',
      'GET /api/dashboards',
      'POST /api/dashboards',
      'GET /api/dashboards/d1',
      'POST /api/dashboards/d1/tiles',
      'DELETE /api/dashboards/d1/tiles/a1',
      'POST /api/dashboards/d1/refresh',
    ]);
    const bodies = calls.map((c) => (c.init.body ? JSON.parse(String(c.init.body)) : undefined));
    expect(bodies[1]).toEqual({ question: 'q', conversation_id: 'c1' });
    expect(bodies[2]).toEqual({ sql: 'SELECT 1' });
    expect(bodies[4]).toEqual({ name: 'n', question: 'q', schedule: '0 8 * * 1' });
    expect(bodies[8]).toEqual({ schedule: null });
    expect(bodies[11]).toEqual({ name: 'D' });
    expect(bodies[13]).toEqual({ analysis_id: 'a1' });
    expect(header(calls[1]!.init, 'Content-Type')).toBe('application/json');
  });

  it('reads the scope choices and sends no scope header until one is picked', async () => {
    const { api, calls } = setup(() => json(scopeChoices));
    expect(await api.scope()).toEqual(scopeChoices);
    expect(`${calls[0]!.init.method} ${calls[0]!.url.pathname}`).toBe('GET /api/scope');
    expect(header(calls[0]!.init, 'X-Inda-Scope')).toBeUndefined();
    expect(api.currentScope).toBeNull();
  });

  it('sends the picked scope as X-Inda-Scope on every later call, once the server accepted it', async () => {
    const { api, calls } = setup((url) => json(url.pathname.endsWith('/scope') ? scopeChoices : url.pathname.endsWith('/saved') ? [] : barAnswer));
    expect(await api.setScope([' acme_corp', 'globex', 'acme_corp', ''])).toEqual(scopeChoices);
    expect(`${calls[0]!.init.method} ${calls[0]!.url.pathname}`).toBe('GET /api/scope');
    expect(header(calls[0]!.init, 'X-Inda-Scope')).toBe('acme_corp,globex');
    await api.ask({ question: 'messages by company' });
    await api.savedList();
    await api.export({ analysis: 'a1' }, 'csv').catch(() => undefined);
    for (const c of calls.slice(1)) expect(header(c.init, 'X-Inda-Scope'), c.url.pathname).toBe('acme_corp,globex');
    expect(api.currentScope).toEqual(['acme_corp', 'globex']);
    // Everything again: the header is gone.
    await api.setScope(null);
    await api.savedList();
    expect(header(calls.at(-1)!.init, 'X-Inda-Scope')).toBeUndefined();
    await api.setScope([]);
    expect(api.currentScope).toBeNull();
  });

  it('keeps the previous scope when the server refuses the new one', async () => {
    const { api, calls } = setup((_url, init) =>
      header(init, 'X-Inda-Scope')?.includes('stark_ind')
        ? json({ error: { code: 'auth', message: 'not in your scope: stark_ind (your scope: acme_corp, globex, initech, umbrella)' } }, 401)
        : json(scopeChoices),
    );
    await api.setScope(['globex']);
    const err = toApiError(await api.setScope(['globex', 'stark_ind']).catch((e: unknown) => e));
    expect(err).toEqual({ code: 'auth', message: 'not in your scope: stark_ind (your scope: acme_corp, globex, initech, umbrella)' });
    expect(api.currentScope).toEqual(['globex']);
    await api.scope();
    expect(header(calls.at(-1)!.init, 'X-Inda-Scope')).toBe('globex');
  });

  it('checks a token without taking it: the session it opens, with it as the bearer and no scope', async () => {
    const { api, calls } = setup(() => json(session));
    await api.setScope(['globex']);
    expect(await api.sessionFor('fresh456')).toEqual(session);
    expect(`${calls[1]!.init.method} ${calls[1]!.url.pathname}`).toBe('GET /api/session');
    expect(header(calls[1]!.init, 'Authorization')).toBe('Bearer fresh456');
    expect(header(calls[1]!.init, 'X-Inda-Scope')).toBeUndefined();
    await api.savedList();
    expect(header(calls[2]!.init, 'Authorization')).toBe('Bearer tok123');
    expect(header(calls[2]!.init, 'X-Inda-Scope')).toBe('globex');
  });

  it('replaces its token, keeping the scope unless told', async () => {
    const { api, calls } = setup((url) => json(url.pathname.endsWith('/scope') ? scopeChoices : []));
    await api.setScope(['globex']);
    api.setToken('fresh456');
    await api.savedList();
    expect(header(calls[1]!.init, 'Authorization')).toBe('Bearer fresh456');
    expect(header(calls[1]!.init, 'X-Inda-Scope')).toBe('globex');
    api.setToken('other789', null);
    await api.savedList();
    expect(header(calls[2]!.init, 'Authorization')).toBe('Bearer other789');
    expect(header(calls[2]!.init, 'X-Inda-Scope')).toBeUndefined();
    expect(api.currentScope).toBeNull();
  });

  it('sends a request again with the new token when the old one was refused while it was out', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const { api, calls } = setup(async (_url, init) => {
      if (header(init, 'Authorization') === 'Bearer tok123') {
        await held;
        return json({ error: { code: 'auth', message: 'the session has expired' } }, 401);
      }
      return json([]);
    });
    const list = api.savedList();
    api.setToken('fresh456');
    release();
    expect(await list).toEqual([]);
    expect(calls.map((c) => header(c.init, 'Authorization'))).toEqual(['Bearer tok123', 'Bearer fresh456']);
    // Refused with the token it still has: an auth error as always.
    const { api: same } = setup(() => json({ error: { code: 'auth', message: 'expired' } }, 401));
    expect(toApiError(await same.savedList().catch((e: unknown) => e)).code).toBe('auth');
  });

  it('reads who may frame the UI, with or without a session', async () => {
    const { api, calls } = setup(() => json({ frame_ancestors: ['https://crm.example.com'] }), null);
    expect(await api.embedding()).toEqual({ frame_ancestors: ['https://crm.example.com'] });
    expect(`${calls[0]!.init.method} ${calls[0]!.url.pathname}`).toBe('GET /api/embedding');
    expect(header(calls[0]!.init, 'Authorization')).toBeUndefined();
  });

  it('starts with a scope given at construction', async () => {
    const calls: RequestInit[] = [];
    const api = new HttpApi({
      base: 'http://127.0.0.1:8765/api/',
      token: null,
      scope: ['globex'],
      fetch: (async (_input: RequestInfo | URL, init?: RequestInit) => {
        calls.push(init ?? {});
        return json([]);
      }) as typeof fetch,
    });
    await api.savedList();
    expect(header(calls[0]!, 'X-Inda-Scope')).toBe('globex');
  });

  it('turns error bodies into {code, message}', async () => {
    const { api } = setup(() => json({ error: { code: 'guard_rejected', message: 'table secrets is not available' } }, 403));
    const err = await api.sql('SELECT * FROM secrets').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect(toApiError(err)).toEqual({ code: 'guard_rejected', message: 'table secrets is not available' });
  });

  it('falls back to the HTTP status when the body is not the error shape', async () => {
    for (const [status, code] of [
      [400, 'usage'],
      [401, 'auth'],
      [403, 'guard_rejected'],
      [404, 'not_found'],
      [422, 'not_understood'],
      [502, 'engine'],
      [500, 'internal'],
    ] as const) {
      const e = await errorFrom(new Response('oops', { status }));
      expect(e.code).toBe(code);
      expect(e.message).toBe('oops');
    }
  });

  it('reports an unreachable server as internal', async () => {
    const { api } = setup(() => {
      throw new TypeError('Failed to fetch');
    });
    const err = toApiError(await api.session().catch((e: unknown) => e));
    expect(err.code).toBe('internal');
    expect(err.message).toContain('Failed to fetch');
  });

  it('aborts long operations', async () => {
    const { api } = setup(
      (_url, init) =>
        new Promise<Response>((resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
          setTimeout(() => resolve(json(barAnswer)), 5_000);
        }),
    );
    const controller = new AbortController();
    const p = api.ask({ question: 'slow' }, controller.signal);
    controller.abort();
    const err = await p.catch((e: unknown) => e);
    expect(isAbort(err)).toBe(true);
    const pre = await api.sql('SELECT 1', controller.signal).catch((e: unknown) => e);
    expect(isAbort(pre)).toBe(true);
  });

  it('exports by downloading the file named by Content-Disposition', async () => {
    const { api, calls, saved } = setup(
      () =>
        new Response('a,b\n1,2\n', {
          headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="weekly msgs.csv"', 'X-Export-Rows': '1' },
        }),
    );
    const out = await api.export({ analysis: 'a1' }, 'csv');
    expect(calls[0]!.url.pathname + calls[0]!.url.search).toBe('/api/export?analysis=a1&to=csv');
    expect(out).toEqual({ path: 'weekly msgs.csv', rows: 1, bytes: 8 });
    expect(saved[0]!.name).toBe('weekly msgs.csv');
    await api.export({ dashboard: 'd1' }, 'pdf');
    expect(calls[1]!.url.search).toBe('?dashboard=d1&to=pdf');
    await api.export({ dashboard: 'd1' }, 'pdf', 'es');
    expect(calls[2]!.url.search).toBe('?dashboard=d1&to=pdf&lang=es');
  });

  it('exports an unsaved answer by posting it as shown', async () => {
    const name = 'Messages by channel – 2026-12-02.csv';
    const { api, calls, saved } = setup(
      () =>
        new Response('a,b\n1,2\n', {
          headers: { 'Content-Disposition': `attachment; filename="x.csv"; filename*=UTF-8''${encodeURIComponent(name)}`, 'X-Export-Rows': '3' },
        }),
    );
    const out = await api.exportAnswer(barAnswer, 'csv', 'en');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.url.pathname).toBe('/api/export');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ answer: barAnswer, to: 'csv', lang: 'en' });
    expect(out).toEqual({ path: name, rows: 3, bytes: 8 });
    expect(saved[0]!.name).toBe(name);
  });

  it('arranges dashboards and keeps their filters through the documented routes', async () => {
    const { api, calls } = setup(() => json({}));
    await api.dashboardRename('d1', 'R');
    await api.dashboardDelete('d1');
    await api.dashboardAddText('d1', 'Note');
    await api.dashboardUpdateTile('d1', 'a/1', { width: 12 });
    await api.dashboardRemoveTile('d1', 'text-1');
    await api.dashboardSetFilters('d1', { from: '2026-01-01', channel: ['sms'] });
    await api.dashboardFilterChoices('d1');
    await api.savedSetChart('a1', { kind: 'pie', x: 'channel', y: ['messages'] });
    expect(calls.map((c) => `${c.init.method} ${c.url.pathname}`)).toEqual([
      'PATCH /api/dashboards/d1',
      'DELETE /api/dashboards/d1',
      'POST /api/dashboards/d1/tiles',
      'PATCH /api/dashboards/d1/tiles/a%2F1',
      'DELETE /api/dashboards/d1/tiles/text-1',
      'PUT /api/dashboards/d1/filters',
      'GET /api/dashboards/d1/filters',
      'PUT /api/saved/a1/chart',
    ]);
    expect(JSON.parse(String(calls[2]!.init.body))).toEqual({ text: 'Note' });
    expect(JSON.parse(String(calls[3]!.init.body))).toEqual({ width: 12 });
    expect(JSON.parse(String(calls[5]!.init.body))).toEqual({ from: '2026-01-01', channel: ['sms'] });
    expect(JSON.parse(String(calls[7]!.init.body))).toEqual({ chart: { kind: 'pie', x: 'channel', y: ['messages'] } });
  });

  it('manages alerts through the documented routes; the webhook URL goes in the create body only', async () => {
    const { api, calls } = setup(() => json({}));
    await api.alertList();
    await api.alertCreate({ analysis_id: 'a1', condition: 'change_up', threshold: 10, webhook_url: 'https://hooks.example/x' });
    await api.alertSetPaused('al/1', true);
    await api.alertTest('al1');
    await api.alertDelete('al1');
    expect(calls.map((c) => `${c.init.method} ${c.url.pathname}`)).toEqual([
      'GET /api/alerts',
      'POST /api/alerts',
      'PATCH /api/alerts/al%2F1',
      'POST /api/alerts/al1/test',
      'DELETE /api/alerts/al1',
    ]);
    expect(JSON.parse(String(calls[1]!.init.body))).toEqual({
      analysis_id: 'a1',
      condition: 'change_up',
      threshold: 10,
      webhook_url: 'https://hooks.example/x',
    });
    expect(JSON.parse(String(calls[2]!.init.body))).toEqual({ paused: true });
    expect(header(calls[4]!.init, 'Authorization')).toBe('Bearer tok123');
  });

  it('reads the row count from the older X-Inda-Rows header too, and 0 when absent', async () => {
    let n = 0;
    const { api } = setup(() => new Response('x', { headers: n++ === 0 ? { 'X-Inda-Rows': '7' } : {} }));
    expect((await api.export({ analysis: 'a1' }, 'csv')).rows).toBe(7);
    expect((await api.export({ analysis: 'a1' }, 'csv')).rows).toBe(0);
  });
});

describe('token from the URL', () => {
  it('is read once and removed from the address bar', () => {
    const replaceState = vi.fn();
    const token = takeTokenFromUrl({ href: 'http://127.0.0.1:8765/?token=abc.def&x=1#/saved' }, { replaceState, state: null });
    expect(token).toBe('abc.def');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/?x=1#/saved');
  });
  it('leaves the URL alone when there is none', () => {
    const replaceState = vi.fn();
    expect(takeTokenFromUrl({ href: 'http://h/#/chat' }, { replaceState, state: null })).toBeNull();
    expect(replaceState).not.toHaveBeenCalled();
  });
});

describe('Content-Disposition', () => {
  it('prefers the RFC 5987 name', () => {
    expect(filenameFromDisposition(`attachment; filename="a.csv"; filename*=UTF-8''Mensajes%20%C3%B1.csv`)).toBe('Mensajes ñ.csv');
    expect(filenameFromDisposition('attachment; filename=report.pdf')).toBe('report.pdf');
    expect(filenameFromDisposition(null)).toBeNull();
  });
});
