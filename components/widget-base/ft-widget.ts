import { acquireGpu, cpuReason, CPU_REASON_TEXT, type GpuContext } from '../../kernels/gpu/device';
import { prepareCpuGemm } from '../../kernels/linalg/gemm-cpu';
import { createRng, type Rng } from '../../kernels/random/rng';
import { StoppedError, WidgetError } from './errors';
import type { WidgetMeta } from './meta';
import { attrName, formatValue, parseParams, parseValue, toQuery, type ParamSchema, type ParamSpec, type ParamValues } from './params';
import { el } from './dom';
import { loadPlot } from './plot';
import './widget.css';

export type WidgetStatus = 'idle' | 'running' | 'done' | 'error';
export type Backend = 'webgpu' | 'cpu';

export interface RunContext<S extends ParamSchema> {
  values: ParamValues<S>;
  signal: AbortSignal;
  /** Report progress in [0, 1] with optional text; shown in the progress bar. */
  progress(fraction: number, text?: string): void;
  /** Yields to the page, waits while the widget is scrolled away, throws after Stop. Call it in long loops. */
  tick(): Promise<void>;
  rng: Rng;
  gpu: GpuContext | null;
  backend: Backend;
}

/** Attributes every widget understands besides its own parameters. */
const FRAME_ATTRIBUTES = ['autorun', 'backend', 'hide'];

/**
 * The base of every `ft-*` element: it implements the widget contract (design.md) so a widget
 * only builds its body and its `run`. See README.md beside this file.
 */
export abstract class FtWidget<S extends ParamSchema, R extends object> extends HTMLElement {
  /** Set by each subclass. */
  static meta: WidgetMeta;
  /** Re-run on every control change, with no Run/Stop buttons (calculators, grids). */
  static live = false;
  /** Acquire WebGPU for `ctx.gpu`. Defaults to true for non-live widgets. */
  static usesGpu?: boolean;
  /**
   * Draws a plot in its first render (a calculator): the element is defined once Plot has loaded,
   * so that render is whole. A plot added later would push what is under it down the page.
   */
  static plotsAtOnce = false;

  /** The last finished run's result (also the `ft:done` event's detail). */
  result: R | null = null;
  protected values!: ParamValues<S>;
  /** Where the subclass draws (plots, tables). */
  protected body!: HTMLElement;

  private built = false;
  private controller: AbortController | null = null;
  private errorBox!: HTMLElement;
  private statusText!: HTMLElement;
  private progressBar!: HTMLProgressElement;
  private badge!: HTMLElement;
  private shareLink!: HTMLAnchorElement;
  private runButton: HTMLButtonElement | null = null;
  /** Parameters the reader has set in a control since the attributes were read: their attribute no longer counts. */
  private fixedByReader = new Set<string>();
  private stopButton: HTMLButtonElement | null = null;
  private controls = new Map<string, HTMLElement>();
  private visible = true;
  private resumeWaiters: (() => void)[] = [];
  private observer: IntersectionObserver | null = null;
  private liveTimer: ReturnType<typeof setTimeout> | null = null;

  static get observedAttributes(): string[] {
    return [...FRAME_ATTRIBUTES, ...Object.keys(this.meta?.schema ?? {}).map(attrName)];
  }

  private get ctor(): typeof FtWidget & { meta: WidgetMeta<S> } {
    return this.constructor as typeof FtWidget & { meta: WidgetMeta<S> };
  }
  protected get schema(): S {
    return this.ctor.meta.schema;
  }
  private get isLive(): boolean {
    return this.ctor.live;
  }
  private get wantsGpu(): boolean {
    return this.ctor.usesGpu ?? !this.isLive;
  }

  /** Build the body once; `this.body` is empty and attached. */
  protected setup(): void {}
  /** Do the work for `ctx.values`; return plain JSON-serialisable numbers. */
  protected abstract run(ctx: RunContext<S>): Promise<R>;

  connectedCallback(): void {
    if (!this.built) this.build();
    this.observeVisibility();
    const ok = this.readAttributes();
    if (ok && (this.isLive || this.hasAttribute('autorun'))) void this.start();
  }

  disconnectedCallback(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.stop();
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (!this.built || oldValue === newValue) return;
    if (name === 'hide') this.applyHide();
    if (name === 'autorun' || name === 'hide') return;
    for (const key of Object.keys(this.schema)) if (attrName(key) === name) this.fixedByReader.delete(key);
    const ok = this.readAttributes();
    if (ok && this.isLive) this.scheduleLiveRun();
  }

  /** Start a run with the current values (stops one in progress first). Resolves when it ends. */
  async start(): Promise<void> {
    if (this.hasInvalidControl()) {
      this.showError('Fix the settings marked in red first: nothing runs with an invalid value.');
      this.setStatus('error');
      return;
    }
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    this.setStatus('running');
    this.showError(null);
    this.progress(0, this.isLive ? '' : 'Starting…');
    const { gpu, backend } = await this.pickBackend();
    if (controller.signal.aborted) return;
    try {
      const result = await this.runOn(gpu, backend, controller);
      if (controller.signal.aborted) return;
      this.finish(result);
    } catch (error) {
      if (controller.signal.aborted && !(error instanceof WidgetError)) return;
      if (gpu && !(error instanceof StoppedError) && (await deviceWasLost(gpu))) {
        // The device went away mid-run: say so and redo the run on the CPU reference.
        this.setBackend('cpu', CPU_REASON_TEXT.lost);
        try {
          this.finish(await this.runOn(null, 'cpu', controller));
        } catch (retryError) {
          this.fail(retryError);
        }
        return;
      }
      this.fail(error);
    } finally {
      if (this.controller === controller) this.controller = null;
      this.syncButtons();
    }
  }

  /** Stop a run in progress (its promise settles as stopped). */
  stop(): void {
    if (!this.controller) return;
    this.controller.abort();
    this.controller = null;
    for (const wake of this.resumeWaiters.splice(0)) wake();
    if (this.dataset.status === 'running') {
      this.setStatus('idle');
      this.progress(0, 'Stopped.');
    }
  }

  /** A status line under the controls (e.g. "step 120 / 400"). */
  protected setStatusText(text: string): void {
    this.statusText.textContent = text;
  }

  /** The share URL for the current configuration (the embed page of this widget). */
  shareUrl(): string {
    const query = toQuery(this.schema, this.values);
    const base = typeof location !== 'undefined' ? location.origin : '';
    return `${base}/embed/${this.ctor.meta.name}/?${query}`;
  }

  // ---------------------------------------------------------------- internals

  private async runOn(gpu: GpuContext | null, backend: Backend, controller: AbortController): Promise<R> {
    // A trainer plots its first point within a second: fetch the plotting library as the run
    // starts (a failed load is reported in the plot's place by plotInto).
    if (this.wantsGpu) loadPlot().catch(() => undefined);
    // Every trainer's CPU run (no WebGPU, backend=cpu, or a lost device) multiplies with the
    // WebAssembly kernel, fetched only now; calculators never need it.
    if (!gpu && this.wantsGpu) await prepareCpuGemm();
    const seed = 'seed' in this.values ? Number((this.values as Record<string, unknown>).seed) : 1;
    const ctx: RunContext<S> = {
      values: this.values,
      signal: controller.signal,
      progress: (fraction, text) => {
        if (this.controller === controller) this.progress(fraction, text);
      },
      tick: () => this.tick(controller.signal),
      rng: createRng(seed),
      gpu,
      backend,
    };
    return this.run(ctx);
  }

  private finish(result: R): void {
    this.result = result;
    this.setStatus('done');
    this.progress(1, this.isLive ? '' : 'Done.');
    this.dispatchEvent(new CustomEvent('ft:done', { detail: result, bubbles: true, composed: true }));
  }

  private fail(error: unknown): void {
    if (error instanceof StoppedError) {
      this.setStatus('idle');
      this.progress(0, 'Stopped.');
      return;
    }
    const message = error instanceof WidgetError ? error.message : `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
    this.showError(message);
    this.setStatus('error');
    this.progress(0, '');
  }

  private async pickBackend(): Promise<{ gpu: GpuContext | null; backend: Backend }> {
    // Calculators and the deck compute on the page; they have no backend to choose or show.
    if (!this.wantsGpu) return { gpu: null, backend: 'cpu' };
    if (this.getAttribute('backend') === 'cpu') {
      this.setBackend('cpu', CPU_REASON_TEXT.forced);
      return { gpu: null, backend: 'cpu' };
    }
    const gpu = await acquireGpu();
    if (!gpu) {
      this.setBackend('cpu', CPU_REASON_TEXT[cpuReason() ?? 'no-webgpu']);
      return { gpu: null, backend: 'cpu' };
    }
    const name = gpu.adapter.description || [gpu.adapter.vendor, gpu.adapter.architecture].filter(Boolean).join(' ') || 'GPU';
    this.setBackend('webgpu', name);
    return { gpu, backend: 'webgpu' };
  }

  private setBackend(backend: Backend, detail: string): void {
    this.dataset.backend = backend;
    this.badge.textContent = backend === 'webgpu' ? 'WebGPU' : 'CPU';
    // Says where runs go, not that one is going: the badge stays after the run ends.
    this.badge.title = backend === 'webgpu' ? `Trains on the GPU (WebGPU): ${detail}` : `Trains on the CPU: ${detail}`;
    this.badge.dataset.kind = backend;
    this.badge.setAttribute('aria-label', this.badge.title);
    const note = this.querySelector<HTMLElement>('.ftw-backend-note');
    if (note) note.textContent = backend === 'webgpu' ? detail : `CPU: ${detail}`;
  }

  private tick(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        if (signal.aborted) reject(new StoppedError());
        else if (!this.visible) this.resumeWaiters.push(go);
        else resolve();
      };
      // A MessageChannel hop lets the page paint and handle input without setTimeout's 4 ms clamp.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        go();
      };
      channel.port2.postMessage(null);
    });
  }

  private observeVisibility(): void {
    if (this.observer || typeof IntersectionObserver === 'undefined') return;
    this.observer = new IntersectionObserver(
      (entries) => {
        this.visible = entries.some((e) => e.isIntersecting);
        if (this.visible) for (const wake of this.resumeWaiters.splice(0)) wake();
      },
      { rootMargin: '600px 0px' },
    );
    this.observer.observe(this);
  }

  private readAttributes(): boolean {
    const { values, errors } = parseParams(this.schema, (name) => this.getAttribute(attrName(name)));
    const backend = this.getAttribute('backend');
    if (backend !== null && backend !== 'cpu' && backend !== 'webgpu' && backend !== 'auto') {
      errors.push(`“backend” is “${backend}”, but it must be cpu, webgpu or auto.`);
    }
    this.values = values;
    this.syncControls();
    this.markInvalidAttributes();
    if (errors.length > 0) {
      this.stop();
      this.showError(errors.join('\n'));
      this.setStatus('error');
      return false;
    }
    this.showError(null);
    if (this.dataset.status === 'error') this.setStatus('idle');
    return true;
  }

  private setStatus(status: WidgetStatus): void {
    this.dataset.status = status;
    this.setAttribute('aria-busy', String(status === 'running'));
    this.syncButtons();
  }

  private syncButtons(): void {
    const running = this.dataset.status === 'running';
    if (this.runButton) this.runButton.disabled = running || this.hasInvalidControl();
    if (this.stopButton) this.stopButton.disabled = !running;
  }

  private progress(fraction: number, text?: string): void {
    this.progressBar.value = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
    this.progressBar.hidden = this.isLive;
    if (text !== undefined) this.statusText.textContent = text;
  }

  private showError(message: string | null): void {
    this.errorBox.hidden = message === null;
    this.errorBox.textContent = message ?? '';
  }

  private build(): void {
    this.built = true;
    const meta = this.ctor.meta;
    this.classList.add('ftw');
    this.replaceChildren();

    const head = el('div', 'ftw-head');
    const title = el('h3', 'ftw-title');
    title.textContent = meta.title;
    this.badge = el('span', 'ftw-badge');
    this.badge.setAttribute('role', 'status');
    this.shareLink = el('a', 'ftw-share') as HTMLAnchorElement;
    this.shareLink.textContent = 'Share';
    this.shareLink.href = '#';
    this.shareLink.title = 'Link to this widget with these settings';
    this.shareLink.addEventListener('click', (e) => {
      e.preventDefault();
      void this.share();
    });
    head.append(title, this.badge, this.shareLink);

    this.errorBox = el('div', 'ftw-error');
    this.errorBox.setAttribute('role', 'alert');
    this.errorBox.hidden = true;

    const form = el('form', 'ftw-controls') as HTMLFormElement;
    form.addEventListener('submit', (e) => e.preventDefault());
    for (const [name, spec] of Object.entries(this.schema)) form.append(this.control(name, spec));

    const actions = el('div', 'ftw-actions');
    if (!this.isLive) {
      this.runButton = el('button', 'ftw-run') as HTMLButtonElement;
      this.runButton.type = 'button';
      this.runButton.textContent = 'Run';
      this.runButton.addEventListener('click', () => void this.start());
      this.stopButton = el('button', 'ftw-stop') as HTMLButtonElement;
      this.stopButton.type = 'button';
      this.stopButton.textContent = 'Stop';
      this.stopButton.disabled = true;
      this.stopButton.addEventListener('click', () => this.stop());
      actions.append(this.runButton, this.stopButton);
    }
    this.progressBar = el('progress', 'ftw-progress') as HTMLProgressElement;
    this.progressBar.max = 1;
    this.progressBar.value = 0;
    this.progressBar.setAttribute('aria-label', 'Progress');
    this.progressBar.hidden = this.isLive;
    this.statusText = el('span', 'ftw-status');
    this.statusText.setAttribute('aria-live', 'polite');
    const backendNote = el('span', 'ftw-backend-note');
    actions.append(this.progressBar, this.statusText, backendNote);

    this.body = el('div', 'ftw-body');
    this.append(head, this.errorBox, form, actions, this.body);
    this.setStatus('idle');
    this.dataset.backend = this.wantsGpu ? 'webgpu' : 'cpu';
    this.badge.textContent = '…';
    this.badge.title = 'WebGPU or the CPU: chosen when a run starts';
    this.badge.setAttribute('aria-label', this.badge.title);
    this.badge.hidden = !this.wantsGpu;
    this.applyHide();
    this.setup();
  }

  private async share(): Promise<void> {
    const url = this.shareUrl();
    this.shareLink.href = url;
    try {
      await navigator.clipboard.writeText(url);
      this.setStatusText('Link copied.');
    } catch {
      window.prompt('Copy this link:', url);
    }
  }

  private applyHide(): void {
    const hidden = new Set(
      (this.getAttribute('hide') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    for (const [name, control] of this.controls) control.hidden = hidden.has(name) || hidden.has(attrName(name));
  }

  /**
   * A bad value from an attribute or a link stays marked on its control until the reader fixes it,
   * so Run cannot quietly train with the default in its place.
   */
  private markInvalidAttributes(): void {
    for (const [name, wrap] of this.controls) {
      const raw = this.getAttribute(attrName(name));
      if (raw === null || this.fixedByReader.has(name)) continue;
      const parsed = parseValue(name, this.schema[name], raw);
      if (!('error' in parsed)) continue;
      wrap.dataset.invalid = '';
      const message = wrap.querySelector('.ftw-control-error');
      if (message) message.textContent = parsed.error;
    }
    this.syncButtons();
  }

  private hasInvalidControl(): boolean {
    return this.querySelector('.ftw-control[data-invalid]') !== null;
  }

  /** One labelled, keyboard-usable control per parameter; edits are validated by the same rules as attributes. */
  private control(name: string, spec: ParamSpec): HTMLElement {
    const wrap = el('div', 'ftw-control');
    wrap.dataset.param = name;
    const id = `ftw-${this.ctor.meta.name}-${name}-${Math.random().toString(36).slice(2, 8)}`;
    const label = el('label') as HTMLLabelElement;
    label.htmlFor = id;
    label.textContent = spec.label + ('unit' in spec && spec.unit ? ` (${spec.unit})` : '');
    const message = el('span', 'ftw-control-error');
    const commit = (raw: string) => {
      const parsed = parseValue(name, spec, raw);
      if ('error' in parsed) {
        wrap.dataset.invalid = '';
        message.textContent = parsed.error;
        this.syncButtons();
        return;
      }
      delete wrap.dataset.invalid;
      message.textContent = '';
      this.fixedByReader.add(name);
      (this.values as Record<string, unknown>)[name] = parsed.value;
      this.syncControls(name);
      this.syncButtons();
      if (this.dataset.status === 'error' && !this.hasInvalidControl()) {
        this.showError(null);
        this.setStatus('idle');
      }
      if (this.isLive) this.scheduleLiveRun();
      else if (this.dataset.status === 'done') this.setStatusText('Settings changed: press Run.');
    };
    let input: HTMLElement;
    switch (spec.kind) {
      case 'int':
      case 'number': {
        const box = el('input') as HTMLInputElement;
        box.type = 'number';
        box.min = String(spec.min);
        box.max = String(spec.max);
        box.step = spec.kind === 'int' ? '1' : String(spec.step ?? 'any');
        box.addEventListener('change', () => commit(box.value));
        input = box;
        break;
      }
      case 'bool': {
        const box = el('input') as HTMLInputElement;
        box.type = 'checkbox';
        box.addEventListener('change', () => commit(String(box.checked)));
        input = box;
        break;
      }
      case 'enum': {
        const select = el('select') as HTMLSelectElement;
        for (const option of spec.options) {
          const o = el('option') as HTMLOptionElement;
          o.value = option;
          o.textContent = spec.optionLabels?.[option] ?? option;
          select.append(o);
        }
        select.addEventListener('change', () => commit(select.value));
        input = select;
        break;
      }
      case 'list': {
        const group = el('fieldset', 'ftw-list');
        const legend = el('legend');
        legend.textContent = spec.label;
        group.append(legend);
        for (const option of spec.options) {
          const l = el('label', 'ftw-list-item');
          const box = el('input') as HTMLInputElement;
          box.type = 'checkbox';
          box.value = option;
          box.addEventListener('change', () => {
            const chosen = [...group.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
            commit(chosen.join(','));
          });
          l.append(box, document.createTextNode(' ' + (spec.optionLabels?.[option] ?? option)));
          group.append(l);
        }
        input = group;
        break;
      }
    }
    input.id = id;
    input.classList.add('ftw-input');
    if (spec.help) input.title = spec.help;
    if (spec.kind === 'list') wrap.append(input, message);
    else wrap.append(label, input, message);
    this.controls.set(name, wrap);
    return wrap;
  }

  /** Show `this.values` in the controls (all, or all but the one being edited). */
  private syncControls(except?: string): void {
    for (const [name, wrap] of this.controls) {
      if (name === except) continue;
      const spec = this.schema[name];
      const value = (this.values as Record<string, unknown>)[name];
      const input = wrap.querySelector<HTMLElement>('.ftw-input');
      if (!input) continue;
      if (spec.kind === 'bool') (input as HTMLInputElement).checked = Boolean(value);
      else if (spec.kind === 'list') {
        for (const box of input.querySelectorAll<HTMLInputElement>('input')) box.checked = (value as string[]).includes(box.value);
      } else (input as HTMLInputElement | HTMLSelectElement).value = formatValue(spec, value);
      delete wrap.dataset.invalid;
      const msg = wrap.querySelector('.ftw-control-error');
      if (msg) msg.textContent = '';
    }
    if (this.shareLink) this.shareLink.href = this.shareUrl();
    this.syncApplicability();
  }

  /** Grey out (and take out of the Tab order) the controls whose spec says they do not apply to the current values. */
  private syncApplicability(): void {
    const values = this.values as Readonly<Record<string, unknown>>;
    for (const [name, wrap] of this.controls) {
      const applies = this.schema[name].appliesWhen?.(values) ?? true;
      wrap.toggleAttribute('data-inactive', !applies);
      wrap.title = applies ? '' : 'Not used with the current settings';
      for (const input of wrap.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) input.disabled = !applies;
    }
  }

  private scheduleLiveRun(): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    // The run starts after a short debounce; the status says so at once, so whoever waits for
    // `done` after a change waits for the run that the change starts, not for the last one.
    this.setStatus('running');
    this.liveTimer = setTimeout(() => {
      this.liveTimer = null;
      void this.start();
    }, 30);
  }
}

/** Whether `gpu` has been lost; a run that failed because of a loss sees the loss settle within moments. */
async function deviceWasLost(gpu: GpuContext): Promise<boolean> {
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 3000));
  return Promise.race([gpu.lost.then(() => true), timeout]);
}

/**
 * Registers a widget class under its tag once (a page may load the module twice), in a task of
 * its own. Its code has just been evaluated (a long task on a slow phone), and upgrading the
 * page's elements (building them, and a calculator's first run) in that same task would make it
 * longer still: the browser gets a moment to handle input between.
 */
export function defineWidget(tag: string, cls: CustomElementConstructor & { plotsAtOnce?: boolean }): void {
  // A failed load still defines the element: plotInto then says so in the plot's place.
  const ready = cls.plotsAtOnce ? loadPlot().catch(() => undefined) : Promise.resolve();
  void ready.then(() =>
    setTimeout(() => {
      if (!customElements.get(tag)) customElements.define(tag, cls);
    }),
  );
}
