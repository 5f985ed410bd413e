import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { QUESTIONS } from '../../components/flashcards/bank';
import { emptyProgress, serializeProgress, STORAGE_KEY, BACKUP_KEY } from '../../components/flashcards/progress';
import { newCard, Rating, review } from '../../components/flashcards/scheduler';

type StoredProgress = {
  version: number;
  cards: Record<string, { state: number; due: string; reps: number }>;
  interviews: { questions: number; score: number }[];
};

/** Saved progress in which every question except `ids` was reviewed and is due far in the future, so study mode shows `ids` first. */
function progressWithOnly(ids: string[]): string {
  const p = emptyProgress();
  const then = new Date('2026-01-01T00:00:00Z');
  for (const q of QUESTIONS) {
    if (ids.includes(q.id)) continue;
    p.cards.set(q.id, { ...review(newCard(then), Rating.Easy, then), due: new Date('2099-01-01T00:00:00Z') });
  }
  return serializeProgress(p);
}

async function openDeck(page: Page, query: string, stored?: string) {
  if (stored !== undefined) {
    await page.addInitScript(([key, value]) => window.localStorage.setItem(key, value), [STORAGE_KEY, stored] as const);
  }
  await page.goto(`/flashcards/${query}`);
  const deck = page.locator('ft-flashcards');
  await expect(deck).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  return deck;
}

const deckSize = (chapter: string) => QUESTIONS.filter((q) => q.chapter === chapter).length;

const saved = (page: Page) =>
  page.evaluate((key) => JSON.parse(window.localStorage.getItem(key) ?? 'null'), STORAGE_KEY) as Promise<StoredProgress | null>;

test('a study session: check, see feedback, rate, and the card is scheduled and saved', async ({ page }) => {
  const deck = await openDeck(page, '?chapter=lora', progressWithOnly(['lora-shapes', 'lora-layer-formula', 'lora-why-it-works']));
  await expect(deck.locator('[data-count="new"]')).toHaveText('3 new');

  // Free text first (bank order): each key point found (where) or missing, the model answer, the reader's confirmation, then self-rating.
  const card = deck.locator('.fc-card');
  await expect(card).toHaveAttribute('data-question', 'lora-why-it-works');
  await card.locator('textarea').fill('W0 is frozen; the update is a low-rank product BA, scaled by alpha over r. B 初始化为零.');
  await card.getByRole('button', { name: 'Check' }).click();
  await expect(card.locator('.fc-point[data-status="found"]')).toHaveCount(4);
  await expect(card.locator('.fc-point[data-status="missing"] .fc-point-name')).toHaveText(['updates have low intrinsic rank']);
  await expect(card.locator('.fc-point[data-status="found"]').first()).toContainText('W0 is frozen');
  await expect(card.locator('.fc-model')).toContainText('Kaiming-uniform');
  // The reader confirms the marks (here as found); that is what gets scored.
  await card.getByRole('button', { name: 'Confirm the marks' }).click();
  await expect(card.getByRole('link', { name: /Read the section in LoRA/ })).toHaveAttribute(
    'href',
    '/chapters/lora/#why-a-weight-update-can-be-low-rank',
  );
  const good = deck.getByRole('button', { name: /^Good/ });
  await expect(good).toBeFocused(); // 4 of 5 points: Good is suggested
  await good.click();

  let stored = await saved(page);
  expect(stored?.cards['lora-why-it-works']).toMatchObject({ reps: 1, state: 1 });
  await expect(deck.locator('[data-count="session"]')).toHaveText('1 reviewed this session');

  // Single choice: the right option is accepted and every option explains itself.
  await expect(card).toHaveAttribute('data-question', 'lora-shapes');
  await card.getByLabel('B ∈ ℝ^(d×r), A ∈ ℝ^(r×k)').check();
  await card.getByRole('button', { name: 'Check' }).click();
  await expect(card.locator('.fc-feedback')).toHaveAttribute('data-result', 'correct');
  await expect(card.locator('.fc-why')).toHaveCount(4);
  await page.keyboard.press('3'); // Good, from the keyboard
  await expect(card).toHaveAttribute('data-question', 'lora-layer-formula');

  // Formula: an unreadable formula asks again; an equivalent form is accepted.
  const input = card.getByLabel('Your formula');
  await input.fill('r*(d+');
  await input.press('Enter');
  await expect(card.locator('.fc-feedback')).toHaveAttribute('data-result', 'retry');
  await expect(input).toBeEditable();
  await input.fill('rd + kr');
  await input.press('Enter');
  await expect(card.locator('.fc-feedback')).toHaveAttribute('data-result', 'correct');
  await deck.getByRole('button', { name: /^Again/ }).click();

  // All three seen: the deck says so; "Again" brought one back within minutes.
  await expect(deck.locator('.fc-done')).toContainText('All caught up');
  await expect(deck.locator('.fc-done')).toContainText(/next card is due in \d+ min/);
  stored = await saved(page);
  expect(Object.keys(stored?.cards ?? {}).length).toBe(QUESTIONS.length);
  expect(stored?.cards['lora-layer-formula'].reps).toBe(1);
  await expect(deck).not.toContainText(/NaN|undefined|Infinity/);
});

test('numeric cards: a wrong unit gets a specific hint, and new numbers are drawn on the next attempt', async ({ page }) => {
  const deck = await openDeck(page, '?chapter=zero', progressWithOnly(['zero-memory-per-gpu']));
  const card = deck.locator('.fc-card');
  const firstPrompt = await card.locator('.fc-text').first().textContent();
  const input = card.getByLabel('Your answer');
  await input.fill('twelve');
  await input.press('Enter');
  await expect(card.locator('.fc-verdict')).toContainText('Could not read a number');
  await input.fill('3.5%');
  await input.press('Enter');
  await expect(card.locator('.fc-verdict')).toContainText('asks for memory');
  await input.fill('1 TB');
  await input.press('Enter');
  await expect(card.locator('.fc-feedback')).toHaveAttribute('data-result', 'wrong');
  await expect(card.locator('.fc-model')).toContainText(/bytes per parameter × [\d.]+B = [\d.,]+ Gi?B/);
  await deck.getByRole('button', { name: /^Again/ }).click();
  // Study ahead brings it back at once with a fresh draw.
  await deck.getByRole('button', { name: 'Study ahead' }).click();
  await expect(card).toHaveAttribute('data-question', 'zero-memory-per-gpu');
  await expect(card.locator('.fc-text').first()).not.toHaveText(firstPrompt ?? '');
});

test('interview mode: N questions under a timer, then a score by topic', async ({ page }) => {
  await page.clock.install();
  const deck = await openDeck(page, '?mode=interview&questions=4');
  await expect(deck.locator('.fc-intro')).toContainText('4 random questions from all chapters, 6:00 minutes');
  await deck.getByRole('button', { name: 'Start interview' }).click();
  await expect(deck.locator('.fc-position')).toHaveText('Question 1 of 4');
  await expect(deck.locator('.fc-timer')).toHaveText('6:00 left');

  // Answer the first question (any answer), skip the second.
  const card = deck.locator('.fc-card');
  const kind = await card.getAttribute('data-kind');
  if (kind === 'single' || kind === 'multiple') await card.locator('input').first().check();
  else await card.locator('.fc-input').fill('1');
  await card.getByRole('button', { name: 'Check' }).click();
  // A free answer counts once the reader has confirmed the marks.
  if (kind === 'free') await card.getByRole('button', { name: 'Confirm the marks' }).click();
  await deck.getByRole('button', { name: 'Next question' }).click();
  await expect(deck.locator('.fc-position')).toHaveText('Question 2 of 4');
  await deck.getByRole('button', { name: 'Skip' }).click();
  await expect(deck.locator('.fc-position')).toHaveText('Question 3 of 4');

  await page.clock.fastForward('02:00');
  await expect(deck.locator('.fc-timer')).toHaveText(/^[34]:\d\d left$/);
  // Time runs out: unanswered questions score zero.
  await page.clock.fastForward('05:00');
  await expect(deck.locator('.fc-time-up')).toHaveText('Time is up.');
  await expect(deck.locator('.fc-score')).toContainText(/Score: [\d.]+ \/ 4/);
  const rows = deck.locator('.fc-topic-table tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(1);
  await expect(deck.locator('.fc-review-list li')).toHaveCount(4);
  await expect(deck.locator('.fc-review-list li').nth(1)).toContainText('not answered');
  const stored = await saved(page);
  expect(stored?.interviews).toHaveLength(1);
  expect(stored?.interviews[0].questions).toBe(4);
  await expect(deck.locator('.fc-progress-summary')).toContainText('last interview');

  // Another interview draws again.
  await deck.getByRole('button', { name: 'Start another interview' }).click();
  await expect(deck.getByRole('button', { name: 'Start interview' })).toBeVisible();
});

test('export, reset and import progress as a file', async ({ page }, testInfo) => {
  const deck = await openDeck(page, '?chapter=lora', progressWithOnly([]));
  const total = QUESTIONS.length;
  await expect(deck.locator('.fc-progress-summary')).toHaveText(`${total} cards studied`);

  const [download] = await Promise.all([page.waitForEvent('download'), deck.getByRole('button', { name: 'Export progress' }).click()]);
  const file = testInfo.outputPath('progress.json');
  await download.saveAs(file);
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  expect(exported).toMatchObject({ format: 'ft-flashcards-progress', version: 1 });
  expect(Object.keys(exported.cards)).toHaveLength(total);

  page.once('dialog', (d) => void d.accept());
  await deck.getByRole('button', { name: 'Reset progress' }).click();
  await expect(deck.locator('.fc-progress-summary')).toHaveText('0 cards studied');
  await expect(deck.locator('[data-count="new"]')).toHaveText(`${deckSize('lora')} new`);
  expect(Object.keys((await saved(page))?.cards ?? {})).toHaveLength(0);

  // A file that is not progress is refused and changes nothing.
  await deck.locator('.fc-import-file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await expect(deck.locator('.fc-notice')).toContainText('could not be imported');
  await expect(deck.locator('.fc-progress-summary')).toHaveText('0 cards studied');

  await deck.locator('.fc-import-file').setInputFiles(file);
  await expect(deck.locator('.fc-notice')).toContainText(`Imported progress for ${total} cards`);
  await expect(deck.locator('.fc-progress-summary')).toHaveText(`${total} cards studied`);
  await expect(deck.locator('[data-count="later"]')).toHaveText(`${deckSize('lora')} later`);
});

for (const [what, stored, reason] of [
  ['corrupt JSON', '{"format":"ft-flashcards-progress","version":1,"cards":{', /not valid JSON/],
  ['an older format', JSON.stringify({ format: 'ft-flashcards-progress', version: 0, cards: { 'lora-init': { due: 1 } } }), /older format/],
] as const) {
  test(`recovers from ${what} in storage: says so, keeps a copy, and works`, async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const deck = await openDeck(page, '?chapter=dora', stored);
    await expect(deck.locator('.fc-notice')).toContainText(reason);
    await expect(deck.locator('.fc-notice')).toContainText('Starting fresh');
    await expect(deck.locator('[data-count="new"]')).toHaveText(`${deckSize('dora')} new`);
    await expect(deck.locator('.fc-card')).toBeVisible();
    expect(await page.evaluate((key) => window.localStorage.getItem(key), BACKUP_KEY)).toBe(stored);
    const [download] = await Promise.all([page.waitForEvent('download'), deck.getByRole('button', { name: 'Download unreadable data' }).click()]);
    expect(download.suggestedFilename()).toBe('flashcards-unreadable-backup.json');
    expect(errors).toEqual([]);
  });
}

test('partly damaged progress keeps what it can read', async ({ page }) => {
  const good = JSON.parse(progressWithOnly([]));
  good.cards['lora-init'] = { due: 'never', stability: 'high' };
  const deck = await openDeck(page, '?chapter=lora', JSON.stringify(good));
  await expect(deck.locator('.fc-notice')).toContainText('1 saved entry was unreadable');
  await expect(deck.locator('[data-count="new"]')).toHaveText('1 new');
  await expect(deck.locator('.fc-card')).toHaveAttribute('data-question', 'lora-init');
});

test('a bad deck in the URL shows a clear message, not a blank box', async ({ page }) => {
  await page.goto('/flashcards/?chapter=transformers');
  const deck = page.locator('ft-flashcards');
  await expect(deck).toHaveAttribute('data-status', 'error', { timeout: 20_000 });
  await expect(deck.locator('.ftw-error')).toContainText('transformers');
});

test('the embed page shows the chosen deck', async ({ page }) => {
  await page.goto('/embed/flashcards/?v=1&chapter=lora');
  const deck = page.locator('ft-flashcards');
  await expect(deck).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  await expect(deck.locator('.fc-deck-name')).toHaveText('the LoRA deck');
  await expect(deck.locator('[data-count="new"]')).toHaveText(`${deckSize('lora')} new`);
});

test('every card links to a section that exists on its chapter page', async ({ request }) => {
  const pages = new Map<string, string>();
  for (const q of QUESTIONS) {
    if (!pages.has(q.chapter)) {
      const res = await request.get(`/chapters/${q.chapter}/`);
      expect(res.status(), `/chapters/${q.chapter}/`).toBe(200);
      pages.set(q.chapter, await res.text());
    }
    expect(pages.get(q.chapter), `${q.id} -> /chapters/${q.chapter}/#${q.anchor}`).toContain(`id="${q.anchor}"`);
  }
});
