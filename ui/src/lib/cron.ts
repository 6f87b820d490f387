// Human schedule presets over cron. The core stores cron normalized to 6 fields (`0 0 8 * * MON`); the UI sends
// 5-field expressions and recognizes either form.

export type Preset = 'off' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'custom';

export const PRESETS: Record<Exclude<Preset, 'off' | 'custom'>, string> = {
  hourly: '0 * * * *',
  daily: '0 8 * * *',
  weekly: '0 8 * * 1',
  monthly: '0 8 1 * *',
};

export const PRESET_ORDER: Preset[] = ['off', 'hourly', 'daily', 'weekly', 'monthly', 'custom'];

const DOW: Record<string, string> = { SUN: '0', MON: '1', TUE: '2', WED: '3', THU: '4', FRI: '5', SAT: '6', '7': '0' };

/** Normalizes to 5 fields (drops a leading seconds field of `0`), with day names as numbers. */
export function normalizeCron(expr: string): string {
  let f = expr.trim().split(/\s+/);
  if (f.length === 6 && f[0] === '0') f = f.slice(1);
  if (f.length === 5) {
    const dow = f[4]!.toUpperCase();
    f[4] = DOW[dow] ?? dow;
  }
  return f.join(' ');
}

/** The preset a stored schedule corresponds to. */
export function presetOf(schedule: string | null | undefined): Preset {
  if (!schedule || !schedule.trim()) return 'off';
  const n = normalizeCron(schedule);
  for (const [k, v] of Object.entries(PRESETS)) if (v === n) return k as Preset;
  return 'custom';
}

/** The cron expression to send for a preset (custom: the user's text); null turns the schedule off. */
export function cronFor(preset: Preset, custom: string): string | null {
  if (preset === 'off') return null;
  if (preset === 'custom') return custom.trim() || null;
  return PRESETS[preset];
}

const FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;

/** A light syntax check (5 or 6 fields of cron tokens); the core has the last word. */
export function looksLikeCron(expr: string): boolean {
  const f = expr.trim().split(/\s+/);
  return (f.length === 5 || f.length === 6) && f.every((x) => FIELD.test(x));
}
