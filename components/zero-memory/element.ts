import { WidgetError } from '../widget-base/errors';
import { defineWidget, FtWidget, type RunContext } from '../widget-base/ft-widget';
import { PALETTE, plotInto } from '../widget-base/plot';
import type { FineTuneMethod } from '../../kernels/memory/training-memory';
import { customModel } from '../../kernels/models/custom-shape';
import { modelParamCount, presetById, type LinearModule } from '../../kernels/models/presets';
import { formatBytes, formatParams, formatSeconds } from '../../kernels/zero/format';
import { STAGE_LABELS, type ZeroStage } from '../../kernels/zero/memory';
import { offloadApplies, planTraining, type StageEstimate, type TrainingPlan } from '../../kernels/zero/plan';
import { stepPhases, type Holding } from '../../kernels/zero/step-phases';
import { el } from '../widget-base/dom';
import { meta, schema } from './meta';
import './zero-memory.css';

const GiB = 2 ** 30;
const PARTS = ['weights', 'gradients', 'optimizer states', 'gathered layer (ZeRO-3)', 'activations'] as const;
type Part = (typeof PARTS)[number];
/** One colour per shard: the palette without its black, which vanishes on the dark theme, and a grey that reads on both. */
const SHARD_COLOURS = [...PALETTE.filter((c) => c !== '#000000'), '#999999'];

/** The most GPUs the shard picture draws; beyond that each drawn GPU stands for a group. */
const MAX_DRAWN_GPUS = 8;
const PHASE_SECONDS = 1.8;
const HOLDING_WORDS: Record<Holding, string> = {
  full: 'complete',
  shard: 'one shard only',
  local: 'complete but not yet summed across GPUs',
  none: 'not held',
};

export interface ZeroStageRow {
  stage: ZeroStage;
  label: string;
  weightsGiB: number;
  gradientsGiB: number;
  optimizerGiB: number;
  gatheredGiB: number;
  activationsGiB: number;
  totalGiB: number;
  /** CPU memory per GPU under offload. */
  cpuGiB: number;
  fits: boolean;
  /** Bytes each GPU sends per step (ring collectives, exact), in GB. */
  commGB: number;
  /** Tensor-parallel activation traffic per GPU per step, in GB (0 without tensor parallelism). */
  tensorParallelGB: number;
  computeSeconds: number;
  commSeconds: number;
  pcieSeconds: number;
  /** Nothing overlapped. */
  stepSeconds: number;
  /** Communication hidden behind compute. */
  overlappedSeconds: number;
}

export interface ZeroMemoryResult {
  params: number;
  trainableParams: number;
  capacityGiB: number;
  gpus: number;
  stages: ZeroStageRow[];
  /** The stage with the least communication that fits, or null. */
  lightestFit: string | null;
}

function partBytes(s: StageEstimate): Record<Part, number> {
  return {
    weights: s.states.weights,
    gradients: s.states.gradients,
    'optimizer states': s.states.optimizer,
    'gathered layer (ZeRO-3)': s.states.gathered,
    activations: s.activations,
  };
}

const svgNS = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export class FtZeroMemory extends FtWidget<typeof schema, ZeroMemoryResult> {
  static meta = meta;
  static live = true;
  static plotsAtOnce = true;

  private verdict!: HTMLElement;
  private bars!: HTMLElement;
  private table!: HTMLElement;
  private phaseCaption!: HTMLElement;
  private picture!: HTMLElement;
  private playButton!: HTMLButtonElement;
  private backButton!: HTMLButtonElement;
  private nextButton!: HTMLButtonElement;
  private phase = 0;
  /** The stage the picture shows (the `stage` parameter). */
  private pictureStage: ZeroStage = 3;
  private timer: ReturnType<typeof setInterval> | null = null;
  private plan: TrainingPlan | null = null;
  private gpus = 1;
  private offload = false;

  protected setup(): void {
    this.verdict = el('div', 'zm-verdict');
    this.verdict.setAttribute('aria-live', 'polite');
    this.bars = el('div', 'zm-bars');
    this.table = el('div', 'zm-table');
    // The table scrolls sideways on a phone: make the scrolling region reachable by keyboard.
    this.table.tabIndex = 0;
    this.table.setAttribute('role', 'region');
    this.table.setAttribute('aria-label', 'Memory, traffic and step time per stage');

    const shards = el('section', 'zm-shards');
    const heading = el('h4', undefined, 'Who holds what during one training step');
    const controls = el('div', 'zm-step-controls');
    this.backButton = this.button('◀ Back', 'Previous phase', () => this.stepBy(-1));
    this.playButton = this.button('Play', 'Play the step phase by phase', () => (this.timer ? this.pause() : this.play()));
    this.nextButton = this.button('Next ▶', 'Next phase', () => this.stepBy(1));
    controls.append(this.backButton, this.playButton, this.nextButton);
    this.phaseCaption = el('p', 'zm-phase');
    this.phaseCaption.setAttribute('aria-live', 'polite');
    this.picture = el('div', 'zm-picture');
    const legend = el('p', 'zm-legend');
    for (const [kind, text] of [
      ['held', 'held, up to date'],
      ['local', 'held, not yet summed across GPUs'],
      ['empty', 'not held'],
    ]) {
      const item = el('span', 'zm-key');
      item.append(el('span', `zm-swatch zm-swatch-${kind}`), document.createTextNode(text));
      legend.append(item);
    }
    legend.append(el('span', 'zm-legend-text', 'Each colour is one shard: 1/N of the tensor, owned by the GPU in the same position.'));
    shards.append(heading, controls, this.phaseCaption, this.picture, legend);
    let lastWidth = 0;
    new ResizeObserver(() => {
      const width = this.picture.clientWidth;
      if (Math.abs(width - lastWidth) > 24 && this.plan) {
        lastWidth = width;
        this.drawPicture();
      }
    }).observe(this.picture);
    this.body.append(this.verdict, this.bars, this.table, shards);
  }

  disconnectedCallback(): void {
    this.pause();
    super.disconnectedCallback();
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<ZeroMemoryResult> {
    const v = ctx.values;
    const custom = v.model === 'custom' ? customModel(v.customSize) : null;
    const shape = custom ? custom.shape : presetById(v.model);
    const params = custom ? custom.params : modelParamCount(shape);
    if (v.method !== 'full' && v.targets.length === 0) {
      throw new WidgetError('LoRA and QLoRA need at least one target module: tick q_proj and v_proj, or all of them.');
    }
    const stage = Number(v.stage) as ZeroStage;
    if (stage !== this.pictureStage) {
      this.pictureStage = stage;
      this.phase = 0;
      this.pause();
    }

    let plan: TrainingPlan;
    try {
      plan = planTraining({
        params,
        shape,
        method: v.method as FineTuneMethod,
        loraRank: v.rank,
        loraTargets: v.targets as LinearModule[],
        seqLen: v.seqLen,
        microBatch: v.microBatch,
        checkpointing: v.checkpointing,
        gpus: v.gpus,
        tensorParallel: Number(v.tp),
        sequenceParallel: v.sequenceParallel,
        gpuMemoryBytes: v.gpuMemory * GiB,
        offloadOptimizer: v.offload,
        busBandwidth: v.bandwidth * 1e9,
        pcieBandwidth: v.pcie * 1e9,
        flopsPerSecond: v.tflops * 1e12,
      });
    } catch (error) {
      throw new WidgetError(error instanceof Error ? error.message : String(error));
    }
    const numbers = plan.stages.flatMap((s) => [s.total, s.comm.bytes, s.time.serialSeconds, s.states.cpu]);
    if (!numbers.every(Number.isFinite)) throw new WidgetError('These settings overflow the calculation; try a smaller model or fewer GPUs.');

    this.plan = plan;
    this.gpus = v.gpus;
    this.offload = v.offload;
    const capacity = v.gpuMemory * GiB;
    const best = plan.lightestFit;
    this.drawVerdict(plan, capacity, best, v.method, params);
    this.drawBars(plan, capacity);
    this.drawTable(plan, v.offload);
    this.phase = Math.min(this.phase, stepPhases(this.pictureStage).length - 1);
    this.drawPicture();

    return {
      params,
      trainableParams: plan.trainableParams,
      capacityGiB: v.gpuMemory,
      gpus: v.gpus,
      lightestFit: best?.label ?? null,
      stages: plan.stages.map((s) => ({
        stage: s.stage,
        label: s.label,
        weightsGiB: s.states.weights / GiB,
        gradientsGiB: s.states.gradients / GiB,
        optimizerGiB: s.states.optimizer / GiB,
        gatheredGiB: s.states.gathered / GiB,
        activationsGiB: s.activations / GiB,
        totalGiB: s.total / GiB,
        cpuGiB: s.states.cpu / GiB,
        fits: s.fits,
        commGB: s.comm.bytes / 1e9,
        tensorParallelGB: s.tpBytes / 1e9,
        computeSeconds: s.time.computeSeconds,
        commSeconds: s.time.commSeconds,
        pcieSeconds: s.time.pcieSeconds,
        stepSeconds: s.time.serialSeconds,
        overlappedSeconds: s.time.overlappedSeconds,
      })),
    };
  }

  // ------------------------------------------------------------------ outputs

  private drawVerdict(plan: TrainingPlan, capacity: number, best: StageEstimate | null, method: string, params: number): void {
    const what =
      method === 'full'
        ? `Full fine-tuning of ${formatParams(params)} parameters`
        : `${method === 'lora' ? 'LoRA' : 'QLoRA'} on ${formatParams(params)} parameters (${formatParams(plan.trainableParams)} trainable)`;
    const chips = el('ul', 'zm-chips');
    for (const s of plan.stages) {
      const chip = el('li', s.fits ? 'zm-fit' : 'zm-nofit');
      chip.dataset.stage = String(s.stage);
      chip.textContent = `${s.label}: ${formatBytes(s.total, 'GiB')} ${s.fits ? '✓ fits' : '✗ does not fit'}`;
      chips.append(chip);
    }
    const line = el('p', 'zm-headline');
    line.dataset.verdict = best ? 'fits' : 'does-not-fit';
    line.textContent = best
      ? `${what} on ${this.gpus} × ${capacity / GiB} GiB: ${best.label} is the lightest setup that fits${
          best.stage > 0 && best.stage < 3 ? ' (no more traffic than plain data parallelism)' : ''
        }.`
      : `${what} does not fit on ${this.gpus} × ${capacity / GiB} GiB at any stage: add GPUs, turn on checkpointing or offload, shorten sequences, or use LoRA/QLoRA.`;
    this.verdict.replaceChildren(line, chips);
  }

  private drawBars(plan: TrainingPlan, capacity: number): void {
    const rows = plan.stages.flatMap((s) => Object.entries(partBytes(s)).map(([part, bytes]) => ({ stage: s.label, part, gib: bytes / GiB })));
    const capacityGiB = capacity / GiB;
    const maxGiB = Math.max(capacityGiB, ...plan.stages.map((s) => s.total / GiB));
    plotInto(this.bars, 'Memory per GPU, by stage', (Plot) => ({
      subtitle: 'Dashed line: the memory of one GPU.',
      height: 230,
      marginLeft: 64,
      marginRight: 24,
      x: { label: 'GiB per GPU →', domain: [0, maxGiB * 1.05], grid: true },
      y: { domain: plan.stages.map((s) => s.label), label: null },
      color: { domain: [...PARTS], range: [PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[4], PALETTE[3]], legend: true },
      marks: [
        Plot.barX(
          rows,
          Plot.stackX({
            x: 'gib',
            y: 'stage',
            fill: 'part',
            order: [...PARTS],
            title: (d: { stage: string; part: string; gib: number }) => `${d.stage}, ${d.part}: ${d.gib.toFixed(2)} GiB`,
          }),
        ),
        Plot.ruleX([capacityGiB], { stroke: 'currentColor', strokeWidth: 2, strokeDasharray: '5,4' }),
        Plot.ruleX([0]),
      ],
    }));
  }

  private drawTable(plan: TrainingPlan, offload: boolean): void {
    const table = el('table');
    table.setAttribute('aria-label', 'Memory, traffic and step time per GPU for each stage');
    const head = el('tr');
    const columns = ['Stage', 'Weights', 'Gradients', 'Optimizer', 'Activations', 'Total', 'Verdict', 'Sent per step', 'Step time', 'Overlapped'];
    if (offload) columns.push('CPU memory');
    for (const c of columns) head.append(el('th', undefined, c));
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    for (const s of plan.stages) {
      const tr = el('tr');
      tr.dataset.stage = String(s.stage);
      const gib = (b: number) => formatBytes(b, 'GiB');
      const cells = [
        s.label + (s.offloaded ? ' + offload' : ''),
        gib(s.states.weights + s.states.gathered),
        gib(s.states.gradients),
        gib(s.states.optimizer),
        gib(s.activations),
        gib(s.total),
        s.fits ? '✓ fits' : '✗ too big',
        s.tpBytes > 0 ? `${formatBytes(s.comm.bytes, 'GB')} + ${formatBytes(s.tpBytes, 'GB')} TP` : formatBytes(s.comm.bytes, 'GB'),
        formatSeconds(s.time.serialSeconds),
        formatSeconds(s.time.overlappedSeconds),
      ];
      if (offload) cells.push(s.offloaded ? gib(s.states.cpu) : '—');
      cells.forEach((text, i) => {
        const td = el(i === 0 ? 'th' : 'td', i === 6 ? (s.fits ? 'zm-fit' : 'zm-nofit') : undefined, text);
        if (i === 0) td.setAttribute('scope', 'row');
        tr.append(td);
      });
      tbody.append(tr);
    }
    table.append(thead, tbody);
    const notes = el('p', 'zm-note');
    const z = plan.stages;
    notes.textContent =
      'Per GPU: memory in GiB; traffic in GB sent per step (ring collectives); step time is compute + communication (+ PCIe), and “overlapped” hides communication behind compute. ' +
      `Compute ${formatSeconds(z[0].time.computeSeconds)} per step. ` +
      (this.gpus === 1 ? 'With one GPU nothing is communicated. ' : '') +
      (offload ? 'Offload does not apply to plain DP (it needs ZeRO). ' : '') +
      (plan.stages[0].tpBytes > 0
        ? 'With tensor parallelism each GPU holds 1/t of every layer and ZeRO shards across the N / t replicas; “TP” is the activation traffic inside the tensor-parallel group. '
        : '') +
      'ZeRO-3 adds the all-gathered largest layer to the weights column.';
    this.table.replaceChildren(table, notes);
  }

  // ------------------------------------------------------------------ shard picture

  private button(text: string, title: string, onClick: () => void): HTMLButtonElement {
    const b = el('button', 'zm-button', text);
    b.type = 'button';
    b.title = title;
    b.addEventListener('click', onClick);
    return b;
  }

  private stepBy(delta: number): void {
    const count = stepPhases(this.pictureStage).length;
    this.phase = Math.max(0, Math.min(count - 1, this.phase + delta));
    if (delta !== 0) this.pause();
    this.drawPicture();
  }

  private play(): void {
    const count = stepPhases(this.pictureStage).length;
    if (this.phase >= count - 1) this.phase = 0;
    this.drawPicture();
    this.playButton.textContent = 'Pause';
    this.timer = setInterval(() => {
      if (this.phase >= stepPhases(this.pictureStage).length - 1) {
        this.pause();
        return;
      }
      this.phase++;
      this.drawPicture();
    }, PHASE_SECONDS * 1000);
  }

  private pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.playButton) this.playButton.textContent = 'Play';
  }

  private drawPicture(): void {
    const phases = stepPhases(this.pictureStage);
    const phase = phases[this.phase];
    this.backButton.disabled = this.phase === 0;
    this.nextButton.disabled = this.phase === phases.length - 1;
    const estimate = this.plan?.stages[this.pictureStage];
    const collective = phase.collective ? estimate?.comm.collectives.find((c) => c.name === phase.collective) : undefined;
    this.phaseCaption.replaceChildren(
      el('strong', undefined, `${STAGE_LABELS[this.pictureStage]}, phase ${this.phase + 1} of ${phases.length}: ${phase.title}. `),
      document.createTextNode(phase.detail + (collective ? ` Each GPU sends ${formatBytes(collective.bytes, 'GB')} here.` : '')),
    );
    this.picture.dataset.phase = String(this.phase);
    this.picture.dataset.stage = String(this.pictureStage);

    // GPUs wrap into rows so the picture stays legible on a phone.
    const drawn = Math.min(this.gpus, MAX_DRAWN_GPUS);
    const gap = 10;
    const left = 66;
    const rowH = 16;
    const rowGap = 6;
    const titleH = 22;
    const blockH = titleH + 3 * (rowH + rowGap) + 14;
    const available = this.picture.clientWidth || 760;
    const cols = Math.max(1, Math.min(drawn, Math.floor((available - left) / (84 + gap))));
    const boxW = Math.min(120, Math.max(84, (available - left) / cols - gap));
    const gridRows = Math.ceil(drawn / cols);
    const width = left + cols * (boxW + gap);
    const height = gridRows * blockH + 4;
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'zm-svg' });
    root.setAttribute(
      'aria-label',
      `${STAGE_LABELS[this.pictureStage]}, ${phase.title}: on each GPU the weights are ${HOLDING_WORDS[phase.weights]}, the gradients ${HOLDING_WORDS[phase.gradients]}, the optimizer states ${HOLDING_WORDS[phase.optimizer]}`,
    );
    const offloaded = offloadApplies(this.pictureStage, this.offload);
    const rows: { name: string; holding: Holding }[] = [
      { name: 'weights', holding: phase.weights },
      { name: 'gradients', holding: phase.gradients },
      { name: offloaded ? 'optim. (CPU)' : 'optimizer', holding: phase.optimizer },
    ];
    for (let gr = 0; gr < gridRows; gr++) {
      rows.forEach((row, r) => {
        const y = gr * blockH + titleH + r * (rowH + rowGap) + rowH - 4;
        root.append(svg('text', { x: left - 8, y, 'text-anchor': 'end', class: 'zm-row-label' }, row.name));
      });
    }
    const cellW = (boxW - 8) / drawn;
    for (let g = 0; g < drawn; g++) {
      const x = left + (g % cols) * (boxW + gap);
      const top = Math.floor(g / cols) * blockH;
      const box = svg('g', { class: `zm-gpu${phase.collective ? ' zm-active' : ''}` });
      box.append(svg('rect', { x, y: top + 2, width: boxW, height: blockH - 10, rx: 6, class: 'zm-gpu-box' }));
      const name =
        this.gpus > MAX_DRAWN_GPUS ? `GPUs ${Math.floor((g * this.gpus) / drawn)}–${Math.floor(((g + 1) * this.gpus) / drawn) - 1}` : `GPU ${g}`;
      box.append(svg('text', { x: x + boxW / 2, y: top + 16, 'text-anchor': 'middle', class: 'zm-gpu-name' }, name));
      rows.forEach((row, r) => {
        const y = top + titleH + r * (rowH + rowGap);
        for (let c = 0; c < drawn; c++) {
          const held = row.holding === 'full' || row.holding === 'local' || (row.holding === 'shard' && c === g);
          box.append(
            svg('rect', {
              x: x + 4 + c * cellW,
              y,
              width: Math.max(1, cellW - 1),
              height: rowH,
              fill: SHARD_COLOURS[c % SHARD_COLOURS.length],
              class: `zm-cell ${held ? (row.holding === 'local' ? 'zm-local' : 'zm-held') : 'zm-empty'}${offloaded && r === 2 ? ' zm-cpu' : ''}`,
            }),
          );
        }
      });
      root.append(box);
    }
    const ring = el(
      'p',
      `zm-ring-label${phase.collective ? ' zm-active' : ''}`,
      phase.collective ? `⟳ ${phase.collective}, around the ring of ${this.gpus} GPUs` : 'No communication in this phase.',
    );
    const note =
      this.gpus > MAX_DRAWN_GPUS
        ? el('p', 'zm-note', `Showing ${drawn} groups of ${this.gpus} GPUs; each cell stands for ${this.gpus / drawn} shards.`)
        : null;
    this.picture.replaceChildren(root, ring, ...(note ? [note] : []));
  }
}

defineWidget(`ft-${meta.name}`, FtZeroMemory);
