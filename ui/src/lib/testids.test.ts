// The issue's stable test hooks (relied on by tests outside the project): each is on the element it names, so
// `fill`, `click` and `selectOption` work on it directly. Read from the component sources (no DOM needed).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return svelteFiles(p);
    return name.endsWith('.svelte') ? [p] : [];
  });
}

/** Every `data-testid="…"` with the name of the tag it sits on. */
function hooks(): { id: string; tag: string; file: string }[] {
  const out: { id: string; tag: string; file: string }[] = [];
  for (const file of svelteFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/data-testid="([^"]+)"/g)) {
      // The tag opening before it (`<` followed by a letter: not a comparison inside an attribute).
      let open = text.lastIndexOf('<', m.index);
      while (open > 0 && !/[a-zA-Z]/.test(text[open + 1] ?? '')) open = text.lastIndexOf('<', open - 1);
      const tag = /^<([a-zA-Z][\w-]*)/.exec(text.slice(open))?.[1] ?? '?';
      out.push({ id: m[1]!, tag, file: file.slice(SRC.length) });
    }
  }
  return out;
}

/** The issue's ids and the tags they must be on (null: any container). */
const STABLE: Record<string, string[] | null> = {
  'chat-input': ['input', 'textarea'],
  'chat-submit': ['button'],
  'answer-card': null,
  'answer-summary': null,
  'answer-chart': null,
  'answer-table': null,
  'answer-sql': null,
  'save-analysis': ['button'],
  'saved-list': ['ul', 'ol', 'div'],
  dashboard: ['div', 'section'],
  'export-button': ['button'],
  'session-tenant': null,
  'error-banner': null,
  'language-select': ['select'],
};

describe('stable test hooks', () => {
  const all = hooks();

  for (const [id, tags] of Object.entries(STABLE)) {
    it(`${id} is present${tags ? ` on <${tags.join('|')}>` : ''}`, () => {
      const found = all.filter((h) => h.id === id);
      expect(found.length, `${id} not found`).toBeGreaterThan(0);
      if (tags) for (const h of found) expect(tags, `${id} in ${h.file}`).toContain(h.tag);
    });
  }

  it('no element carries an id twice and no wrapper alias is left', () => {
    expect(all.some((h) => h.tag === '?')).toBe(false);
    // The old names that used to sit on the controls are gone (an element has only one data-testid).
    for (const old of ['question-input', 'ask-button', 'save-button', 'header-tenant', 'lang-select']) {
      expect(all.map((h) => h.id)).not.toContain(old);
    }
    for (const file of svelteFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const tag of text.match(/<[a-zA-Z][^>]*>/g) ?? []) {
        expect((tag.match(/data-testid=/g) ?? []).length, `${file}: ${tag}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('answer-sql holds the SQL text itself', () => {
    const card = readFileSync(join(SRC, 'lib/components/AnswerCard.svelte'), 'utf8');
    expect(card).toMatch(/data-testid="answer-sql">\{shown\.sql\}</);
  });

  it('session-tenant holds the tenant id itself', () => {
    const header = readFileSync(join(SRC, 'lib/components/Header.svelte'), 'utf8');
    expect(header).toMatch(/data-testid="session-tenant">\{app\.session\.tenant_id\}</);
  });
});
