import { codeEntropyBits, gridBins, NF4_DESIGN_SCALE, type GridBin } from '../../kernels/nf4/grid';
import { FOUR_BIT_TYPES, symmetricNormalLevels } from '../../kernels/nf4/levels';
import { normalPdf } from '../../kernels/nf4/normal';
import { defineWidget, FtWidget, type RunContext } from '../widget-base/ft-widget';
import { PALETTE } from '../widget-base/plot';
import { meta, schema } from './meta';
import './nf4-grid.css';

export interface Nf4GridResult {
  grid: string;
  /** The 16 levels in code order (units of absmax). */
  levels: number[];
  /** Probability mass of each distinct level's bin (sums to 1). */
  binMass: number[];
  /** Entropy of the codes in bits (4 = all 16 codes equally likely). */
  entropyBits: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const H = 300;
const M = { left: 52, right: 16, top: 16, bottom: 46 };
const X_MAX = 1.12;
const Y_MAX = 0.8;
/** Drawing width in SVG units: the container's width, so text keeps its size on narrow screens. */
let W = 720;
const sx = (x: number) => M.left + ((x + X_MAX) / (2 * X_MAX)) * (W - M.left - M.right);
const sy = (y: number) => H - M.bottom - (y / Y_MAX) * (H - M.top - M.bottom);
/** Density of x = z / c, z ~ N(0, 1). */
const density = (x: number) => NF4_DESIGN_SCALE * normalPdf(NF4_DESIGN_SCALE * x);

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function levelsFor(grid: string): Float32Array {
  return grid === 'symmetric' ? symmetricNormalLevels() : FOUR_BIT_TYPES[grid as keyof typeof FOUR_BIT_TYPES].levels;
}

const pct = (m: number) => `${(100 * m).toFixed(2)}%`;
const edge = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : v > 0 ? '+∞' : '−∞');

class FtNf4Grid extends FtWidget<typeof schema, Nf4GridResult> {
  static meta = meta;
  static live = true;

  private figure!: SVGSVGElement;
  private info!: HTMLElement;
  private summary!: HTMLElement;
  private bins: GridBin[] = [];
  private highlight!: SVGPathElement;
  private marks: SVGGElement[] = [];

  protected setup(): void {
    this.figure = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'ng-figure', role: 'group' });
    this.info = document.createElement('p');
    this.info.className = 'ng-info';
    this.info.setAttribute('aria-live', 'polite');
    this.summary = document.createElement('p');
    this.summary.className = 'ng-summary';
    const hint = document.createElement('p');
    hint.className = 'ng-hint';
    hint.textContent =
      'Orange stems: the levels; dashed lines: the decision thresholds (midpoints); blue curve: the density of w / absmax for normal weights. ' +
      'Hover a level, or Tab to the chart and use ← → (Home, End) to step through the levels.';
    this.body.append(this.figure, this.info, this.summary, hint);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<Nf4GridResult> {
    const grid = ctx.values.grid;
    const levels = levelsFor(grid);
    this.bins = gridBins(levels);
    this.draw((schema.grid.optionLabels as Record<string, string>)[grid] ?? grid);
    this.select(this.bins.findIndex((b) => b.value >= 0));
    const entropy = codeEntropyBits(this.bins);
    const zero = this.bins.find((b) => b.value === 0);
    this.summary.textContent =
      `${this.bins.length} distinct values; ${zero ? 'an exact zero' : 'no exact zero'}. ` +
      `Entropy of the codes for normal weights: ${entropy.toFixed(3)} bits of 4 ` +
      `(equal masses would give ${Math.log2(this.bins.length).toFixed(3)}).`;
    return { grid, levels: Array.from(levels, (v) => v + 0), binMass: this.bins.map((b) => b.mass), entropyBits: entropy };
  }

  private draw(title: string): void {
    const f = this.figure;
    W = Math.max(320, Math.min(720, Math.round(this.body.clientWidth || 720)));
    f.setAttribute('viewBox', `0 0 ${W} ${H}`);
    f.replaceChildren();
    f.setAttribute('aria-label', `${title}: levels over the density of block-normalised normal weights`);
    const titleEl = svg('title', {});
    titleEl.textContent = `${title} levels over the density of w / absmax`;
    f.append(titleEl);

    // Axes.
    const axis = svg('g', { class: 'ng-axis' });
    axis.append(svg('line', { x1: sx(-X_MAX), x2: sx(X_MAX), y1: sy(0), y2: sy(0) }));
    for (const t of [-1, -0.5, 0, 0.5, 1]) {
      axis.append(svg('line', { x1: sx(t), x2: sx(t), y1: sy(0), y2: sy(0) + 5 }));
      const label = svg('text', { x: sx(t), y: sy(0) + 18, 'text-anchor': 'middle' });
      label.textContent = String(t);
      axis.append(label);
    }
    const xTitle = svg('text', { x: (M.left + W - M.right) / 2, y: H - 6, 'text-anchor': 'middle' });
    xTitle.textContent = 'normalised weight w / absmax';
    for (const t of [0, 0.2, 0.4, 0.6]) {
      axis.append(svg('line', { x1: M.left - 5, x2: M.left, y1: sy(t), y2: sy(t) }));
      const label = svg('text', { x: M.left - 8, y: sy(t) + 4, 'text-anchor': 'end' });
      label.textContent = t.toFixed(1);
      axis.append(label);
    }
    axis.append(svg('line', { x1: M.left, x2: M.left, y1: sy(0), y2: sy(Y_MAX) }));
    const yTitle = svg('text', {
      x: 14,
      y: (M.top + H - M.bottom) / 2,
      'text-anchor': 'middle',
      transform: `rotate(-90 14 ${(M.top + H - M.bottom) / 2})`,
    });
    yTitle.textContent = 'density';
    axis.append(xTitle, yTitle);
    f.append(axis);

    this.highlight = svg('path', { class: 'ng-bin', fill: PALETTE[4], 'fill-opacity': 0.35 });
    f.append(this.highlight);

    let d = '';
    for (let i = 0; i <= 240; i++) {
      const x = -X_MAX + (2 * X_MAX * i) / 240;
      d += `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(density(x)).toFixed(1)}`;
    }
    f.append(svg('path', { d, fill: 'none', stroke: PALETTE[0], 'stroke-width': 2 }));

    for (const b of this.bins) {
      if (Number.isFinite(b.upper)) {
        f.append(svg('line', { class: 'ng-edge', x1: sx(b.upper), x2: sx(b.upper), y1: sy(0), y2: sy(Y_MAX * 0.95) }));
      }
    }

    // One Tab stop for all levels (a roving tabindex): Tab reaches the selected level, arrows move.
    const group = svg('g', { role: 'radiogroup', 'aria-label': 'Levels of the grid' });
    this.marks = this.bins.map((b, i) => {
      const g = svg('g', { class: 'ng-level', tabindex: -1, role: 'radio', 'aria-checked': 'false', 'aria-label': this.describe(b, i) });
      const x = sx(b.value);
      const hitLeft = Number.isFinite(b.lower) ? sx(Math.max(b.lower, -X_MAX)) : sx(-X_MAX);
      const hitRight = Number.isFinite(b.upper) ? sx(Math.min(b.upper, X_MAX)) : sx(X_MAX);
      g.append(
        svg('rect', { class: 'ng-hit', x: hitLeft, width: Math.max(4, hitRight - hitLeft), y: sy(Y_MAX), height: sy(0) - sy(Y_MAX) }),
        svg('line', { class: 'ng-stem', x1: x, x2: x, y1: sy(0), y2: sy(density(b.value)), stroke: PALETTE[5] }),
        svg('circle', { class: 'ng-dot', cx: x, cy: sy(density(b.value)), r: 4.5, fill: PALETTE[5] }),
      );
      g.addEventListener('mouseenter', () => this.select(i));
      g.addEventListener('focus', () => this.select(i));
      g.addEventListener('keydown', (e) => {
        const last = this.marks.length - 1;
        const target =
          e.key === 'ArrowRight' || e.key === 'ArrowUp'
            ? i + 1
            : e.key === 'ArrowLeft' || e.key === 'ArrowDown'
              ? i - 1
              : e.key === 'Home'
                ? 0
                : e.key === 'End'
                  ? last
                  : null;
        if (target === null) return;
        e.preventDefault();
        this.marks[Math.max(0, Math.min(last, target))].focus();
      });
      group.append(g);
      return g;
    });
    f.append(group);
  }

  private describe(b: GridBin, i: number): string {
    const codes = b.codes.length > 1 ? `codes ${b.codes.join(' and ')}` : `code ${b.codes[0]}`;
    return `Level ${i + 1} of ${this.bins.length} (${codes}): value ${b.value.toFixed(4)}; bin ${edge(b.lower)} to ${edge(b.upper)}; probability mass ${pct(b.mass)}`;
  }

  private select(i: number): void {
    const b = this.bins[i];
    if (!b) return;
    this.marks.forEach((m, k) => {
      m.classList.toggle('ng-selected', k === i);
      m.setAttribute('aria-checked', String(k === i));
      m.setAttribute('tabindex', k === i ? '0' : '-1');
    });
    const lo = Math.max(b.lower, -X_MAX);
    const hi = Math.min(b.upper, X_MAX);
    let d = `M${sx(lo)},${sy(0)}`;
    for (let k = 0; k <= 40; k++) {
      const x = lo + ((hi - lo) * k) / 40;
      d += `L${sx(x).toFixed(1)},${sy(density(x)).toFixed(1)}`;
    }
    this.highlight.setAttribute('d', `${d}L${sx(hi)},${sy(0)}Z`);
    this.info.textContent = this.describe(b, i);
  }
}

defineWidget(`ft-${meta.name}`, FtNf4Grid);
