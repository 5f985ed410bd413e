/**
 * The validated question bank. On the server (the site build renders /flashcards/ from it, and the
 * unit tests import it) importing this module parses content/questions, so a bad question fails the
 * build, naming it. The browser gets the same content from the same build and skips the checks:
 * they were the deck's longest task while loading (a 542 ms task on a phone with Lighthouse's 4x
 * slower CPU). A unit test checks that parsing changes nothing, so the two are the same bank.
 */
import { rawQuestionBank } from '../../content/questions';
import { parseQuestionBank, type ChapterSlug, type Question } from './schema';

// Vite's client build sets SSR to false; the site's server render and Vitest set it to true, and
// plain Node (Playwright's specs import this module) has no import.meta.env at all.
const clientBuild = import.meta.env?.SSR === false;

export const QUESTIONS: readonly Question[] = clientBuild ? (rawQuestionBank as unknown as Question[]) : parseQuestionBank(rawQuestionBank);

/** The deck for one chapter, or all questions. */
export function deckFor(chapter: ChapterSlug | 'all'): Question[] {
  return QUESTIONS.filter((q) => chapter === 'all' || q.chapter === chapter);
}
