import { describe, expect, it } from 'vitest';
import { attrName, defaultValues, fromQuery, parseParams, toQuery, type ParamSchema } from '../../../../components/widget-base/params';

const schema = {
  rank: { kind: 'int', label: 'Rank', min: 1, max: 64, default: 4 },
  lr: { kind: 'number', label: 'Learning rate', min: 1e-5, max: 1, default: 0.01 },
  method: { kind: 'enum', label: 'Method', options: ['lora', 'dora', 'full'], default: 'lora' },
  rsLora: { kind: 'bool', label: 'rsLoRA', default: false },
  targets: { kind: 'list', label: 'Targets', options: ['q', 'k', 'v', 'o'], default: ['q', 'v'] },
} satisfies ParamSchema;

const fromAttrs = (attrs: Record<string, string>) => parseParams(schema, (name) => attrs[attrName(name)] ?? null);

describe('widget parameters', () => {
  it('absent attributes take the defaults', () => {
    expect(fromAttrs({})).toEqual({ values: defaultValues(schema), errors: [] });
  });

  it('parses each kind; camelCase parameters read kebab-case attributes', () => {
    const { values, errors } = fromAttrs({ rank: '16', lr: '3e-4', method: 'dora', 'rs-lora': '', targets: 'q,k,v,o' });
    expect(errors).toEqual([]);
    expect(values).toEqual({ rank: 16, lr: 3e-4, method: 'dora', rsLora: true, targets: ['q', 'k', 'v', 'o'] });
  });

  it.each([
    ['rank', '0', /whole number from 1 to 64/],
    ['rank', '2.5', /whole number/],
    ['rank', 'NaN', /whole number/],
    ['rank', '', /whole number/],
    ['rank', '1e9', /1 to 64/],
    ['lr', 'Infinity', /number from/],
    ['method', 'qlora', /one of lora, dora, full/],
    ['rs-lora', 'maybe', /true or false/],
    ['targets', 'q,gate', /comma-separated list/],
  ])('rejects %s="%s" with a message naming the attribute and the limits', (attr, value, message) => {
    const { errors } = fromAttrs({ [attr]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(errors[0]).toContain(`“${attr}”`);
  });

  it('the share query writes only what differs from the defaults, with the format version, and reads back the same values', () => {
    const values = { ...defaultValues(schema), rank: 32, targets: ['q', 'k', 'v', 'o'] };
    const query = toQuery(schema, values);
    expect(query).toBe('v=1&rank=32&targets=q%2Ck%2Cv%2Co');
    expect(fromQuery(schema, new URLSearchParams(query))).toEqual({ values, errors: [] });
  });

  it('the share query spells settings in kebab-case, as the attributes and the gallery do', () => {
    const camel = { loraPlusRatio: { kind: 'number', label: 'LoRA+ ratio', min: 1, max: 64, default: 1 } } satisfies ParamSchema;
    const query = toQuery(camel, { loraPlusRatio: 16 });
    expect(query).toBe('v=1&lora-plus-ratio=16');
    expect(fromQuery(camel, new URLSearchParams(query)).values.loraPlusRatio).toBe(16);
  });

  it('a link cannot bypass the limits, name unknown settings, or come from a future format', () => {
    expect(fromQuery(schema, new URLSearchParams('v=1&rank=999')).errors[0]).toMatch(/1 to 64/);
    expect(fromQuery(schema, new URLSearchParams('v=1&rnak=4')).errors[0]).toMatch(/Unknown setting “rnak”/);
    expect(fromQuery(schema, new URLSearchParams('v=2')).errors[0]).toMatch(/format v2/);
    expect(fromQuery(schema, new URLSearchParams('v=1&autorun=1&backend=cpu&hide=rank')).errors).toEqual([]);
  });
});

describe('link options that would be ignored are named', () => {
  const schema = {
    rank: { kind: 'int', label: 'Rank', min: 1, max: 64, default: 8 },
    loraPlus: { kind: 'number', label: 'LoRA+', min: 1, max: 64, default: 1 },
  } as const;
  it('duplicated keys, autorun other than 1, an unknown theme, misspelt hide names; known names in kebab-case', () => {
    const errors = fromQuery(schema, new URLSearchParams('v=1&rank=4&rank=5&autorun=true&theme=purple&hide=rnak,lora-plus&lorPlus=2')).errors;
    expect(errors).toContainEqual(expect.stringMatching(/“rank” appears 2 times in the link; the first value is used/));
    expect(errors).toContainEqual(expect.stringMatching(/“autorun” is “true”; only autorun=1/));
    expect(errors).toContainEqual(expect.stringMatching(/“theme” is “purple”/));
    expect(errors).toContainEqual(expect.stringMatching(/“hide” names unknown settings: rnak \(known: rank, lora-plus\)/));
    expect(errors).toContainEqual(expect.stringMatching(/Unknown setting “lorPlus” in the link \(known: rank, lora-plus\)/));
  });
  it('a very long value is quoted by its start only', () => {
    const errors = fromQuery(schema, new URLSearchParams(`v=1&rank=${'9'.repeat(5000)}`)).errors;
    expect(errors[0].length).toBeLessThan(200);
  });
});
