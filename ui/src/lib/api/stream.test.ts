import { describe, expect, it, vi } from 'vitest';
import { barAnswer } from '../../test/fixtures';
import type { ExplanationEvent } from './api';
import { ApiException } from './api';
import { HttpApi, SseParser } from './http';

/** A text/event-stream response delivered in the given chunks, as a server would flush them. */
function eventStream(chunks: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

function api(respond: (url: URL) => Response) {
  const urls: URL[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input));
    urls.push(url);
    return respond(url);
  });
  return { api: new HttpApi({ base: 'http://127.0.0.1:8765/api/', token: 't', fetch: fetchMock as unknown as typeof fetch }), urls };
}

describe('SseParser', () => {
  it('splits events across any chunking, with CRLF, comments and multi-line data', () => {
    const p = new SseParser();
    const text = ': keep-alive\r\nevent: explanation\r\ndata: {"text":"Hola"}\r\n\r\nevent: answer\ndata: {"a":\ndata: 1}\n\n';
    const out = [...text].flatMap((ch) => p.push(ch));
    expect(out).toEqual([
      { event: 'explanation', data: '{"text":"Hola"}' },
      { event: 'answer', data: '{"a":\n1}' },
    ]);
  });
});

describe('HttpApi.ask with an explanation callback', () => {
  it('streams the explanation, honours restart, and resolves with the answer', async () => {
    const answer = JSON.stringify(barAnswer);
    const { api: client, urls } = api(() =>
      eventStream([
        'event: explanation\ndata: {"text":"Mensajes "}\n\n',
        'event: restart\ndata: {}\n\nevent: explanation\ndata: {"text":"Messages "}\n\nevent: expla',
        'nation\ndata: {"text":"by channel."}\n\n',
        `event: answer\ndata: ${answer}\n\n`,
      ]),
    );
    const seen: ExplanationEvent[] = [];
    const got = await client.ask({ question: 'q' }, undefined, (e) => seen.push(e));
    expect(urls[0]!.pathname).toBe('/api/ask/stream');
    expect(got).toEqual(barAnswer);
    expect(seen).toEqual([{ text: 'Mensajes ' }, { restart: true }, { text: 'Messages ' }, { text: 'by channel.' }]);
  });

  it('rejects with the error event as an ApiException', async () => {
    const { api: client } = api(() => eventStream(['event: error\ndata: {"code":"guard_rejected","message":"no"}\n\n']));
    const err = await client.ask({ question: 'q' }, undefined, () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException).code).toBe('guard_rejected');
  });

  it('a stream that ends without an answer is an error, not a hang', async () => {
    const { api: client } = api(() => eventStream(['event: explanation\ndata: {"text":"x"}\n\n']));
    await expect(client.ask({ question: 'q' }, undefined, () => undefined)).rejects.toThrow(/without an answer/);
  });

  it('without a callback it uses the plain endpoint', async () => {
    const { api: client, urls } = api(() => new Response(JSON.stringify(barAnswer), { headers: { 'Content-Type': 'application/json' } }));
    await client.ask({ question: 'q' });
    expect(urls[0]!.pathname).toBe('/api/ask');
  });
});
