/** Renders one question attempt: the prompt, an input suited to its kind, checking and feedback. */
import type { CardInstance, Verdict } from './card';
import { embedded, h, richText, uid } from './dom';
import { CHAPTER_TITLES, TOPIC_LABELS } from './schema';

export interface CardViewOptions {
  instance: CardInstance;
  /** A label such as "New" or "Due", shown beside the topic. */
  badge?: string;
  /** Offer "Show answer" for readers who do not know (study mode). */
  allowReveal: boolean;
  /** Whether a widget is available to link to (only built widgets get a link). */
  widgetExists(name: string): boolean;
  onChecked(verdict: Verdict): void;
}

export interface CardView {
  root: HTMLElement;
  focus(): void;
}

const KIND_LABELS = {
  numeric: 'Number',
  single: 'Choose one',
  multiple: 'Choose all that apply',
  formula: 'Formula',
  free: 'Explain',
} as const;
const INPUT_HINTS = {
  numeric:
    'Type a number, with a unit if the question has one: 16,777,216 · 16.7M · 1.68e7 · 2²⁴ · 3.5 GB · 0.24% · about 1.3 GB. Shown working is fine: the value after the last = counts.',
  formula:
    'Any equivalent form is accepted: r*(d+k), rd + rk, R(D+K), or LaTeX such as \\frac{\\alpha}{\\sqrt{r}}. Use + − * / ^ ( ), sqrt, log, exp, sigmoid, e and pi.',
  free: 'Answer as you would in an interview, in English or Chinese (Simplified or Traditional), in sentences; Ctrl+Enter (⌘+Enter) checks. Each key point is looked for; you confirm the marks.',
} as const;

const STATUS_LABELS = { found: 'found', missing: 'not found', contradicted: 'contradicted' } as const;

/** Free text: each key point with what was found (and where), missed or contradicted, and a box the reader confirms or corrects. */
function renderFindings(v: Verdict): HTMLElement {
  const list = h('ul', { class: 'fc-point-list' });
  for (const f of v.findings ?? []) {
    const id = uid('fc-point');
    const box = h('input', { type: 'checkbox', id });
    box.checked = f.status === 'found' && !v.termList;
    const why =
      f.status === 'found' && f.evidence
        ? `in “${f.evidence}”`
        : f.status === 'contradicted' && f.evidence
          ? f.because === 'negated'
            ? `your answer denies it: “${f.evidence}”`
            : `“${f.evidence}” says the opposite`
          : '';
    list.append(
      h(
        'li',
        { class: 'fc-point', 'data-status': f.status },
        box,
        h(
          'label',
          { for: id },
          h('span', { class: 'fc-point-name' }, f.point),
          ' ',
          h('span', { class: 'fc-point-status' }, `(${STATUS_LABELS[f.status]})`),
        ),
        why ? h('p', { class: 'fc-point-why' }, why) : null,
      ),
    );
  }
  return h('fieldset', { class: 'fc-points' }, h('legend', {}, 'Key points: tick those your answer makes'), list);
}

export function renderCard(opts: CardViewOptions): CardView {
  const { instance } = opts;
  const q = instance.question;
  const root = h('article', {
    class: 'fc-card',
    'data-question': q.id,
    'data-kind': q.kind,
  });

  const links = h(
    'div',
    { class: 'fc-links' },
    h(
      'a',
      { href: `/chapters/${q.chapter}/#${q.anchor}`, class: 'fc-chapter-link', ...(embedded() ? { target: '_blank', rel: 'noopener' } : {}) },
      `Read the section in ${CHAPTER_TITLES[q.chapter]}`,
    ),
  );
  if (q.widget && opts.widgetExists(q.widget.name)) {
    const query = new URLSearchParams({
      v: '1',
      ...Object.fromEntries(Object.entries(q.widget.params).map(([k, v]) => [k, String(v)])),
    });
    links.append(
      h(
        'a',
        {
          href: `/embed/${q.widget.name}/?${query}`,
          class: 'fc-widget-link',
          target: '_blank',
          rel: 'noopener',
        },
        `Try it: ${q.widget.label}`,
      ),
    );
  }
  root.append(
    h(
      'div',
      { class: 'fc-meta' },
      h('span', { class: 'fc-topic' }, TOPIC_LABELS[q.topic]),
      h('span', { class: 'fc-kind' }, KIND_LABELS[q.kind]),
      opts.badge ? h('span', { class: 'fc-badge' }, opts.badge) : null,
    ),
    richText(instance.prompt),
  );

  // The input, by kind.
  const inputId = uid('fc-answer');
  let textInput: HTMLInputElement | HTMLTextAreaElement | null = null;
  const boxes: HTMLInputElement[] = [];
  const form = h('form', { class: 'fc-form' });
  if (q.kind === 'single' || q.kind === 'multiple') {
    const group = uid('fc-choice');
    const fieldset = h('fieldset', { class: 'fc-choices' }, h('legend', { class: 'fc-visually-hidden' }, KIND_LABELS[q.kind]));
    for (const index of instance.order) {
      const id = uid('fc-opt');
      const box = h('input', {
        type: q.kind === 'single' ? 'radio' : 'checkbox',
        name: group,
        id,
        value: String(index),
      });
      boxes.push(box);
      fieldset.append(
        h('div', { class: 'fc-choice', 'data-index': String(index) }, box, h('label', { for: id }, richText(instance.choices[index].text, 'span'))),
      );
    }
    form.append(fieldset);
  } else {
    const hintId = uid('fc-hint');
    textInput =
      q.kind === 'free'
        ? h('textarea', {
            id: inputId,
            rows: 6,
            'aria-describedby': hintId,
            class: 'fc-input',
          })
        : h('input', {
            id: inputId,
            type: 'text',
            autocomplete: 'off',
            spellcheck: 'false',
            'aria-describedby': hintId,
            class: 'fc-input',
          });
    form.append(h('label', { for: inputId, class: 'fc-label' }, q.kind === 'formula' ? 'Your formula' : 'Your answer'));
    if (q.kind === 'formula') {
      form.append(
        h(
          'p',
          { class: 'fc-variables' },
          'Variables: ',
          ...q.variables.flatMap((v, i) => [i ? ', ' : '', h('code', {}, v.name), ` (${v.description})`]),
        ),
      );
    }
    form.append(textInput, h('p', { id: hintId, class: 'fc-hint' }, INPUT_HINTS[q.kind]));
  }

  const checkButton = h('button', { type: 'submit', class: 'fc-check' }, 'Check');
  const revealButton = opts.allowReveal ? h('button', { type: 'button', class: 'fc-reveal' }, 'Show answer') : null;
  form.append(h('div', { class: 'fc-actions' }, checkButton, revealButton));
  const feedback = h('div', {
    class: 'fc-feedback',
    role: 'status',
    'aria-live': 'polite',
  });
  root.append(form, feedback, links);

  let done = false;
  const lock = () => {
    done = true;
    checkButton.disabled = true;
    if (revealButton) revealButton.disabled = true;
    if (textInput) textInput.readOnly = true;
    boxes.forEach((b) => (b.disabled = true));
  };

  const showVerdict = (v: Verdict) => {
    feedback.replaceChildren();
    feedback.dataset.result = v.retry ? 'retry' : v.selfGraded ? 'self' : v.correct ? 'correct' : 'wrong';
    feedback.append(h('p', { class: 'fc-verdict' }, v.message));
    if (v.retry) return;
    if (v.findings) feedback.append(renderFindings(v));
    if (v.choiceFeedback) {
      for (const f of v.choiceFeedback) {
        const row = root.querySelector<HTMLElement>(`.fc-choice[data-index="${f.index}"]`);
        if (!row) continue;
        const isRight = q.kind !== 'numeric' && 'choices' in q && q.choices[f.index].correct;
        row.dataset.mark = isRight ? 'right' : f.picked ? 'wrong' : 'neutral';
        row.append(h('p', { class: 'fc-why' }, `${isRight ? '✓ ' : f.picked ? '✗ ' : ''}${f.why}`));
      }
    }
    feedback.append(
      h(
        'details',
        { class: 'fc-model', open: true },
        h('summary', {}, q.kind === 'numeric' ? 'Worked answer' : 'Model answer'),
        richText(instance.modelAnswer),
      ),
    );
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (done) return;
    const verdict = instance.check(
      textInput
        ? { text: textInput.value }
        : {
            selected: boxes.filter((b) => b.checked).map((b) => Number(b.value)),
          },
    );
    showVerdict(verdict);
    if (verdict.retry) {
      (textInput ?? boxes[0])?.focus();
      return;
    }
    lock();
    if (!verdict.findings) {
      opts.onChecked(verdict);
      return;
    }
    // Free text: the reader confirms or corrects each mark; that, not the raw match, is scored.
    const marks = [...feedback.querySelectorAll<HTMLInputElement>('.fc-point input')];
    const confirm = h('button', { type: 'button', class: 'fc-confirm' }, 'Confirm the marks');
    feedback.querySelector('.fc-points')?.append(confirm);
    confirm.addEventListener('click', () => {
      marks.forEach((m) => (m.disabled = true));
      confirm.disabled = true;
      const made = marks.filter((m) => m.checked).length;
      opts.onChecked({ ...verdict, score: made / marks.length, correct: made === marks.length });
    });
    (marks[0] ?? confirm).focus();
  });
  // Enter checks a one-line answer; in the textarea, Ctrl/Cmd+Enter does.
  textInput?.addEventListener('keydown', (e) => {
    if (e instanceof KeyboardEvent && e.key === 'Enter' && (textInput instanceof HTMLInputElement || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  revealButton?.addEventListener('click', () => {
    if (done) return;
    const verdict: Verdict = {
      correct: false,
      score: 0,
      message: 'Here is the answer. Rate it "Again" if you did not know it.',
      selfGraded: false,
    };
    if (q.kind === 'single' || q.kind === 'multiple') {
      verdict.choiceFeedback = instance.order.map((index) => ({
        index,
        correct: false,
        picked: false,
        why: q.choices[index].why,
      }));
    }
    showVerdict(verdict);
    lock();
    opts.onChecked(verdict);
  });

  return { root, focus: () => (textInput ?? boxes[0])?.focus() };
}
