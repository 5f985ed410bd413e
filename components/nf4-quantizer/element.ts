import { FOUR_BIT_TYPES, type FourBitType } from '../../kernels/nf4/levels';
import { GpuScope } from '../../kernels/gpu/scope';
import { roundTripCpu, roundTripGpu, warmUpGpu, type RoundTrip } from '../../kernels/nf4/roundtrip';
import { quantizeBlockwise } from '../../kernels/nf4/nf4';
import { sampleWeights, type WeightDistribution } from '../../kernels/nf4/weights';
import type { Rng } from '../../kernels/random/rng';
import { WidgetError } from '../widget-base/errors';
import { defineWidget, FtWidget, type RunContext } from '../widget-base/ft-widget';
import type { ScaleOptions } from '@observablehq/plot';
import { PALETTE, plotInto } from '../widget-base/plot';
import { meta, schema } from './meta';
import './nf4-quantizer.css';

const TYPES: FourBitType[] = ['nf4', 'int4', 'fp4'];
/** Weights drawn, or quantized on the CPU, between two yields to the page. */
const CHUNK = 1 << 18;
/** Side of the tile of codes drawn as a heat map (top-left corner of the matrix). */
const TILE = 32;
const HISTOGRAM_BINS = 61;
/** Weights compared between the GPU and the CPU reference on every GPU run. */
const AGREEMENT_SAMPLE = 1 << 16;

export interface TypeStats {
  mse: number;
  sqnrDb: number;
  /** Quantize + dequantize, milliseconds. */
  ms: number;
}

export interface Nf4QuantizerResult {
  rows: number;
  cols: number;
  blockSize: number;
  distribution: string;
  backend: 'webgpu' | 'cpu';
  types: Record<FourBitType, TypeStats>;
  /** GPU path only: share of the first 65,536 codes equal to the CPU reference's (worst type). */
  gpuCpuAgreement?: number;
  /** Bits per weight stored: 4 + 32 / block size. */
  bitsPerWeight: number;
}

class FtNf4Quantizer extends FtWidget<typeof schema, Nf4QuantizerResult> {
  static meta = meta;

  private table!: HTMLTableElement;
  private note!: HTMLElement;
  private heatmap!: HTMLElement;
  private histogram!: HTMLElement;

  protected setup(): void {
    this.table = document.createElement('table');
    this.table.className = 'ftw-table nq-table';
    this.note = document.createElement('p');
    this.note.className = 'nq-note';
    const plots = document.createElement('div');
    plots.className = 'nq-plots';
    this.heatmap = document.createElement('div');
    this.histogram = document.createElement('div');
    plots.append(this.heatmap, this.histogram);
    const wrap = document.createElement('div');
    wrap.className = 'ftw-table-wrap';
    wrap.append(this.table);
    this.body.append(wrap, this.note, plots);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<Nf4QuantizerResult> {
    const { rows, cols, distribution, show } = ctx.values;
    const blockSize = Number(ctx.values.blockSize);
    const n = rows * cols;
    const w = await this.drawWeights(ctx, distribution as WeightDistribution, n);

    const scope = ctx.gpu ? new GpuScope(ctx.gpu) : null;
    const input = scope?.upload(w) ?? null;
    if (ctx.gpu) await warmUpGpu(ctx.gpu, blockSize, FOUR_BIT_TYPES.nf4.levels);
    const stats = {} as Record<FourBitType, TypeStats>;
    const range = histogramRange(w, blockSize);
    const histograms = {} as Record<FourBitType, Float64Array>;
    let tileCodes: Uint8Array | null = null;
    let agreement: number | null = null;
    try {
      for (const [k, type] of TYPES.entries()) {
        ctx.progress(0.3 + 0.2 * k, `Quantizing to ${FOUR_BIT_TYPES[type].label} on the ${ctx.gpu ? 'GPU' : 'CPU'}…`);
        await ctx.tick();
        const levels = FOUR_BIT_TYPES[type].levels;
        const rt = ctx.gpu && input ? await roundTripGpu(ctx.gpu, input, n, blockSize, levels) : await this.cpuInChunks(ctx, w, blockSize, levels);
        if (ctx.gpu) agreement = Math.min(agreement ?? 1, codeAgreement(w, rt, blockSize, levels));
        const counts = new Float64Array(HISTOGRAM_BINS);
        const binWidth = (2 * range) / HISTOGRAM_BINS;
        let noise = 0;
        let signal = 0;
        for (let i = 0; i < n; i++) {
          const e = w[i] - rt.reconstructed[i];
          noise += e * e;
          signal += w[i] * w[i];
          counts[Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor((e + range) / binWidth)))]++;
        }
        histograms[type] = counts;
        stats[type] = { mse: noise / n, sqnrDb: 10 * Math.log10(signal / noise), ms: rt.ms };
        if (type === show) tileCodes = tile(rt.codes, rows, cols);
      }
    } finally {
      scope?.destroy();
    }
    for (const type of TYPES) {
      if (!Number.isFinite(stats[type].mse) || !Number.isFinite(stats[type].sqnrDb)) {
        throw new WidgetError(`The ${FOUR_BIT_TYPES[type].label} error is not a finite number; try another seed or size.`);
      }
    }
    ctx.progress(0.95, 'Drawing…');
    const bitsPerWeight = 4 + 32 / blockSize;
    this.renderTable(stats, ctx.gpu ? 'GPU (WGSL)' : 'CPU', show as FourBitType);
    this.note.textContent =
      `${rows.toLocaleString('en-US')} × ${cols.toLocaleString('en-US')} = ${n.toLocaleString('en-US')} weights in blocks of ${blockSize}: ` +
      `${bitsPerWeight.toFixed(3)} bits per weight with float32 scales. ` +
      (agreement === null
        ? 'Computed by the CPU reference.'
        : `GPU codes equal the CPU reference's on ${(100 * agreement).toFixed(3)}% of the first ${Math.min(n, AGREEMENT_SAMPLE).toLocaleString('en-US')} weights.`);
    if (tileCodes) this.renderHeatmap(tileCodes, Math.min(TILE, rows), Math.min(TILE, cols), show as FourBitType);
    this.renderHistogram(histograms, range, n);
    return {
      rows,
      cols,
      blockSize,
      distribution,
      backend: ctx.backend,
      types: stats,
      bitsPerWeight,
      ...(agreement === null ? {} : { gpuCpuAgreement: agreement }),
    };
  }

  /** The same stream of numbers in chunks, yielding between them so the page stays responsive. */
  private async drawWeights(ctx: RunContext<typeof schema>, kind: WeightDistribution, n: number): Promise<Float32Array> {
    const w = new Float32Array(n);
    const rng: Rng = ctx.rng;
    for (let start = 0; start < n; start += CHUNK) {
      ctx.progress((0.3 * start) / n, 'Drawing weights…');
      await ctx.tick();
      w.set(sampleWeights(kind, Math.min(CHUNK, n - start), rng), start);
    }
    return w;
  }

  /** The CPU reference over whole blocks at a time; the time counts computation only. */
  private async cpuInChunks(ctx: RunContext<typeof schema>, w: Float32Array, blockSize: number, levels: Float32Array): Promise<RoundTrip> {
    const n = w.length;
    const codes = new Uint8Array(n);
    const reconstructed = new Float32Array(n);
    const absmax = new Float32Array(Math.ceil(n / blockSize));
    const step = Math.ceil(CHUNK / blockSize) * blockSize;
    let ms = 0;
    for (let start = 0; start < n; start += step) {
      await ctx.tick();
      const part = roundTripCpu(w.subarray(start, Math.min(n, start + step)), blockSize, levels);
      codes.set(part.codes, start);
      reconstructed.set(part.reconstructed, start);
      absmax.set(part.absmax, start / blockSize);
      ms += part.ms;
    }
    return { codes, absmax, reconstructed, ms };
  }

  private renderTable(stats: Record<FourBitType, TypeStats>, path: string, shown: FourBitType): void {
    const best = TYPES.reduce((a, b) => (stats[b].mse < stats[a].mse ? b : a));
    const caption = document.createElement('caption');
    caption.textContent = 'Lower MSE and higher SQNR are better; the best type is marked ★. Time: quantize + dequantize.';
    const head = document.createElement('tr');
    for (const h of ['Type', 'MSE', 'SQNR (dB)', 'Time', 'Path']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      head.append(th);
    }
    const body = TYPES.map((t) => {
      const tr = document.createElement('tr');
      if (t === shown) tr.className = 'nq-shown';
      const s = stats[t];
      for (const c of [
        `${FOUR_BIT_TYPES[t].label}${t === best ? ' ★' : ''}`,
        s.mse.toExponential(2),
        s.sqnrDb.toFixed(2),
        `${s.ms.toFixed(1)} ms`,
        path,
      ]) {
        const td = document.createElement('td');
        td.textContent = c;
        tr.append(td);
      }
      return tr;
    });
    this.table.replaceChildren(caption, head, ...body);
  }

  private renderHeatmap(codes: Uint8Array, rows: number, cols: number, type: FourBitType): void {
    const levels = FOUR_BIT_TYPES[type].levels;
    const cells = Array.from(codes, (code, i) => ({ row: Math.floor(i / cols), col: i % cols, code, value: levels[code] }));
    plotInto(this.heatmap, `${FOUR_BIT_TYPES[type].label} codes, top-left ${rows} × ${cols}`, (Plot) => ({
      width: 360,
      height: 360,
      padding: 0,
      x: { label: 'column', axis: 'top', ticks: [0, 8, 16, 24].filter((t) => t < cols) },
      y: { label: 'row', ticks: [0, 8, 16, 24].filter((t) => t < rows) },
      color: {
        type: 'linear',
        scheme: 'viridis',
        domain: [0, 15],
        legend: true,
        label: 'code (0 = most negative level)',
        marginLeft: 12,
        width: 300,
      } as ScaleOptions,
      marks: [
        Plot.cell(cells, {
          x: 'col',
          y: 'row',
          fill: 'code',
          title: (d: (typeof cells)[number]) => `row ${d.row}, column ${d.col}: code ${d.code} = ${d.value.toFixed(4)} × absmax`,
        }),
      ],
    }));
  }

  private renderHistogram(histograms: Record<FourBitType, Float64Array>, range: number, n: number): void {
    const width = (2 * range) / HISTOGRAM_BINS;
    const data: { type: string; error: number; share: number }[] = [];
    for (const t of TYPES) {
      const counts = histograms[t];
      counts.forEach((c, b) => data.push({ type: FOUR_BIT_TYPES[t].label, error: -range + (b + 0.5) * width, share: (100 * c) / n }));
    }
    plotInto(this.histogram, 'Quantization error w − ŵ', (Plot) => ({
      height: 300,
      x: { label: 'error w − ŵ', tickFormat: (d: number) => (d === 0 ? '0' : d.toExponential(0)), ticks: 5 },
      y: { label: 'share of weights (%)', grid: true },
      color: { legend: true, domain: TYPES.map((t) => FOUR_BIT_TYPES[t].label), range: [PALETTE[0], PALETTE[1], PALETTE[2]] },
      marks: [Plot.lineY(data, { x: 'error', y: 'share', stroke: 'type', curve: 'step', strokeWidth: 1.8 }), Plot.ruleY([0])],
    }));
  }
}

/** Share of the first weights whose GPU code equals the CPU reference's (compared on decoded values: +0 and -0 agree). */
function codeAgreement(w: Float32Array, gpu: RoundTrip, blockSize: number, levels: Float32Array): number {
  const count = Math.min(w.length, Math.ceil(AGREEMENT_SAMPLE / blockSize) * blockSize);
  const cpu = quantizeBlockwise(w.subarray(0, count), blockSize, levels);
  let equal = 0;
  for (let i = 0; i < count; i++) if (levels[cpu.codes[i]] === levels[gpu.codes[i]]) equal++;
  return equal / count;
}

/**
 * Half-width of the error histogram, shared by the three types so their curves overlay: four times
 * the largest RMS error, estimated on the first weights with the CPU reference. The few errors
 * beyond fall into the end bins.
 */
function histogramRange(w: Float32Array, blockSize: number): number {
  const sample = w.subarray(0, Math.min(w.length, Math.ceil(AGREEMENT_SAMPLE / blockSize) * blockSize));
  let worst = 0;
  for (const t of TYPES) {
    const rt = roundTripCpu(sample, blockSize, FOUR_BIT_TYPES[t].levels);
    let s = 0;
    for (let i = 0; i < sample.length; i++) s += (sample[i] - rt.reconstructed[i]) ** 2;
    worst = Math.max(worst, s / sample.length);
  }
  return 4 * Math.sqrt(worst) || 1e-12;
}

/** The top-left TILE x TILE codes of a row-major rows x cols matrix. */
function tile(codes: Uint8Array, rows: number, cols: number): Uint8Array {
  const r = Math.min(TILE, rows);
  const c = Math.min(TILE, cols);
  const out = new Uint8Array(r * c);
  for (let i = 0; i < r; i++) out.set(codes.subarray(i * cols, i * cols + c), i * c);
  return out;
}

defineWidget(`ft-${meta.name}`, FtNf4Quantizer);
