import { createRng } from '../../kernels/random/rng';
import type { CheckFn } from './types';

/** Each chapter's checks are one lazily loaded module. */
const chapterModules = import.meta.glob<{ checks: Record<string, CheckFn> }>('./checks/*.ts');

async function findCheck(name: string): Promise<CheckFn> {
  const [chapter, id] = name.split('/');
  const load = chapterModules[`./checks/${chapter}.ts`];
  if (!load) throw new Error(`no checks for chapter “${chapter}”`);
  const fn = (await load()).checks[id];
  if (!fn) throw new Error(`no check “${id}” in ${chapter}`);
  return fn;
}

/** Checks not yet shown: printing shows them all (see `startChecks`). */
const waiting = new Set<FtCheck>();

/** Shows one check: the claim, the value measured on a random problem, a pass mark, and "re-roll". */
class FtCheck extends HTMLElement {
  private seed = 1;
  private fn: CheckFn | null = null;
  private loading: Promise<void> | null = null;

  connectedCallback(): void {
    waiting.add(this);
    if (typeof IntersectionObserver === 'undefined') {
      void this.runWhenLoaded();
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        void this.runWhenLoaded();
      },
      { rootMargin: '50% 0px' },
    );
    observer.observe(this);
    // Load the chapter's checks when the page is idle, so that printing can run them at once.
    const idle = window.requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 200));
    idle(() => void this.load());
  }

  disconnectedCallback(): void {
    waiting.delete(this);
  }

  /** Loads the check's code (once); a check that cannot be found says so. */
  load(): Promise<void> {
    this.loading ??= findCheck(this.dataset.name ?? '').then(
      (fn) => {
        this.fn = fn;
        this.dataset.loaded = '';
      },
      (error) => {
        waiting.delete(this);
        this.show(false, 'Live check unavailable', error instanceof Error ? error.message : String(error));
      },
    );
    return this.loading;
  }

  private async runWhenLoaded(): Promise<void> {
    await this.load();
    this.renderOnce();
  }

  /** Runs the check if it has not run yet and its code is loaded (synchronous: printing calls it). */
  renderOnce(): void {
    if (!waiting.has(this) || !this.fn) return;
    waiting.delete(this);
    this.render();
  }

  private render(): void {
    if (!this.fn) return;
    try {
      const { label, value, ok } = this.fn(createRng(this.seed));
      this.show(ok, label, value);
    } catch (error) {
      this.show(false, 'The check could not run', error instanceof Error ? error.message : String(error));
    }
  }

  private show(ok: boolean, label: string, value: string): void {
    this.dataset.state = ok ? 'pass' : 'fail';
    const mark = document.createElement('span');
    mark.className = 'ft-check-mark';
    mark.textContent = ok ? '✓' : '✗';
    mark.setAttribute('aria-label', ok ? 'holds' : 'does not hold');
    const text = document.createElement('span');
    text.className = 'ft-check-text';
    const kicker = document.createElement('span');
    kicker.className = 'ft-check-kicker';
    kicker.textContent = 'Live check';
    const labelEl = document.createElement('span');
    labelEl.className = 'ft-check-label';
    labelEl.textContent = label;
    const valueEl = document.createElement('output');
    valueEl.className = 'ft-check-value';
    valueEl.textContent = value;
    text.append(kicker, labelEl, valueEl);
    const reroll = document.createElement('button');
    reroll.type = 'button';
    reroll.className = 'ft-check-reroll';
    reroll.textContent = 'Re-roll';
    reroll.title = 'Run this check again on a new random problem';
    reroll.addEventListener('click', () => {
      this.seed += 1;
      this.render();
    });
    this.replaceChildren(mark, text, reroll);
  }
}

export function startChecks(): void {
  if (customElements.get('ft-check')) return;
  customElements.define('ft-check', FtCheck);
  // A printed page shows computed values, not "computing in your browser…".
  window.addEventListener('beforeprint', () => {
    for (const check of [...waiting]) check.renderOnce();
  });
}
