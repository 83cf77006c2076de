// Decoding policies and the next-token loop: the JavaScript twin of
// llmhistory.concepts.decoding and llmhistory.tiny.generation (order: temperature, top-k,
// top-p, softmax, then one inverse-CDF draw with NumPy's generator).
import { PCG64 } from "./random.js";

export const TOP_P_TOLERANCE = 1e-12;
export const GREEDY = Object.freeze({ greedy: true, temperature: 1, topK: null, topP: null });

/** Return a checked policy {greedy, temperature, topK, topP} (DecodingPolicy). */
export function policy({ greedy = true, temperature = 1, topK = null, topP = null } = {}) {
  if (!(Number.isFinite(temperature) && temperature > 0)) throw new RangeError(`temperature must be finite and > 0, got ${temperature}`);
  if (topK !== null && !(Number.isInteger(topK) && topK >= 1)) throw new RangeError(`top_k must be an integer >= 1, got ${topK}`);
  if (topP !== null && !(topP > 0 && topP <= 1)) throw new RangeError(`top_p must be in (0, 1], got ${topP}`);
  if (greedy && (temperature !== 1 || topK !== null || topP !== null)) throw new RangeError("sampling knobs have no effect with greedy");
  return { greedy, temperature, topK, topP };
}

/** Return float64 probabilities exp(x - max) / sum; -Infinity gives exactly 0. */
export function softmax(logits) {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  if (max === -Infinity) throw new RangeError("logits are all -inf: no token would be allowed");
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** Return float64 log-probabilities x - logsumexp(x). */
export function logSoftmax(logits) {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const lse = Math.log(sum);
  return Float64Array.from(logits, (v) => v - max - lse);
}

/** Indices sorted by logit, highest first, ties by position (NumPy's stable argsort of -x). */
function order(logits) {
  return Array.from(logits.keys()).sort((a, b) => (logits[b] > logits[a]) - (logits[b] < logits[a]) || a - b);
}

export function topKFilter(logits, k) {
  const keep = order(logits).slice(0, k);
  const out = new Float64Array(logits.length).fill(-Infinity);
  for (const i of keep) out[i] = logits[i];
  return out;
}

export function topPFilter(logits, p) {
  const probs = softmax(logits);
  const idx = order(logits);
  let cumulative = 0;
  let size = 0; // entries whose cumulative sum stays below p - tolerance, then one more
  for (const i of idx) {
    cumulative += probs[i];
    if (cumulative < p - TOP_P_TOLERANCE) size++;
    else break;
  }
  const out = new Float64Array(logits.length).fill(-Infinity);
  for (const i of idx.slice(0, Math.min(size + 1, logits.length))) out[i] = logits[i];
  return out;
}

function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Return the float64 distribution the policy draws from (one-hot at the argmax when greedy). */
export function nextTokenDistribution(logits, pol = GREEDY) {
  if (pol.greedy) {
    const probs = new Float64Array(logits.length);
    probs[argmax(logits)] = 1;
    return probs;
  }
  let scaled = Float64Array.from(logits, (v) => v / pol.temperature);
  if (pol.topK !== null) {
    if (pol.topK > logits.length) throw new RangeError(`top_k=${pol.topK} must be <= vocab_size=${logits.length}`);
    scaled = topKFilter(scaled, pol.topK);
  }
  if (pol.topP !== null) scaled = topPFilter(scaled, pol.topP);
  return softmax(scaled);
}

/** Return the next token id: argmax, or one inverse-CDF draw with rng.random() (choose_token). */
export function chooseToken(logits, pol = GREEDY, rng = null) {
  const probs = nextTokenDistribution(logits, pol);
  if (pol.greedy) return argmax(probs);
  if (!rng) throw new TypeError("sampling needs a seeded generator");
  const cumulative = new Float64Array(probs.length);
  let s = 0;
  let lastNonzero = 0;
  for (let i = 0; i < probs.length; i++) {
    cumulative[i] = s += probs[i];
    if (probs[i] > 0) lastNonzero = i;
  }
  const target = rng.random() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length; // first index with cumulative > target (searchsorted side=right)
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] <= target) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, lastNonzero);
}

/**
 * Yield one step per generated token: {token, logits, probs, cacheTokens}. With a cache only
 * the new token runs through the model (generation.generate_ids with use_cache=True).
 */
export function* generateSteps(model, promptIds, { maxNewTokens = 64, policy: pol = GREEDY, seed = 0, stopTokens = [], useCache = true } = {}) {
  const total = promptIds.length + maxNewTokens;
  if (total > model.config.context) {
    throw new RangeError(`max_new_tokens=${maxNewTokens} plus ${promptIds.length} prompt tokens exceeds context=${model.config.context}`);
  }
  const rng = new PCG64(seed);
  const cache = useCache ? model.newCache(Math.max(total, 1)) : null;
  const ids = [...promptIds];
  const V = model.config.vocabSize;
  for (let step = 0; step < maxNewTokens; step++) {
    let logits;
    if (cache) {
      const all = model.forward(ids.slice(cache.tokens), { cache });
      logits = all.subarray(all.length - V);
    } else {
      const all = model.forward(ids);
      logits = all.subarray(all.length - V);
    }
    const token = chooseToken(logits, pol, rng);
    ids.push(token);
    yield { token, logits, probs: nextTokenDistribution(logits, pol), cache };
    if (stopTokens.includes(token)) return;
  }
}

/** Return {tokenIds, newTokenIds, stopReason} (generation.generate_ids). */
export function generateIds(model, promptIds, options = {}) {
  const newIds = [];
  for (const step of generateSteps(model, promptIds, options)) newIds.push(step.token);
  const stopped = newIds.length && (options.stopTokens ?? []).includes(newIds[newIds.length - 1]);
  return { tokenIds: [...promptIds, ...newIds], newTokenIds: newIds, stopReason: stopped ? "stop_token" : "max_new_tokens" };
}

/**
 * Return [[label, logprob], ...] highest first (generation.rank_labels): the prompt runs once
 * with a cache; each label " " + label extends a copy of it.
 */
export function rankLabels(model, tokenizer, prompt, labels) {
  const promptIds = tokenizer.encode(prompt, { addBos: true });
  const continuations = labels.map((label) => tokenizer.encode(" " + label));
  const longest = promptIds.length + Math.max(...continuations.map((c) => c.length));
  if (longest > model.config.context) throw new RangeError(`prompt plus label has ${longest} tokens, more than context=${model.config.context}`);
  const V = model.config.vocabSize;
  const cache = model.newCache(longest);
  const promptLogits = model.forward(promptIds, { cache });
  const scores = continuations.map((ids) => {
    const rows = [promptLogits.subarray(promptLogits.length - V)];
    if (ids.length > 1) {
      const more = model.forward(ids.slice(0, -1), { cache: cache.copy() });
      for (let r = 0; r < ids.length - 1; r++) rows.push(more.subarray(r * V, (r + 1) * V));
    }
    return ids.reduce((sum, id, r) => sum + logSoftmax(rows[r])[id], 0);
  });
  return labels.map((label, i) => [label, scores[i], i]).sort((a, b) => b[1] - a[1] || a[2] - b[2]).map(([l, s]) => [l, s]);
}
