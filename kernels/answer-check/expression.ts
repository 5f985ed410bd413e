/**
 * A small, safe parser for formulas typed by readers: no eval, only numbers, the variables a
 * question declares, + - * / ^, parentheses and a fixed list of functions. Written the way people
 * write on paper: "2ψ + 14ψ/N", "r(d+k)", "α/√r", "-log σ(β((a-b)-(c-d)))".
 *
 * LaTeX as people type it is read too (\frac{a}{b}, \sqrt{x}, \sqrt[n]{x}, x^{2}, d_{model},
 * \cdot, \times, \left( \right), Greek letters and \log, \ln, \exp as commands), names match
 * the declared variables case-insensitively when that is unambiguous, a question may declare
 * aliases (lora_alpha for alpha), and e and pi are constants unless declared as variables.
 *
 * Grammar (precedence low to high):
 *   sum     := product (("+" | "-") product)*
 *   product := unary (("*" | "/" | "×" | "·" | juxtaposition) unary)*
 *   unary   := ("-" | "+") unary | power
 *   power   := atom (("^" | "**") unary)?          (right-associative)
 *   atom    := number | name | func atom-or-args | "(" sum ")" | "√" atom
 */

export type Expr =
  | { type: 'num'; value: number }
  | { type: 'var'; name: string }
  | { type: 'neg'; arg: Expr }
  | { type: 'bin'; op: '+' | '-' | '*' | '/' | '^'; left: Expr; right: Expr }
  | { type: 'call'; fn: FunctionName; args: Expr[] };

const FUNCTIONS = {
  sqrt: { arity: 1, f: (x: number) => Math.sqrt(x) },
  log: { arity: 1, f: (x: number) => Math.log(x) },
  ln: { arity: 1, f: (x: number) => Math.log(x) },
  log2: { arity: 1, f: (x: number) => Math.log2(x) },
  log10: { arity: 1, f: (x: number) => Math.log10(x) },
  exp: { arity: 1, f: (x: number) => Math.exp(x) },
  sigmoid: { arity: 1, f: (x: number) => 1 / (1 + Math.exp(-x)) },
  logsigmoid: { arity: 1, f: (x: number) => -softplus(-x) },
  softplus: { arity: 1, f: (x: number) => softplus(x) },
  abs: { arity: 1, f: (x: number) => Math.abs(x) },
  min: { arity: 2, f: (a: number, b: number) => Math.min(a, b) },
  max: { arity: 2, f: (a: number, b: number) => Math.max(a, b) },
} as const;

export type FunctionName = keyof typeof FUNCTIONS;

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

/** Symbols readers type for names; mapped before parsing. */
const SYMBOL_NAMES: Record<string, string> = {
  α: 'alpha',
  β: 'beta',
  γ: 'gamma',
  ψ: 'psi',
  Ψ: 'psi',
  π: 'pi',
  σ: 'sigmoid',
  λ: 'lambda',
  η: 'eta',
  θ: 'theta',
  Φ: 'Phi',
};

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

/** LaTeX commands people type for names and functions. */
const LATEX_WORDS = /\\(alpha|beta|gamma|delta|epsilon|varepsilon|eta|theta|lambda|mu|pi|psi|Psi|sigma|tau|phi|Phi|log|ln|exp|sqrt)\b/g;

/** The argument of a brace group starting at `open` (the index of "{"), and the index after it. */
function braceGroup(text: string, open: number): { inner: string; end: number } | null {
  if (text[open] !== '{') return null;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
  }
  return null;
}

/** LaTeX to the plain syntax: fractions and roots to operators, groups to parentheses, commands to names. */
export function fromLatex(src: string): string {
  let text = src
    .replace(/\\(?:left|right|big|Big|bigg|Bigg)\s*([()[\]|.])/g, '$1')
    .replace(/\\[,;:! ]/g, ' ')
    .replace(/\\(?:cdot|times)/g, '*')
    .replace(/\\div/g, '/')
    .replace(/\\mathrm\{([^{}]*)\}|\\text\{([^{}]*)\}|\\operatorname\{([^{}]*)\}/g, (_, a, b, c) => a ?? b ?? c);
  // \frac{a}{b} and \sqrt[n]{x} / \sqrt{x}, innermost first by rescanning.
  for (let guard = 0; guard < 100; guard++) {
    const frac = text.indexOf('\\frac');
    const sqrt = text.search(/\\sqrt\s*[{[]/);
    if (frac < 0 && sqrt < 0) break;
    if (frac >= 0 && (sqrt < 0 || frac < sqrt)) {
      const num = braceGroup(text, text.indexOf('{', frac));
      const den = num && braceGroup(text, num.end);
      if (!num || !den) break;
      text = `${text.slice(0, frac)}((${num.inner})/(${den.inner}))${text.slice(den.end)}`;
    } else {
      let at = text.indexOf('[', sqrt);
      let index: string | null = null;
      const brace = text.indexOf('{', sqrt);
      if (at >= 0 && at < brace) {
        const close = text.indexOf(']', at);
        index = text.slice(at + 1, close);
        at = close + 1;
      }
      const arg = braceGroup(text, brace);
      if (!arg) break;
      text = `${text.slice(0, sqrt)}${index ? `((${arg.inner})^(1/(${index})))` : `sqrt(${arg.inner})`}${text.slice(arg.end)}`;
    }
  }
  return text
    .replace(/_\{([^{}]*)\}/g, (_, sub: string) => `_${sub.replace(/[^A-Za-z0-9]/g, '')}`)
    .replace(LATEX_WORDS, (_, w: string) => (w === 'sigma' ? 'σ' : w === 'Psi' ? 'psi' : w === 'Phi' ? 'Phi' : w))
    .replace(/[{]/g, '(')
    .replace(/[}]/g, ')');
}

export class ExpressionError extends Error {}

type Token = { t: 'num'; v: number; pos: number } | { t: 'name'; v: string; pos: number } | { t: 'op'; v: string; pos: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      tokens.push({ t: 'num', v: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      tokens.push({ t: 'name', v: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    if (SYMBOL_NAMES[c]) {
      tokens.push({ t: 'name', v: SYMBOL_NAMES[c], pos: i });
      i++;
      continue;
    }
    if (src.startsWith('**', i)) {
      tokens.push({ t: 'op', v: '^', pos: i });
      i += 2;
      continue;
    }
    const ops: Record<string, string> = {
      '+': '+',
      '-': '-',
      '−': '-',
      '*': '*',
      '×': '*',
      '·': '*',
      '⋅': '*',
      '/': '/',
      '÷': '/',
      '^': '^',
      '(': '(',
      ')': ')',
      '[': '(',
      ']': ')',
      ',': ',',
      '√': '√',
    };
    if (ops[c]) {
      tokens.push({ t: 'op', v: ops[c], pos: i });
      i++;
      continue;
    }
    throw new ExpressionError(`Unexpected character "${c}" at position ${i + 1}.`);
  }
  return tokens;
}

/**
 * Split an unknown run of letters into declared names: "rd" -> r, d; "2alphar" is not guessed
 * past what the variables allow. Returns null when no split exists.
 */
function splitIntoNames(word: string, names: readonly string[]): string[] | null {
  const memo = new Map<number, string[] | null>();
  const go = (i: number): string[] | null => {
    if (i === word.length) return [];
    if (memo.has(i)) return memo.get(i)!;
    let found: string[] | null = null;
    // Prefer the longest name first so "psiN" splits as psi, N.
    for (const n of [...names].sort((a, b) => b.length - a.length)) {
      if (word.startsWith(n, i)) {
        const rest = go(i + n.length);
        if (rest) {
          found = [n, ...rest];
          break;
        }
      }
    }
    memo.set(i, found);
    return found;
  };
  return go(0);
}

/**
 * Parse `src` into an expression over the declared `variables`; `aliases` maps other names a
 * reader may use (matched case-insensitively) to them. Throws ExpressionError with a
 * reader-facing message.
 */
export function parseExpression(src: string, variables: readonly string[], aliases: Readonly<Record<string, string>> = {}): Expr {
  const text = fromLatex(src.normalize('NFKC'));
  if (text.trim() === '') throw new ExpressionError('Type a formula.');
  const tokens = tokenize(text);
  let p = 0;
  const peek = (): Token | undefined => tokens[p];
  const isOp = (v: string): boolean => {
    const tok = peek();
    return tok !== undefined && tok.t === 'op' && tok.v === v;
  };
  const expectOp = (v: string): void => {
    if (!isOp(v)) {
      const tok = peek();
      throw new ExpressionError(tok ? `Expected "${v}" at position ${tok.pos + 1}.` : `Expected "${v}" at the end (an unclosed parenthesis?).`);
    }
    p++;
  };

  // Names a reader may type for each variable: the variable in any case (when no other variable
  // has the same letters), and the question's aliases.
  const byLower = new Map<string, string | null>();
  for (const v of variables) byLower.set(v.toLowerCase(), byLower.has(v.toLowerCase()) ? null : v);
  for (const [alias, v] of Object.entries(aliases)) if (!byLower.has(alias.toLowerCase())) byLower.set(alias.toLowerCase(), v);
  // B_1 is B1 (subscripts typed with an underscore), unless a variable or alias has the underscore.
  const resolve = (name: string): string | null =>
    variables.includes(name) ? name : (byLower.get(name.toLowerCase()) ?? byLower.get(name.replace(/_/g, '').toLowerCase()) ?? null);

  const nameToExpr = (name: string, pos: number): Expr => {
    const known = resolve(name);
    if (known) return { type: 'var', name: known };
    if (name in CONSTANTS) return { type: 'num', value: CONSTANTS[name] };
    const parts =
      splitIntoNames(name, variables) ??
      splitIntoNames(
        name.toLowerCase(),
        [...byLower.keys()].filter((k) => byLower.get(k)),
      )?.map((k) => byLower.get(k)!) ??
      null;
    if (parts && parts.length > 1) {
      return parts.slice(1).reduce<Expr>(
        (acc, n) => ({
          type: 'bin',
          op: '*',
          left: acc,
          right: { type: 'var', name: n },
        }),
        { type: 'var', name: parts[0] },
      );
    }
    throw new ExpressionError(`Unknown name "${name}" at position ${pos + 1}. This question uses: ${variables.join(', ')}.`);
  };

  const sum = (): Expr => {
    let left = product();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[p++] as { v: '+' | '-' }).v;
      left = { type: 'bin', op, left, right: product() };
    }
    return left;
  };

  /** Can the next token start an operand written right after another (2r, r(d+k), (a)(b))? */
  const startsOperand = (): boolean => {
    const tok = peek();
    return tok !== undefined && (tok.t === 'num' || tok.t === 'name' || (tok.t === 'op' && (tok.v === '(' || tok.v === '√')));
  };

  const product = (): Expr => {
    let left = unary();
    for (;;) {
      if (isOp('*') || isOp('/')) {
        const op = (tokens[p++] as { v: '*' | '/' }).v;
        left = { type: 'bin', op, left, right: unary() };
      } else if (startsOperand()) {
        left = { type: 'bin', op: '*', left, right: power() };
      } else {
        return left;
      }
    }
  };

  const unary = (): Expr => {
    if (isOp('-')) {
      p++;
      return { type: 'neg', arg: unary() };
    }
    if (isOp('+')) {
      p++;
      return unary();
    }
    return power();
  };

  const power = (): Expr => {
    const base = atom();
    if (isOp('^')) {
      p++;
      return { type: 'bin', op: '^', left: base, right: unary() };
    }
    return base;
  };

  const atom = (): Expr => {
    const tok = peek();
    if (!tok) throw new ExpressionError('The formula ends too early.');
    p++;
    if (tok.t === 'num') return { type: 'num', value: tok.v };
    if (tok.t === 'op' && tok.v === '(') {
      const inner = sum();
      expectOp(')');
      return inner;
    }
    if (tok.t === 'op' && tok.v === '√') return { type: 'call', fn: 'sqrt', args: [power()] };
    if (tok.t === 'name') {
      const fnName = tok.v.toLowerCase();
      if (fnName in FUNCTIONS && !variables.includes(tok.v)) {
        const fn = fnName as FunctionName;
        const { arity } = FUNCTIONS[fn];
        if (isOp('(')) {
          p++;
          const args = [sum()];
          while (isOp(',')) {
            p++;
            args.push(sum());
          }
          expectOp(')');
          if (args.length !== arity) throw new ExpressionError(`${fn} takes ${arity} argument${arity > 1 ? 's' : ''}, got ${args.length}.`);
          return { type: 'call', fn, args };
        }
        if (arity !== 1) throw new ExpressionError(`${fn} needs parentheses: ${fn}(a, b).`);
        // "log x", "sqrt r", "σ(x)": a one-argument function applies to the next power.
        return { type: 'call', fn, args: [power()] };
      }
      return nameToExpr(tok.v, tok.pos);
    }
    throw new ExpressionError(`Unexpected "${tok.v}" at position ${tok.pos + 1}.`);
  };

  const expr = sum();
  const left = peek();
  if (left) throw new ExpressionError(`Unexpected "${left.t === 'num' ? left.v : left.v}" at position ${left.pos + 1}.`);
  return expr;
}

/** Evaluate with the given variable values. Non-finite results are returned as they are (the checker handles them). */
export function evaluate(e: Expr, values: Readonly<Record<string, number>>): number {
  switch (e.type) {
    case 'num':
      return e.value;
    case 'var': {
      const v = values[e.name];
      if (v === undefined) throw new ExpressionError(`No value for "${e.name}".`);
      return v;
    }
    case 'neg':
      return -evaluate(e.arg, values);
    case 'bin':
      return applyBinary(e.op, evaluate(e.left, values), evaluate(e.right, values));
    case 'call': {
      const f = FUNCTIONS[e.fn].f as (...xs: number[]) => number;
      return f(...e.args.map((a) => evaluate(a, values)));
    }
  }
}

function applyBinary(op: '+' | '-' | '*' | '/' | '^', a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '^':
      return a ** b;
  }
}

/** The variables an expression uses. */
export function variablesOf(e: Expr, into = new Set<string>()): Set<string> {
  if (e.type === 'var') into.add(e.name);
  else if (e.type === 'neg') variablesOf(e.arg, into);
  else if (e.type === 'bin') {
    variablesOf(e.left, into);
    variablesOf(e.right, into);
  } else if (e.type === 'call') e.args.forEach((a) => variablesOf(a, into));
  return into;
}
