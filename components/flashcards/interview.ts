/**
 * Interview mode: N questions drawn at random, answered under a timer, scored at the end with a
 * breakdown by topic. Free-text answers earn the share of key points the reader confirms.
 */
import type { Rng } from '../../kernels/random/rng';
import { TOPICS, type Question, type Topic } from './schema';

/** N distinct questions in random order (all of them if the deck is smaller). */
export function pickInterview(questions: readonly Question[], n: number, rng: Rng): Question[] {
  const pool = [...questions];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, Math.max(0, Math.min(n, pool.length)));
}

/** Time allowed: 90 s per question, rounded up to whole minutes. */
export function interviewSeconds(n: number): number {
  return Math.ceil((n * 90) / 60) * 60;
}

export interface InterviewAnswer {
  question: Question;
  /** Credit in [0, 1]; 0 for an unanswered question. */
  score: number;
  answered: boolean;
}

export interface TopicScore {
  topic: Topic;
  score: number;
  total: number;
}

export interface InterviewScore {
  score: number;
  total: number;
  byTopic: TopicScore[];
}

export function scoreInterview(answers: readonly InterviewAnswer[]): InterviewScore {
  const byTopic = new Map<Topic, TopicScore>();
  let score = 0;
  for (const a of answers) {
    const t = byTopic.get(a.question.topic) ?? {
      topic: a.question.topic,
      score: 0,
      total: 0,
    };
    t.score += a.score;
    t.total += 1;
    byTopic.set(a.question.topic, t);
    score += a.score;
  }
  return {
    score,
    total: answers.length,
    byTopic: TOPICS.filter((t) => byTopic.has(t)).map((t) => byTopic.get(t)!),
  };
}
