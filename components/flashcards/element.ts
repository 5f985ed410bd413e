import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { widgetMeta } from '../widget-base/registry';
import { deckFor, QUESTIONS } from './bank';
import { loadProgress, memoryStore, saveProgress, type KeyValueStore, type Progress } from './progress';
import { orderDeck } from './scheduler';
import { CHAPTER_TITLES, type ChapterSlug } from './schema';
import { meta } from './meta';
import { renderInterview } from './view-interview';
import { renderProgressPanel, type ProgressPanel } from './view-progress';
import { renderStudy } from './view-study';
import './flashcards.css';

export interface FlashcardsResult {
  mode: string;
  chapter: string;
  /** Questions in the chosen deck. */
  cards: number;
  due: number;
  fresh: number;
}

/** Browser storage, or a forgetful stand-in where it is blocked (some sandboxed iframes throw on access). */
function browserStore(): KeyValueStore {
  try {
    const s = window.localStorage;
    s.getItem('ft-flashcards:probe');
    return s;
  } catch {
    return memoryStore();
  }
}

/**
 * <ft-flashcards chapter="lora" mode="study">: the interview question deck. Study mode schedules
 * cards with FSRS; interview mode asks N random questions under a timer. Progress is kept in
 * localStorage and shared by every deck on the site.
 */
export class FtFlashcards extends FtWidget<typeof meta.schema, FlashcardsResult> {
  static meta = meta;
  static live = true;
  static usesGpu = false;

  private store: KeyValueStore = memoryStore();
  private saved!: Progress;
  private panel!: ProgressPanel;
  private modeView!: HTMLElement;
  private disposeMode: (() => void) | null = null;
  private readonly knownIds = new Set(QUESTIONS.map((q) => q.id));

  protected setup(): void {
    this.store = browserStore();
    const loaded = loadProgress(this.store, this.knownIds);
    this.saved = loaded.progress;
    this.modeView = document.createElement('div');
    this.modeView.className = 'fc-mode';
    this.panel = renderProgressPanel({
      store: this.store,
      knownIds: this.knownIds,
      unreadable: loaded.unreadable,
      getProgress: () => this.saved,
      setProgress: (p, message) => {
        this.saved = p;
        this.save();
        this.panel.notify(message);
        void this.start();
      },
    });
    this.body.append(this.modeView, this.panel.root);
    if (loaded.notice) this.panel.notify(loaded.notice, 'warning');
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.disposeMode?.();
  }

  private save(): void {
    const error = saveProgress(this.store, this.saved);
    if (error) this.panel.notify(error, 'warning');
    this.panel.refresh();
  }

  protected async run(ctx: RunContext<typeof meta.schema>): Promise<FlashcardsResult> {
    this.disposeMode?.();
    this.disposeMode = null;
    const chapter = ctx.values.chapter as ChapterSlug | 'all';
    const deck = deckFor(chapter);
    const deckLabel = chapter === 'all' ? 'all chapters' : `the ${CHAPTER_TITLES[chapter]} deck`;
    const common = {
      deck,
      deckLabel,
      progress: this.saved,
      seed: ctx.values.seed,
      save: () => this.save(),
      widgetExists: (name: string) => widgetMeta(name) !== undefined,
    };
    this.modeView.dataset.mode = ctx.values.mode;
    if (ctx.values.mode === 'interview') {
      this.disposeMode = renderInterview(this.modeView, {
        ...common,
        chapter,
        count: ctx.values.questions,
      });
    } else {
      renderStudy(this.modeView, { ...common, now: () => new Date() });
    }
    const order = orderDeck(deck, this.saved.cards, new Date());
    return {
      mode: ctx.values.mode,
      chapter,
      cards: deck.length,
      due: order.due.length,
      fresh: order.fresh.length,
    };
  }
}

defineWidget(`ft-${meta.name}`, FtFlashcards);
