import { GiB, type FineTuneMethod } from '../../kernels/memory/training-memory';
import { presetById } from '../../kernels/models/presets';
import { customModel } from '../../kernels/models/custom-shape';
import { formatParams } from '../../kernels/zero/format';
import { perGpuParts, type PerGpuParts } from '../../kernels/method-choice/memory-estimate';
import {
  METHOD_LABELS,
  OBJECTIVE_LABELS,
  USABLE_FRACTION,
  formatGiB,
  recommendMethod,
  type ChapterLink,
  type MethodChoice,
  type MethodOption,
  type Objective,
  type Placement,
  type PreferenceData,
} from '../../kernels/method-choice/recommend';
import { WidgetError } from '../widget-base/errors';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { PALETTE } from '../widget-base/plot';
import { el } from '../widget-base/dom';
import { meta, schema } from './meta';
import './method-picker.css';

/** One method's figures in the result (JSON without nulls: a missing minGpus means no GPU count helps). */
export interface MethodFigures {
  perGpuGiB: number;
  fits: boolean;
  placement: Placement | 'does-not-fit';
  minGpus?: number;
}

export interface MethodPickerResult {
  verdict: MethodChoice['verdict'];
  /** The method recommended, or 'none' when nothing fits. */
  method: FineTuneMethod | 'none';
  objective: Objective;
  params: number;
  /** Activations of the transformer layers on one GPU (the logits not included), as the ZeRO widget counts them. */
  activationsGiB: number;
  usableGiB: number;
  options: Record<FineTuneMethod, MethodFigures>;
  reasons: string[];
  cautions: string[];
  links: ChapterLink[];
}

const METHODS: readonly FineTuneMethod[] = ['full', 'lora', 'qlora'];

/** The parts of a bar, in drawing order, with a colour-blind-safe colour each. */
const SEGMENTS = [
  { key: 'weights', label: 'Weights', colour: PALETTE[0] },
  { key: 'gradients', label: 'Gradients', colour: PALETTE[1] },
  { key: 'optimizer', label: 'Optimizer states', colour: PALETTE[2] },
  { key: 'reference', label: 'Reference model', colour: PALETTE[3] },
  { key: 'activations', label: 'Activations + logits', colour: PALETTE[4] },
] as const satisfies readonly { key: keyof PerGpuParts; label: string; colour: string }[];

const PLACEMENT_TEXT: Record<Placement, string> = {
  'single-gpu': 'one GPU',
  'data-parallel': 'data parallel',
  sharded: 'ZeRO-3 / FSDP',
};

/** What one GPU holds under the placement chosen (sharded when the method does not fit either way). */
function partsOnOneGpu(option: MethodOption, gpuCount: number): PerGpuParts {
  const replicated = option.placement === 'single-gpu' || option.placement === 'data-parallel';
  return perGpuParts(option.estimate, gpuCount, !replicated);
}

class FtMethodPicker extends FtWidget<typeof schema, MethodPickerResult> {
  static meta = meta;
  static live = true;

  private headline!: HTMLElement;
  private bars!: HTMLElement;
  private assumptions!: HTMLElement;
  private table!: HTMLTableElement;
  private reasons!: HTMLElement;
  private cautions!: HTMLElement;
  private links!: HTMLElement;

  protected setup(): void {
    this.headline = el('div', 'mp-headline');
    this.headline.setAttribute('aria-live', 'polite');
    const figure = el('figure', 'mp-figure');
    const caption = el('figcaption', 'mp-caption', 'Memory per GPU for each method; the dashed line is the usable memory of one GPU.');
    this.bars = el('div', 'mp-bars');
    const legend = el('ul', 'mp-legend');
    legend.setAttribute('aria-label', 'Legend');
    for (const s of SEGMENTS) {
      const item = el('li');
      const swatch = el('span', 'mp-swatch');
      swatch.style.background = s.colour;
      item.append(swatch, document.createTextNode(s.label));
      legend.append(item);
    }
    figure.append(caption, this.bars, legend);
    this.assumptions = el('p', 'mp-assumptions');
    const tableNote = el(
      'p',
      'mp-caption',
      'What one GPU holds for each method, placed as above. Grads + Adam: gradients and AdamW states; activations include the logits.',
    );
    const tableWrap = el('div', 'mp-table-wrap');
    this.table = el('table', 'mp-table');
    tableWrap.append(this.table);
    const why = el('h4', 'mp-subhead', 'Why');
    this.reasons = el('ul', 'mp-reasons');
    this.cautions = el('ul', 'mp-cautions');
    const next = el('h4', 'mp-subhead', 'Read next');
    this.links = el('ul', 'mp-links');
    this.body.append(this.headline, figure, this.assumptions, tableNote, tableWrap, why, this.reasons, this.cautions, next, this.links);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<MethodPickerResult> {
    const v = ctx.values;
    let choice: MethodChoice;
    const custom = v.model === 'custom';
    try {
      const model = custom ? customModel(v.customSize) : null;
      choice = recommendMethod({
        gpuMemoryGiB: v.gpuMemory,
        gpuCount: v.gpus,
        model: model ? model.shape : presetById(v.model),
        params: model?.params,
        examples: v.examples,
        preference: v.preference as PreferenceData,
        seqLen: v.seqLen,
        microBatch: v.microBatch,
        checkpointing: v.checkpointing,
        loraRank: v.loraRank,
      });
    } catch (error) {
      throw new WidgetError(`These settings cannot be estimated: ${error instanceof Error ? error.message : String(error)}.`);
    }
    this.render(choice, v.gpus, v.gpuMemory);
    this.assumptions.textContent =
      `Per GPU, in GiB. Assumes mixed-precision AdamW (16 bytes per trained parameter), LoRA rank ${v.loraRank} on all linear layers, ` +
      `QLoRA's NF4 with double quantization on those layers, sequences of ${v.seqLen.toLocaleString('en-US')} tokens × micro-batch ${v.microBatch}` +
      `${choice.objective === 'dpo' ? ' pairs' : ''}, activation checkpointing ${v.checkpointing ? 'on' : 'off'}, FlashAttention; ` +
      `${Math.round(USABLE_FRACTION * 100)}% of each GPU counted as usable.` +
      (custom ? ` The ${formatParams(choice.params)} model takes the nearest preset’s shape, scaled in width and depth.` : '');
    const figures = (o: MethodOption): MethodFigures => ({
      perGpuGiB: o.perGpuBytes / GiB,
      fits: o.fits,
      placement: o.placement ?? 'does-not-fit',
      ...(o.minGpus === null ? {} : { minGpus: o.minGpus }),
    });
    return {
      verdict: choice.verdict,
      method: choice.method ?? 'none',
      objective: choice.objective,
      params: choice.params,
      activationsGiB: choice.options.full.estimate.activations / GiB,
      usableGiB: choice.usableBytesPerGpu / GiB,
      options: { full: figures(choice.options.full), lora: figures(choice.options.lora), qlora: figures(choice.options.qlora) },
      reasons: choice.reasons,
      cautions: choice.cautions,
      links: choice.links,
    };
  }

  private render(choice: MethodChoice, gpuCount: number, gpuMemoryGiB: number): void {
    this.renderHeadline(choice, gpuCount, gpuMemoryGiB);
    this.renderBars(choice, gpuCount);
    this.renderTable(choice, gpuCount);
    this.reasons.replaceChildren(...choice.reasons.map((r) => el('li', undefined, r)));
    this.cautions.replaceChildren(...choice.cautions.map((c) => el('li', undefined, c)));
    this.cautions.hidden = choice.cautions.length === 0;
    this.links.replaceChildren(
      ...choice.links.map((l) => {
        const item = el('li');
        const a = el('a', undefined, l.label);
        a.href = l.href;
        item.append(a);
        return item;
      }),
    );
  }

  private renderHeadline(choice: MethodChoice, gpuCount: number, gpuMemoryGiB: number): void {
    this.headline.dataset.verdict = choice.verdict;
    const title = el('p', 'mp-verdict');
    const detail = el('p', 'mp-verdict-detail');
    const gpus = gpuCount === 1 ? `one ${gpuMemoryGiB} GiB GPU` : `${gpuCount} GPUs of ${gpuMemoryGiB} GiB`;
    const fitting = choice.method ? `${METHOD_LABELS[choice.method]} + ${OBJECTIVE_LABELS[choice.objective]}` : null;
    if (choice.verdict === 'fine-tune' && choice.method) {
      const option = choice.options[choice.method];
      title.textContent = `Recommended: ${fitting}`;
      const usable = formatGiB(choice.usableBytesPerGpu);
      detail.textContent =
        gpuCount === 1
          ? `${formatGiB(option.perGpuBytes)} of the ${usable} usable on ${gpus}.`
          : `${formatGiB(option.perGpuBytes)} per GPU of the ${usable} usable, on ${gpus} (${PLACEMENT_TEXT[option.placement ?? 'sharded']}).`;
    } else if (choice.verdict === 'prompt-first') {
      title.textContent = 'Prompt first; fine-tune when you have more examples';
      detail.textContent = fitting
        ? `When you do: ${fitting} fits ${gpus} at ${formatGiB(choice.options[choice.method!].perGpuBytes)} per GPU.`
        : `Even then, nothing fits ${gpus}: see the reasons below.`;
    } else {
      const q = choice.options.qlora;
      title.textContent = `Does not fit ${gpus}, even with QLoRA`;
      detail.textContent =
        q.minGpus === null
          ? `One micro-batch of activations alone exceeds a GPU: shorten the sequences, lower the micro-batch or turn on checkpointing.`
          : `QLoRA needs ${formatGiB(q.perGpuBytes)} per GPU; ${q.minGpus} GPUs of ${gpuMemoryGiB} GiB would hold it with ZeRO-3 / FSDP sharding.`;
    }
    this.headline.replaceChildren(title, detail);
  }

  private renderBars(choice: MethodChoice, gpuCount: number): void {
    // The usable line sits at half the width, so "fits" is the left half at a glance; longer bars are cut.
    const scale = 2 * choice.usableBytesPerGpu;
    const rows = METHODS.map((m) => {
      const option = choice.options[m];
      const row = el('div', 'mp-bar-row');
      if (m === choice.method) row.dataset.chosen = '';
      const label = el('div', 'mp-bar-label');
      const where = option.placement
        ? `✓ fits, ${PLACEMENT_TEXT[option.placement]}`
        : option.minGpus === null
          ? '✗ too big for any GPU count'
          : `✗ too big; needs ${option.minGpus} GPUs`;
      label.append(el('strong', undefined, METHOD_LABELS[m]), el('span', 'mp-bar-total', `${formatGiB(option.perGpuBytes)} ${where}`));
      const track = el('div', 'mp-bar-track');
      track.setAttribute('aria-hidden', 'true');
      let used = 0;
      const parts = partsOnOneGpu(option, gpuCount);
      for (const s of SEGMENTS) {
        const width = Math.min(parts[s.key] / scale, 1 - used);
        if (width <= 0) continue;
        const seg = el('span', 'mp-seg');
        seg.style.width = `${(width * 100).toFixed(3)}%`;
        seg.style.background = s.colour;
        seg.title = `${s.label}: ${formatGiB(parts[s.key])}`;
        track.append(seg);
        used += width;
      }
      if (option.perGpuBytes > scale) track.append(el('span', 'mp-cut', '⟩⟩'));
      const line = el('span', 'mp-usable');
      track.append(line);
      row.append(label, track);
      return row;
    });
    this.bars.replaceChildren(...rows);
  }

  private renderTable(choice: MethodChoice, gpuCount: number): void {
    const hasReference = METHODS.some((m) => choice.options[m].estimate.referenceWeights > 0);
    const columns = ['Method', 'Weights', 'Grads + Adam', ...(hasReference ? ['Reference'] : []), 'Activations', 'Per GPU'];
    const head = el('thead');
    const hr = el('tr');
    for (const h of columns) {
      const th = el('th', undefined, h);
      th.scope = 'col';
      hr.append(th);
    }
    head.append(hr);
    const bodyRows = METHODS.map((m) => {
      const option = choice.options[m];
      const parts = partsOnOneGpu(option, gpuCount);
      const tr = el('tr');
      if (m === choice.method) tr.dataset.chosen = '';
      const th = el('th', undefined, METHOD_LABELS[m]);
      th.scope = 'row';
      th.append(el('span', 'mp-trains', `trains ${formatParams(option.estimate.trainableParams)}`));
      const cells = [
        formatGiB(parts.weights),
        formatGiB(parts.gradients + parts.optimizer),
        ...(hasReference ? [option.estimate.referenceWeights > 0 ? formatGiB(parts.reference) : '—'] : []),
        formatGiB(parts.activations),
        formatGiB(option.perGpuBytes),
      ];
      tr.append(th, ...cells.map((c) => el('td', undefined, c)));
      return tr;
    });
    const body = el('tbody');
    body.append(...bodyRows);
    const caption = el('caption', undefined, 'Memory on one GPU by part');
    this.table.replaceChildren(caption, head, body);
  }
}

defineWidget(`ft-${meta.name}`, FtMethodPicker);
