/** The progress bar at the foot of the deck: counts, export, import, reset, and storage notices. */
import { downloadText, h } from './dom';
import { BACKUP_KEY, emptyProgress, parseProgress, serializeProgress, type KeyValueStore, type Progress } from './progress';

export interface ProgressPanelOptions {
  store: KeyValueStore;
  knownIds: ReadonlySet<string>;
  /** Unreadable saved progress held in memory because storage could not keep a copy. */
  unreadable?: string;
  getProgress(): Progress;
  /** Replace the progress (after import or reset); the caller saves and re-renders. */
  setProgress(p: Progress, message: string): void;
}

export interface ProgressPanel {
  root: HTMLElement;
  /** Show a notice (storage recovered, save failed, import result). */
  notify(message: string | null, kind?: 'info' | 'warning'): void;
  refresh(): void;
}

export function renderProgressPanel(opts: ProgressPanelOptions): ProgressPanel {
  const notice = h('div', {
    class: 'fc-notice',
    role: 'status',
    'aria-live': 'polite',
    hidden: true,
  });
  const summary = h('p', { class: 'fc-progress-summary' });
  const exportButton = h('button', { type: 'button', class: 'fc-export' }, 'Export progress');
  const fileInput = h('input', {
    type: 'file',
    accept: 'application/json,.json',
    class: 'fc-import-file',
    'aria-label': 'Import progress from a file',
  });
  const importButton = h('button', { type: 'button', class: 'fc-import' }, 'Import…');
  const resetButton = h('button', { type: 'button', class: 'fc-reset' }, 'Reset progress');
  const backupButton = h('button', { type: 'button', class: 'fc-backup', hidden: true }, 'Download unreadable data');
  fileInput.hidden = true;

  const root = h(
    'section',
    { class: 'fc-progress', 'aria-label': 'Your progress' },
    notice,
    h(
      'div',
      { class: 'fc-progress-row' },
      summary,
      h('div', { class: 'fc-progress-actions' }, exportButton, importButton, fileInput, resetButton, backupButton),
    ),
  );

  const notify = (message: string | null, kind: 'info' | 'warning' = 'info') => {
    notice.hidden = message === null;
    notice.textContent = message ?? '';
    notice.dataset.kind = kind;
  };

  const storedBackup = (): string | null => {
    try {
      return opts.store.getItem(BACKUP_KEY) ?? opts.unreadable ?? null;
    } catch {
      return opts.unreadable ?? null;
    }
  };

  const refresh = () => {
    const p = opts.getProgress();
    const last = p.interviews[0];
    summary.textContent =
      `${p.cards.size} card${p.cards.size === 1 ? '' : 's'} studied` +
      (last ? ` · last interview ${Math.round((100 * last.score) / Math.max(1, last.questions))}%` : '');
    backupButton.hidden = storedBackup() === null;
  };

  exportButton.addEventListener('click', () => {
    const date = new Date().toISOString().slice(0, 10);
    downloadText(`flashcards-progress-${date}.json`, serializeProgress(opts.getProgress()));
    notify('Progress exported as a file. Import it here or in another browser to continue.');
  });
  importButton.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    const text = await file.text();
    const parsed = parseProgress(text, opts.knownIds);
    if (!parsed.ok) {
      notify(`That file could not be imported: ${parsed.reason}. Your current progress is unchanged.`, 'warning');
      return;
    }
    const skipped = parsed.dropped ? ` (${parsed.dropped} unreadable or unknown entr${parsed.dropped === 1 ? 'y' : 'ies'} skipped)` : '';
    opts.setProgress(parsed.progress, `Imported progress for ${parsed.progress.cards.size} cards${skipped}.`);
  });
  resetButton.addEventListener('click', () => {
    if (!window.confirm('Forget all flashcard progress in this browser? Export first if you may want it back.')) return;
    opts.setProgress(emptyProgress(), 'Progress reset: every card is new again.');
  });
  backupButton.addEventListener('click', () => {
    const backup = storedBackup();
    if (backup !== null) downloadText('flashcards-unreadable-backup.json', backup);
  });

  refresh();
  return { root, notify, refresh };
}
