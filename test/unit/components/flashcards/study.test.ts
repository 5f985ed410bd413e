import { describe, expect, it } from 'vitest';
import { createEmptyCard, fsrs, Rating, State } from 'ts-fsrs';
import { createRng } from '../../../../kernels/random/rng';
import { QUESTIONS } from '../../../../components/flashcards/bank';
import { interviewSeconds, pickInterview, scoreInterview } from '../../../../components/flashcards/interview';
import {
  BACKUP_KEY,
  emptyProgress,
  loadProgress,
  memoryStore,
  parseProgress,
  PROGRESS_VERSION,
  saveProgress,
  serializeProgress,
  STORAGE_KEY,
} from '../../../../components/flashcards/progress';
import { meta } from '../../../../components/flashcards/meta';
import { CHAPTER_SLUGS } from '../../../../components/flashcards/schema';
import { attemptSeed } from '../../../../components/flashcards/view-study';
import { formatInterval, newCard, orderDeck, previewDue, review } from '../../../../components/flashcards/scheduler';

const IDS = new Set(QUESTIONS.map((q) => q.id));
const T0 = new Date('2026-01-01T09:00:00Z');
const minutes = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 60_000;

describe('FSRS schedule', () => {
  it('moves a card exactly as ts-fsrs does, rating by rating', () => {
    const reference = fsrs({ enable_fuzz: false });
    let ours = newCard(T0);
    let theirs = createEmptyCard(T0);
    let now = T0;
    for (const grade of [Rating.Good, Rating.Good, Rating.Again, Rating.Hard, Rating.Good, Rating.Easy] as const) {
      ours = review(ours, grade, now);
      theirs = reference.next(theirs, now, grade).card;
      expect(ours).toEqual(theirs);
      now = ours.due;
    }
  });

  it('spaces a well-known card further each time and brings a forgotten one back within minutes', () => {
    let card = newCard(T0);
    let now = T0;
    const intervals: number[] = [];
    for (let i = 0; i < 5; i++) {
      card = review(card, Rating.Good, now);
      intervals.push(minutes(now, card.due));
      now = card.due;
    }
    for (let i = 2; i < intervals.length; i++) expect(intervals[i]).toBeGreaterThan(intervals[i - 1]);
    expect(card.state).toBe(State.Review);
    const lapsed = review(card, Rating.Again, now);
    expect(lapsed.state).toBe(State.Relearning);
    expect(lapsed.lapses).toBe(1);
    expect(minutes(now, lapsed.due)).toBeLessThan(60);
  });

  it('previews due dates in the order Again < Hard < Good < Easy, matching review()', () => {
    const card = review(review(newCard(T0), Rating.Good, T0), Rating.Good, new Date(T0.getTime() + 3_600_000));
    const now = card.due;
    const p = previewDue(card, now);
    expect(p[Rating.Again].getTime()).toBeLessThan(p[Rating.Hard].getTime());
    expect(p[Rating.Hard].getTime()).toBeLessThan(p[Rating.Good].getTime());
    expect(p[Rating.Good].getTime()).toBeLessThan(p[Rating.Easy].getTime());
    expect(p[Rating.Good]).toEqual(review(card, Rating.Good, now).due);
  });

  it('orders the deck: due (most overdue first), then new, then later', () => {
    const [a, b, c, d] = QUESTIONS;
    const cards = new Map([
      [
        a.id,
        {
          ...review(newCard(T0), Rating.Good, T0),
          due: new Date(T0.getTime() - 1000),
        },
      ],
      [
        b.id,
        {
          ...review(newCard(T0), Rating.Good, T0),
          due: new Date(T0.getTime() - 5000),
        },
      ],
      [
        c.id,
        {
          ...review(newCard(T0), Rating.Good, T0),
          due: new Date(T0.getTime() + 5000),
        },
      ],
    ]);
    const order = orderDeck([a, b, c, d], cards, T0);
    expect(order.due.map((q) => q.id)).toEqual([b.id, a.id]);
    expect(order.fresh.map((q) => q.id)).toEqual([d.id]);
    expect(order.later.map((q) => q.id)).toEqual([c.id]);
  });

  it('formats intervals for the buttons', () => {
    expect(formatInterval(T0, new Date(T0.getTime() + 60_000))).toBe('1 min');
    expect(formatInterval(T0, new Date(T0.getTime() + 3 * 3_600_000))).toBe('3 h');
    expect(formatInterval(T0, new Date(T0.getTime() + 4 * 86_400_000))).toBe('4 d');
    expect(formatInterval(T0, new Date(T0.getTime() + 75 * 86_400_000))).toBe('2.5 mo');
  });
});

describe('saved progress', () => {
  const someProgress = () => {
    const p = emptyProgress();
    p.cards.set(QUESTIONS[0].id, review(newCard(T0), Rating.Good, T0));
    p.cards.set(QUESTIONS[1].id, review(review(newCard(T0), Rating.Again, T0), Rating.Good, T0));
    p.interviews.push({
      date: T0.toISOString(),
      chapter: 'all',
      questions: 5,
      score: 3.5,
      seconds: 400,
      byTopic: { lora: { score: 2, total: 3 } },
    });
    return p;
  };

  it('round-trips through serialize and parse', () => {
    const p = someProgress();
    const back = parseProgress(serializeProgress(p), IDS);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.dropped).toBe(0);
    expect([...back.progress.cards.entries()]).toEqual([...p.cards.entries()]);
    expect(back.progress.interviews).toEqual(p.interviews);
    expect(JSON.parse(serializeProgress(p)).version).toBe(PROGRESS_VERSION);
  });

  it('saves to and loads from a store', () => {
    const store = memoryStore();
    expect(saveProgress(store, someProgress())).toBeNull();
    const loaded = loadProgress(store, IDS);
    expect(loaded.notice).toBeNull();
    expect(loaded.progress.cards.size).toBe(2);
  });

  const unreadable: [string, string, RegExp][] = [
    ['corrupt JSON', '{"format": "ft-flashcards-progress", "vers', /not valid JSON/],
    [
      'an older format',
      JSON.stringify({
        format: 'ft-flashcards-progress',
        version: 0,
        cards: {},
      }),
      /older format \(version 0/,
    ],
    [
      'a newer format',
      JSON.stringify({
        format: 'ft-flashcards-progress',
        version: 99,
        cards: {},
      }),
      /newer format \(version 99/,
    ],
    ["someone else's data", JSON.stringify({ hello: 'world' }), /not flashcard progress/],
    ['a bare number', '42', /not flashcard progress/],
    ['null', 'null', /not flashcard progress/],
  ];
  it.each(unreadable)('recovers from %s: reports it, keeps a backup, starts fresh', (_, stored, reason) => {
    const store = memoryStore();
    store.setItem(STORAGE_KEY, stored);
    const loaded = loadProgress(store, IDS);
    expect(loaded.progress.cards.size).toBe(0);
    expect(loaded.notice).toMatch(reason);
    expect(loaded.notice).toMatch(/Starting fresh/);
    expect(store.getItem(BACKUP_KEY)).toBe(stored);
    expect(store.getItem(STORAGE_KEY)).toBeNull();
  });

  it('keeps readable cards and drops broken or unknown ones, saying how many', () => {
    const good = JSON.parse(serializeProgress(someProgress()));
    good.cards['no-such-question'] = good.cards[QUESTIONS[0].id];
    good.cards[QUESTIONS[2].id] = { due: 'yesterday-ish', stability: -1 };
    good.interviews.push({ date: 'x' });
    // A score above the question count would print as "Infinity%": it is damage, dropped with the rest.
    good.interviews.push({ ...good.interviews[0], score: 1e308 });
    const store = memoryStore();
    store.setItem(STORAGE_KEY, JSON.stringify(good));
    const loaded = loadProgress(store, IDS);
    expect(loaded.progress.cards.size).toBe(2);
    expect(loaded.progress.interviews.length).toBe(1);
    expect(loaded.notice).toMatch(/^4 saved entries were unreadable/);
  });

  it('survives storage that throws', () => {
    const throwing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    expect(loadProgress(throwing, IDS).notice).toMatch(/blocks local storage/);
    expect(saveProgress(throwing, someProgress())).toMatch(/could not be saved.*QuotaExceededError/);
  });
});

describe('interview mode', () => {
  it('picks N distinct questions, all of them when N exceeds the deck', () => {
    const picked = pickInterview(QUESTIONS, 10, createRng(3));
    expect(picked.length).toBe(10);
    expect(new Set(picked.map((q) => q.id)).size).toBe(10);
    expect(pickInterview(QUESTIONS.slice(0, 4), 10, createRng(3)).length).toBe(4);
    expect(pickInterview(QUESTIONS, 10, createRng(3)).map((q) => q.id)).toEqual(picked.map((q) => q.id));
  });

  it('allows 90 s per question, rounded up to whole minutes', () => {
    expect(interviewSeconds(10)).toBe(900);
    expect(interviewSeconds(5)).toBe(480);
  });

  it('scores with a per-topic breakdown in topic order', () => {
    const lora = QUESTIONS.filter((q) => q.topic === 'lora').slice(0, 2);
    const zero = QUESTIONS.filter((q) => q.topic === 'zero-distributed').slice(0, 1);
    const s = scoreInterview([
      { question: zero[0], score: 1, answered: true },
      { question: lora[0], score: 0.5, answered: true },
      { question: lora[1], score: 0, answered: false },
    ]);
    expect(s).toEqual({
      score: 1.5,
      total: 3,
      byTopic: [
        { topic: 'lora', score: 0.5, total: 2 },
        { topic: 'zero-distributed', score: 1, total: 1 },
      ],
    });
  });
});

describe('widget parameters', () => {
  it('offers exactly the chapter decks the bank knows', () => {
    expect(meta.schema.chapter.options).toEqual(['all', ...CHAPTER_SLUGS]);
    for (const slug of CHAPTER_SLUGS)
      expect(
        QUESTIONS.some((q) => q.chapter === slug),
        slug,
      ).toBe(true);
  });

  it('draws a different, reproducible seed for every attempt at every card', () => {
    const seeds = new Set<number>();
    for (const q of QUESTIONS) for (let attempt = 0; attempt < 5; attempt++) seeds.add(attemptSeed(1, q.id, attempt));
    expect(seeds.size).toBe(QUESTIONS.length * 5);
    expect(attemptSeed(1, 'lora-init', 3)).toBe(attemptSeed(1, 'lora-init', 3));
    expect(attemptSeed(2, 'lora-init', 3)).not.toBe(attemptSeed(1, 'lora-init', 3));
  });
});
