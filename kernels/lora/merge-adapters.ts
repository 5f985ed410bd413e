/**
 * Combining several fine-tuning updates (task vectors, e.g. the B A of adapters trained on
 * different tasks) into one, as PEFT's `add_weighted_adapter` does (peft 0.20,
 * utils/merge_utils.py):
 *
 * - linear (task arithmetic, Ilharco et al. 2023): sum_t w_t delta_t.
 * - TIES (Yadav et al. 2023): keep each update's largest `density` share by magnitude (trim), elect
 *   a sign per entry from the sum of the trimmed updates, then average the weighted values that
 *   agree with it (disjoint merge).
 * - DARE (Yu et al. 2024): drop each entry with probability 1 - density and divide the survivors
 *   by density, which keeps the expectation; then merge linearly (dare_linear) or as TIES (dare_ties).
 */
import type { Rng } from '../random/rng';

export type Update = Float64Array;

function checkUpdates(updates: readonly Update[], weights: readonly number[]): void {
  if (updates.length === 0) throw new Error('no updates to merge');
  if (weights.length !== updates.length) throw new Error(`${updates.length} updates but ${weights.length} weights`);
  const n = updates[0].length;
  if (updates.some((u) => u.length !== n)) throw new Error('updates of different sizes cannot be merged');
}

function checkDensity(density: number): void {
  if (!(density > 0 && density <= 1)) throw new Error(`density must be in (0, 1], got ${density}`);
}

export function linearMerge(updates: readonly Update[], weights: readonly number[]): Update {
  checkUpdates(updates, weights);
  const out = new Float64Array(updates[0].length);
  updates.forEach((u, t) => u.forEach((v, i) => (out[i] += weights[t] * v)));
  return out;
}

/** The `density` share of entries with the largest magnitude (PEFT: int(density * n) of them, by topk); the rest zero. */
export function trimByMagnitude(u: Update, density: number): Update {
  checkDensity(density);
  const k = Math.floor(density * u.length);
  const order = Array.from(u.keys()).sort((a, b) => Math.abs(u[b]) - Math.abs(u[a]));
  const out = new Float64Array(u.length);
  for (let j = 0; j < k; j++) out[order[j]] = u[order[j]];
  return out;
}

/** Keep each entry with probability `density` and divide survivors by it (DARE's drop and rescale). */
export function dropAndRescale(u: Update, density: number, rng: Rng): Update {
  checkDensity(density);
  return u.map((v) => (rng.next() < density ? v / density : 0));
}

/** TIES' sign election (by the sum of the updates) and disjoint mean of the weighted entries that agree. */
function electAndMerge(updates: readonly Update[], weights: readonly number[]): Update {
  const n = updates[0].length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (const u of updates) total += u[i];
    const elected = total >= 0 ? 1 : -1;
    let sum = 0;
    let agree = 0;
    updates.forEach((u, t) => {
      if (Math.sign(u[i]) === elected) {
        sum += weights[t] * u[i];
        agree++;
      }
    });
    out[i] = sum / Math.max(agree, 1);
  }
  return out;
}

export function tiesMerge(updates: readonly Update[], weights: readonly number[], density: number): Update {
  checkUpdates(updates, weights);
  return electAndMerge(
    updates.map((u) => trimByMagnitude(u, density)),
    weights,
  );
}

export function dareLinearMerge(updates: readonly Update[], weights: readonly number[], density: number, rng: Rng): Update {
  checkUpdates(updates, weights);
  return linearMerge(
    updates.map((u) => dropAndRescale(u, density, rng)),
    weights,
  );
}

export function dareTiesMerge(updates: readonly Update[], weights: readonly number[], density: number, rng: Rng): Update {
  checkUpdates(updates, weights);
  return electAndMerge(
    updates.map((u) => dropAndRescale(u, density, rng)),
    weights,
  );
}
