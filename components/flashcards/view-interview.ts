/** Mock interview: N random questions under one timer, then a score with a per-topic breakdown. */
import { createRng } from '../../kernels/random/rng';
import { instantiate } from './card';
import { clock, embedded, h } from './dom';
import { interviewSeconds, pickInterview, scoreInterview, type InterviewAnswer } from './interview';
import { addInterview, type Progress } from './progress';
import { CHAPTER_TITLES, TOPIC_LABELS, type Question } from './schema';
import { attemptSeed } from './view-study';
import { renderCard } from './view-card';

export interface InterviewOptions {
  deck: readonly Question[];
  deckLabel: string;
  chapter: string;
  count: number;
  progress: Progress;
  seed: number;
  save(): void;
  widgetExists(name: string): boolean;
}

/** Renders the interview; returns a function that stops its timer (when the widget re-renders). */
export function renderInterview(container: HTMLElement, opts: InterviewOptions): () => void {
  let timer: ReturnType<typeof setInterval> | null = null;
  const stopTimer = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };

  const intro = () => {
    stopTimer();
    const n = Math.min(opts.count, opts.deck.length);
    const start = h('button', { type: 'button', class: 'fc-start' }, 'Start interview');
    start.addEventListener('click', begin);
    container.replaceChildren(
      h(
        'div',
        { class: 'fc-intro' },
        h(
          'p',
          {},
          `${n} random questions from ${opts.deckLabel}, ${clock(interviewSeconds(n))} minutes in all. Each answer is checked as you go; a free answer earns the share of its key points you confirm after checking (the marks are a first reading, yours to correct). When time runs out, unanswered questions score zero.`,
        ),
        start,
      ),
    );
    // No focus here: this runs on page load, and an embedded deck must not pull the host page to it.
  };

  const begin = () => {
    // A new draw for every interview: the seed is mixed with how many have been taken.
    const rng = createRng(attemptSeed(opts.seed, 'interview', opts.progress.interviews.length));
    const questions = pickInterview(opts.deck, opts.count, rng);
    const answers: InterviewAnswer[] = questions.map((question) => ({
      question,
      score: 0,
      answered: false,
    }));
    const seconds = interviewSeconds(questions.length);
    const started = Date.now();
    const shownPrompts: string[] = questions.map((q) => q.prompt);
    let index = 0;
    let finished = false;

    const timerView = h('span', {
      class: 'fc-timer',
      role: 'timer',
      'aria-live': 'off',
    });
    const position = h('span', { class: 'fc-position' });
    const finishEarly = h('button', { type: 'button', class: 'fc-finish' }, 'Finish now');
    const stage = h('div', { class: 'fc-stage' });
    container.replaceChildren(h('div', { class: 'fc-interview-head' }, position, timerView, finishEarly), stage);

    const remaining = () => seconds - (Date.now() - started) / 1000;
    const tick = () => {
      const left = remaining();
      timerView.textContent = `${clock(left)} left`;
      timerView.dataset.low = String(left < 60);
      if (left <= 0) finish(true);
    };

    const show = () => {
      const q = questions[index];
      position.textContent = `Question ${index + 1} of ${questions.length}`;
      const nextButton = h(
        'button',
        { type: 'button', class: 'fc-next', hidden: true },
        index + 1 < questions.length ? 'Next question' : 'See results',
      );
      const skip = h('button', { type: 'button', class: 'fc-skip' }, 'Skip');
      const advance = () => {
        index++;
        if (index < questions.length) show();
        else finish(false);
      };
      nextButton.addEventListener('click', advance);
      skip.addEventListener('click', advance);
      const instance = instantiate(q, createRng(attemptSeed(opts.seed, q.id, 1000 + opts.progress.interviews.length)));
      shownPrompts[index] = instance.prompt;
      const view = renderCard({
        instance,
        allowReveal: false,
        widgetExists: opts.widgetExists,
        onChecked: (verdict) => {
          answers[index] = {
            question: q,
            score: verdict.score,
            answered: true,
          };
          skip.hidden = true;
          nextButton.hidden = false;
          nextButton.focus();
        },
      });
      stage.replaceChildren(view.root, h('div', { class: 'fc-actions' }, skip, nextButton));
      view.focus();
    };

    const finish = (timeUp: boolean) => {
      if (finished) return;
      finished = true;
      stopTimer();
      const elapsed = Math.min(seconds, (Date.now() - started) / 1000);
      const s = scoreInterview(answers);
      addInterview(opts.progress, {
        date: new Date().toISOString(),
        chapter: opts.chapter,
        questions: s.total,
        score: s.score,
        seconds: Math.round(elapsed),
        byTopic: Object.fromEntries(s.byTopic.map((t) => [t.topic, { score: t.score, total: t.total }])),
      });
      opts.save();
      const pct = (x: number, of: number) => `${Math.round((100 * x) / Math.max(1, of))}%`;
      const again = h('button', { type: 'button', class: 'fc-again' }, 'Start another interview');
      again.addEventListener('click', intro);
      container.replaceChildren(
        h(
          'div',
          { class: 'fc-results', role: 'status' },
          timeUp ? h('p', { class: 'fc-time-up' }, 'Time is up.') : null,
          h('p', { class: 'fc-score' }, `Score: ${fmtScore(s.score)} / ${s.total} (${pct(s.score, s.total)}) in ${clock(elapsed)}`),
          h(
            'table',
            { class: 'fc-topic-table' },
            h('caption', {}, 'By topic'),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Topic'), h('th', { scope: 'col' }, 'Score'), h('th', { scope: 'col' }, 'Share'))),
            h(
              'tbody',
              {},
              ...s.byTopic.map((t) =>
                h(
                  'tr',
                  { 'data-topic': t.topic },
                  h('th', { scope: 'row' }, TOPIC_LABELS[t.topic]),
                  h('td', {}, `${fmtScore(t.score)} / ${t.total}`),
                  h('td', {}, pct(t.score, t.total)),
                ),
              ),
            ),
          ),
          h(
            'ol',
            { class: 'fc-review-list' },
            ...answers.map((a, i) =>
              h(
                'li',
                { 'data-score': String(a.score) },
                `${a.answered ? `${fmtScore(a.score)} point${a.score === 1 ? '' : 's'}` : 'not answered'} · `,
                h(
                  'a',
                  { href: `/chapters/${a.question.chapter}/#${a.question.anchor}`, ...(embedded() ? { target: '_blank', rel: 'noopener' } : {}) },
                  firstSentence(shownPrompts[i]),
                ),
                ` (${CHAPTER_TITLES[a.question.chapter]})`,
              ),
            ),
          ),
          again,
        ),
      );
      again.focus();
    };

    finishEarly.addEventListener('click', () => finish(false));
    tick();
    timer = setInterval(tick, 1000);
    show();
  };

  intro();
  return stopTimer;
}

function fmtScore(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0$/, '');
}

function firstSentence(text: string): string {
  const s = text.replace(/\{\w+\}/g, '…').split(/(?<=[?.])\s/)[0];
  return s.length > 110 ? `${s.slice(0, 107)}…` : s;
}
