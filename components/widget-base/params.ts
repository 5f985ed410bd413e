/**
 * A widget's parameters: one schema drives attribute parsing, the controls, the share link and
 * the embed query string, so no path can bypass the limits the controls enforce.
 */
/** What every kind of parameter may say besides its values. */
interface ParamCommon {
  label: string;
  help?: string;
  /**
   * When the parameter matters, given all current values (e.g. a LoRA rank only for LoRA). When it
   * returns false the control is greyed out and skipped by Tab; the value is kept and still shared.
   */
  appliesWhen?: (values: Readonly<Record<string, unknown>>) => boolean;
}

export type ParamSpec = ParamCommon &
  (
    | { kind: 'int'; min: number; max: number; default: number; unit?: string }
    | {
        kind: 'number';
        min: number;
        max: number;
        default: number;
        /** Input step; 'any' by default. */
        step?: number | 'any';
        /** Show the slider on a log scale (learning rates). */
        log?: boolean;
        unit?: string;
      }
    | { kind: 'enum'; options: readonly string[]; default: string; optionLabels?: Record<string, string> }
    | { kind: 'bool'; default: boolean }
    | {
        /** A comma-separated subset of `options` (target modules, ranks to sweep). */
        kind: 'list';
        options: readonly string[];
        default: readonly string[];
        optionLabels?: Record<string, string>;
      }
  );

export type ParamSchema = Record<string, ParamSpec>;

type ValueOf<S extends ParamSpec> = S extends { kind: 'int' | 'number' }
  ? number
  : S extends { kind: 'bool' }
    ? boolean
    : S extends { kind: 'enum'; options: readonly (infer O)[] }
      ? O
      : S extends { kind: 'list'; options: readonly (infer O)[] }
        ? O[]
        : never;

export type ParamValues<S extends ParamSchema> = { [K in keyof S]: ValueOf<S[K]> };

/** Version of the share/embed query-string format. Bump when a parameter changes meaning. */
export const QUERY_VERSION = 1;

/** Query keys that belong to the embed frame, not to a widget's parameters. */
export const RESERVED_QUERY_KEYS = ['v', 'autorun', 'backend', 'hide', 'theme'] as const;

/** camelCase parameter name -> kebab-case attribute name (`loraPlus` -> `lora-plus`). */
export function attrName(param: string): string {
  return param.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

export function defaultValues<S extends ParamSchema>(schema: S): ParamValues<S> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) out[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  return out as ParamValues<S>;
}

function describeRange(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'int':
      return `a whole number from ${spec.min} to ${spec.max}`;
    case 'number':
      return `a number from ${spec.min} to ${spec.max}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${spec.options.join(', ')}`;
    case 'list':
      return `a comma-separated list of ${spec.options.join(', ')}`;
  }
}

/** Parse one raw string for a parameter; returns the value or an error message. */
export function parseValue(name: string, spec: ParamSpec, raw: string): { value: unknown } | { error: string } {
  const text = raw.trim();
  // A value pasted into a link can be any length: quote only its start.
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  const bad = () => ({ error: `“${attrName(name)}” is “${shown}”, but it must be ${describeRange(spec)}.` });
  switch (spec.kind) {
    case 'int':
    case 'number': {
      if (text === '') return bad();
      const n = Number(text);
      if (!Number.isFinite(n)) return bad();
      if (spec.kind === 'int' && !Number.isInteger(n)) return bad();
      if (n < spec.min || n > spec.max) return bad();
      return { value: n };
    }
    case 'bool': {
      if (['', 'true', '1', 'yes', 'on'].includes(text.toLowerCase())) return { value: true };
      if (['false', '0', 'no', 'off'].includes(text.toLowerCase())) return { value: false };
      return bad();
    }
    case 'enum':
      return spec.options.includes(text) ? { value: text } : bad();
    case 'list': {
      const items = text === '' ? [] : text.split(',').map((s) => s.trim());
      if (items.some((i) => !spec.options.includes(i))) return bad();
      return { value: [...new Set(items)] };
    }
  }
}

export interface ParseResult<S extends ParamSchema> {
  values: ParamValues<S>;
  errors: string[];
}

/**
 * Read every parameter through `get` (an attribute or query lookup returning null when absent);
 * absent parameters take their defaults, present ones must be valid.
 */
export function parseParams<S extends ParamSchema>(schema: S, get: (name: string) => string | null): ParseResult<S> {
  const values = defaultValues(schema) as Record<string, unknown>;
  const errors: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const raw = get(name);
    if (raw === null) continue;
    const parsed = parseValue(name, spec, raw);
    if ('error' in parsed) errors.push(parsed.error);
    else values[name] = parsed.value;
  }
  return { values: values as ParamValues<S>, errors };
}

export function formatValue(spec: ParamSpec, value: unknown): string {
  if (spec.kind === 'list') return (value as string[]).join(',');
  return String(value);
}

/** The versioned query string for a configuration; only values that differ from the defaults are written. */
export function toQuery<S extends ParamSchema>(schema: S, values: ParamValues<S>, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ v: String(QUERY_VERSION) });
  for (const [name, spec] of Object.entries(schema)) {
    const value = formatValue(spec, (values as Record<string, unknown>)[name]);
    // Kebab-case, the spelling of the attributes, the gallery and the messages.
    if (value !== formatValue(spec, spec.default)) q.set(attrName(name), value);
  }
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/**
 * Read a configuration from a query string. Unknown keys and a version from the future are
 * errors, so a link never silently means something other than its author intended.
 */
export function fromQuery<S extends ParamSchema>(schema: S, query: URLSearchParams): ParseResult<S> {
  const result = parseParams(schema, (name) => query.get(name) ?? query.get(attrName(name)));
  const version = query.get('v');
  if (version !== null && version !== String(QUERY_VERSION)) {
    result.errors.unshift(`This link uses configuration format v${version}; this page reads v${QUERY_VERSION}.`);
  }
  const names = Object.keys(schema).map(attrName);
  const known = new Set<string>([...RESERVED_QUERY_KEYS, ...Object.keys(schema), ...names]);
  for (const key of new Set(query.keys())) {
    if (!known.has(key)) result.errors.push(`Unknown setting “${key}” in the link (known: ${names.join(', ')}).`);
    const count = query.getAll(key).length;
    if (count > 1) result.errors.push(`The setting “${key}” appears ${count} times in the link; the first value is used.`);
  }
  // The embed options: say when one is ignored.
  const autorun = query.get('autorun');
  if (autorun !== null && autorun !== '1') result.errors.push(`The option “autorun” is “${autorun.slice(0, 20)}”; only autorun=1 starts the widget.`);
  const theme = query.get('theme');
  if (theme !== null && theme !== 'light' && theme !== 'dark')
    result.errors.push(`The option “theme” is “${theme.slice(0, 20)}”; it must be light or dark.`);
  const hidden = (query.get('hide') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const unknownHidden = hidden.filter((h) => !known.has(h));
  if (unknownHidden.length > 0)
    result.errors.push(`The option “hide” names unknown settings: ${unknownHidden.join(', ')} (known: ${names.join(', ')}).`);
  return result;
}
