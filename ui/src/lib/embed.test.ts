import { describe, expect, it } from 'vitest';
import { session } from '../test/fixtures';
import {
  MAX_DELAY_MS,
  TOKEN_REFRESH,
  TOKEN_REFRESH_NEEDED,
  backoffDelay,
  checkMessage,
  expiresAtSeconds,
  isAllowedOrigin,
  neededMessage,
  originMatches,
  parseOrigin,
  sameUser,
  targetOrigins,
  tokenNeeded,
} from './embed';

describe('allowed origins', () => {
  it('match an exact entry by scheme, host and port (the default port written or not)', () => {
    expect(originMatches('https://crm.example.com', 'https://crm.example.com')).toBe(true);
    expect(originMatches('https://crm.example.com', 'https://CRM.example.com:443/')).toBe(true);
    expect(originMatches('http://localhost:5173', 'http://localhost:5173')).toBe(true);
    expect(originMatches('http://crm.example.com', 'https://crm.example.com')).toBe(false);
    expect(originMatches('https://crm.example.com:8443', 'https://crm.example.com')).toBe(false);
    expect(originMatches('http://localhost:5174', 'http://localhost:5173')).toBe(false);
    expect(originMatches('https://evil.crm.example.com', 'https://crm.example.com')).toBe(false);
    expect(originMatches('https://crm.example.com.evil.example', 'https://crm.example.com')).toBe(false);
  });

  it('match a wildcard entry with one DNS label or more before its host, same scheme and port', () => {
    const entry = 'https://*.crm.example';
    expect(originMatches('https://acme.crm.example', entry)).toBe(true);
    expect(originMatches('https://eu.acme.crm.example', entry)).toBe(true);
    expect(originMatches('https://crm.example', entry)).toBe(false);
    expect(originMatches('https://evilcrm.example', entry)).toBe(false);
    expect(originMatches('https://acme.crm.example.evil.example', entry)).toBe(false);
    expect(originMatches('http://acme.crm.example', entry)).toBe(false);
    expect(originMatches('https://acme.crm.example:8443', entry)).toBe(false);
    expect(originMatches('https://acme.crm.example:8443', 'https://*.crm.example:8443')).toBe(true);
    expect(originMatches('http://localhost:41234', 'http://localhost:*')).toBe(true);
  });

  it('never match what is not an origin, on either side', () => {
    for (const entry of ['https://*', '*', "'self'", 'https://crm.*.example', 'https://crm.example/app', 'crm.example.com', 'javascript:alert(1)', '']) {
      expect(originMatches('https://crm.example', entry), entry).toBe(false);
    }
    for (const origin of ['null', '', 'https://*.crm.example', 'https://crm.example/path', 'https://crm.example:99999']) {
      expect(originMatches(origin, 'https://crm.example'), origin).toBe(false);
    }
    expect(parseOrigin('https://crm.example:443')).toEqual({ scheme: 'https', host: 'crm.example', wildcard: false, port: '' });
  });

  it('are allowed when one entry allows them', () => {
    const entries = ['https://crm.example.com', 'https://*.partner.example'];
    expect(isAllowedOrigin('https://crm.example.com', entries)).toBe(true);
    expect(isAllowedOrigin('https://acme.partner.example', entries)).toBe(true);
    expect(isAllowedOrigin('https://partner.example', entries)).toBe(false);
    expect(isAllowedOrigin('https://crm.example.com', [])).toBe(false);
  });
});

describe('where to post', () => {
  const entries = ['https://crm.example.com', 'https://*.partner.example', 'https://crm.example.com/', 'not an origin'];

  it('posts to the parent only when its origin is known and allowed', () => {
    expect(targetOrigins(entries, 'https://acme.partner.example')).toEqual(['https://acme.partner.example']);
    expect(targetOrigins(entries, 'https://crm.example.com')).toEqual(['https://crm.example.com']);
  });

  it('else to each exact entry, once, and never to "*" or a wildcard', () => {
    expect(targetOrigins(entries, null)).toEqual(['https://crm.example.com']);
    expect(targetOrigins(entries, 'https://evil.example')).toEqual(['https://crm.example.com']);
    expect(targetOrigins(entries, 'null')).toEqual(['https://crm.example.com']);
    expect(targetOrigins(['https://*.partner.example'], null)).toEqual([]);
    expect(targetOrigins(['https://*.partner.example'], 'https://partner.example')).toEqual([]);
    expect(targetOrigins([], 'https://crm.example.com')).toEqual([]);
    for (const list of [entries, ['https://*', 'http://localhost:*']]) {
      for (const t of targetOrigins(list, null)) expect(t).not.toContain('*');
    }
  });
});

describe('asking again', () => {
  it('waits 1 s, 2 s, 4 s … and never more than 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50].map(backoffDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(backoffDelay(-1)).toBe(1000);
    expect(backoffDelay(10_000)).toBe(MAX_DELAY_MS);
  });

  it('says when the session ends, in Unix seconds, or null without one', () => {
    expect(neededMessage({ expires_at: '2026-11-20T10:05:00Z' })).toEqual({ type: TOKEN_REFRESH_NEEDED, expires_at: 1795169100 });
    expect(neededMessage(null)).toEqual({ type: 'TOKEN_REFRESH_NEEDED', expires_at: null });
    expect(expiresAtSeconds('')).toBeNull();
    expect(expiresAtSeconds('soon')).toBeNull();
  });
});

describe('which messages are taken', () => {
  const parent = { name: 'parent' };
  const entries = ['https://crm.example.com', 'https://*.partner.example'];
  const from = (origin: string, data: unknown, source: unknown = parent) =>
    checkMessage({ origin, data, source: source as MessageEvent['source'] }, parent, entries);

  it('takes a token from the parent window at an allowed origin', () => {
    expect(from('https://crm.example.com', { type: TOKEN_REFRESH, token: ' eyJ.a.b ' })).toEqual({ ok: true, token: 'eyJ.a.b' });
    expect(from('https://acme.partner.example', { type: 'TOKEN_REFRESH', token: 'eyJ.a.b', extra: 1 })).toEqual({ ok: true, token: 'eyJ.a.b' });
  });

  it('refuses another window, even at an allowed origin', () => {
    const other = { name: 'sibling' };
    const v = from('https://crm.example.com', { type: TOKEN_REFRESH, token: 'eyJ.a.b' }, other);
    expect(v.ok).toBe(false);
    expect(from('https://crm.example.com', { type: TOKEN_REFRESH, token: 'eyJ.a.b' }, null).ok).toBe(false);
  });

  it('refuses the parent window at an origin that is not allowed', () => {
    for (const origin of ['https://evil.example', 'http://crm.example.com', 'https://partner.example', 'null', '']) {
      const v = from(origin, { type: TOKEN_REFRESH, token: 'eyJ.a.b' });
      expect(v.ok, origin).toBe(false);
      if (!v.ok) expect(v.reason).toContain('frame_ancestors');
    }
  });

  it('refuses anything that is not a token refresh with a token', () => {
    for (const data of [
      null,
      'TOKEN_REFRESH',
      { type: 'TOKEN_REFRESH_NEEDED', expires_at: null },
      { type: 'token_refresh', token: 'eyJ.a.b' },
      { type: TOKEN_REFRESH },
      { type: TOKEN_REFRESH, token: '' },
      { type: TOKEN_REFRESH, token: '   ' },
      { type: TOKEN_REFRESH, token: 42 },
      { type: TOKEN_REFRESH, token: 'eyJ.a b.c' },
      { type: TOKEN_REFRESH, token: 'x'.repeat(20_000) },
    ]) {
      expect(from('https://crm.example.com', data).ok, JSON.stringify(data)?.slice(0, 60)).toBe(false);
    }
  });
});

describe('when a token is needed', () => {
  const fresh = { expired: false, refresh_due: false };

  it('not while the first session is read, nor with time to spare', () => {
    expect(tokenNeeded({ session: null, authFailed: false, secondsLeft: null })).toBe(false);
    expect(tokenNeeded({ session: fresh, authFailed: false, secondsLeft: 3600 })).toBe(false);
    expect(tokenNeeded({ session: fresh, authFailed: false, secondsLeft: 600 })).toBe(false);
  });

  it('without a session the server accepts, once expired, and under 10 minutes left', () => {
    expect(tokenNeeded({ session: null, authFailed: true, secondsLeft: null })).toBe(true);
    expect(tokenNeeded({ session: fresh, authFailed: true, secondsLeft: 3600 })).toBe(true);
    expect(tokenNeeded({ session: { expired: true, refresh_due: true }, authFailed: false, secondsLeft: 0 })).toBe(true);
    expect(tokenNeeded({ session: { expired: false, refresh_due: true }, authFailed: false, secondsLeft: 300 })).toBe(true);
    expect(tokenNeeded({ session: fresh, authFailed: false, secondsLeft: 599 })).toBe(true);
  });

  it('continues the session for the same user of the same tenant only', () => {
    expect(sameUser(session, { ...session })).toBe(true);
    expect(sameUser(session, { ...session, user_id: 'gus' })).toBe(false);
    expect(sameUser(session, { ...session, tenant_id: 'globex' })).toBe(false);
    expect(sameUser(null, session)).toBe(false);
  });
});
