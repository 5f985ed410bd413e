import { modelParamCount, presetById, type LinearModule } from '../../kernels/models/presets';
import { peftCosts, type PeftCost } from '../../kernels/peft-family/param-counts';
import { WidgetError } from '../widget-base/errors';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { PALETTE, plotInto } from '../widget-base/plot';
import { meta, schema } from './meta';
import './peft-family.css';

export interface PeftFamilyResult {
  model: string;
  modelParams: number;
  costs: PeftCost[];
}

const fmt = (n: number) => n.toLocaleString('en-US');
// Plain decimals (0.062%, not 6.2e-2%): two significant figures below 0.1%.
const share = (v: number) => (v >= 0.001 ? `${(100 * v).toFixed(3)}%` : `${Number((100 * v).toPrecision(2))}%`);

class FtPeftFamily extends FtWidget<typeof schema, PeftFamilyResult> {
  static meta = meta;
  static live = true;
  static plotsAtOnce = true;

  private plot!: HTMLElement;
  private table!: HTMLTableElement;

  protected setup(): void {
    this.plot = document.createElement('div');
    this.plot.className = 'pf-plot';
    const wrap = document.createElement('div');
    wrap.className = 'ftw-table-wrap';
    this.table = document.createElement('table');
    this.table.className = 'ftw-table pf-table';
    wrap.append(this.table);
    this.body.append(this.plot, wrap);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<PeftFamilyResult> {
    const v = ctx.values;
    if (v.targets.length === 0) throw new WidgetError('Choose at least one module for LoRA and AdaLoRA to adapt.');
    const model = presetById(v.model);
    const costs = peftCosts(model, {
      virtualTokens: v.tokens,
      bottleneck: v.bottleneck,
      rank: v.rank,
      adaloraInitRank: v.initRank,
      targets: v.targets as LinearModule[],
    });
    const modelParams = modelParamCount(model);

    plotInto(this.plot, `Trainable parameters on ${model.label} (log scale)`, (Plot) => ({
      marginLeft: 190,
      // Room for the share printed after the longest bar.
      marginRight: 60,
      height: 40 + 26 * costs.length,
      x: { type: 'log', label: 'trainable parameters', grid: true, tickFormat: '~s' },
      y: { label: null, domain: costs.map((c) => c.label) },
      color: { domain: [true, false], range: [PALETTE[0], PALETTE[1]] },
      marks: [
        Plot.barX(costs, { x1: 1, x2: 'trainable', y: 'label', fill: 'mergeable', title: (c: PeftCost) => `${c.label}: ${fmt(c.trainable)}` }),
        Plot.text(costs, { x: 'trainable', y: 'label', text: (c: PeftCost) => share(c.share), dx: 4, textAnchor: 'start' }),
      ],
    }));

    const caption = document.createElement('caption');
    caption.textContent = `${model.label}, ${fmt(modelParams)} parameters. Blue bars: merge into the weights (no cost at inference); orange: stay in the forward pass.`;
    const head = document.createElement('tr');
    for (const h of ['Method', 'Trainable', 'Share', 'Changes', 'At inference', 'Context used']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      head.append(th);
    }
    const rows = costs.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.method = c.method;
      for (const text of [c.label, fmt(c.trainable), share(c.share), c.where, c.inference, c.contextTokens ? `${c.contextTokens} tokens` : '—']) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    this.table.replaceChildren(caption, head, ...rows);
    return { model: model.id, modelParams, costs };
  }
}

defineWidget(`ft-${meta.name}`, FtPeftFamily);
