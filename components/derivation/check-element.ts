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

/** Milliseconds after the load event at which every check's code loads even if the reader has not moved. */
const PRELOAD_AFTER_LOAD_MS = 10_000;

/**
 * Printing runs every check at once (beforeprint cannot wait for code to arrive), so each check's
 * code must be loaded before then. Not during the page's load, though: evaluating a chapter's
 * checks is the longest task there (Lighthouse's Total Blocking Time on the LoRA chapter fell from
 * 473 to 159 ms without it). So the code loads, when the browser is idle, after the reader's first
 * scroll, pointer or key, or 10 s after the load event.
 */
function preloadChecksLater(): void {
  const idle = window.requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 200));
  const events = ['scroll', 'pointerdown', 'pointermove', 'keydown', 'touchstart'] as const;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const go = () => {
    for (const type of events) removeEventListener(type, go);
    clearTimeout(timer);
    idle(() => {
      for (const check of [...waiting]) void check.load();
    });
  };
  for (const type of events) addEventListener(type, go, { passive: true });
  const afterLoad = () => (timer = setTimeout(go, PRELOAD_AFTER_LOAD_MS));
  if (document.readyState === 'complete') afterLoad();
  else addEventListener('load', afterLoad, { once: true });
}

export function startChecks(): void {
  if (customElements.get('ft-check')) return;
  customElements.define('ft-check', FtCheck);
  preloadChecksLater();
  // A printed page shows computed values, not "computing in your browser…".
  window.addEventListener('beforeprint', () => {
    for (const check of [...waiting]) check.renderOnce();
  });
}
