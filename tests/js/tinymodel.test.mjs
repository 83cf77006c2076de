// The JavaScript tiny model against the Python one. Fixtures are written from the shipped files
// by scripts/js_fixtures.py; tests/test_live_js.py writes them and runs:
//   LLMH_JS_FIXTURES=DIR node --test tests/js
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  BPETokenizer, TinyModel, PCG64, generateIds, rankLabels, policy, nextTokenDistribution,
} from "../../src/llmhistory/book/assets/tinymodel/index.js";

const dir = process.env.LLMH_JS_FIXTURES;
if (!dir) throw new Error("set LLMH_JS_FIXTURES to a directory written by scripts/js_fixtures.py");
const fx = JSON.parse(readFileSync(path.join(dir, "fixtures.json"), "utf-8"));
const arrayBuffer = (file) => {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
const tokenizer = BPETokenizer.fromJSON(readFileSync(fx.tokenizer, "utf-8"));
const model = TinyModel.fromSafetensors(arrayBuffer(fx.checkpoint));
const TOL = 1e-4;
const summary = {};

/** Return the float32 array of a {shape, f32: base64} record written by js_fixtures.py. */
function unpack(record) {
  const b = Buffer.from(record.f32, "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function maxAbs(flat, record) {
  const expected = unpack(record);
  assert.equal(flat.length, expected.length, "arrays have different sizes");
  let worst = 0;
  expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(flat[i] - v))));
  return worst;
}

test("model: config and parameter count match Python's", () => {
  assert.equal(model.numParameters(), fx.num_parameters);
  assert.equal(model.config.vocabSize, tokenizer.vocabSize);
});

test("tokenizer: ids equal Python's on every string", () => {
  assert.ok(fx.tokens.length >= 200, `only ${fx.tokens.length} strings`);
  let agree = 0;
  for (const { text, ids } of fx.tokens) {
    assert.deepEqual(tokenizer.encode(text), ids, `ids of ${JSON.stringify(text.slice(0, 60))}`);
    agree++;
  }
  summary.tokenizer_agreement = `${agree}/${fx.tokens.length}`;
});

test("tokenizer: decode equals Python's (including split characters)", () => {
  for (const { ids, text } of fx.decode) assert.equal(tokenizer.decode(ids), text);
  const s = "héllo 📦 中文";
  assert.equal(tokenizer.decode(tokenizer.encode(s, { addBos: true }), { skipSpecialTokens: true }), s);
});

test("forward: logits within 1e-4 of NumPy (float64 and float32), without and with the cache", () => {
  assert.ok(fx.logits.length >= 20);
  let worst64 = 0, worst32 = 0, worstCached = 0;
  for (const c of fx.logits) {
    const full = model.forward(c.ids);
    worst64 = Math.max(worst64, maxAbs(full, c.float64));
    worst32 = Math.max(worst32, maxAbs(full, c.float32));
    const cut = Math.max(1, Math.floor(c.ids.length / 2));
    const cache = model.newCache();
    const first = model.forward(c.ids.slice(0, cut), { cache });
    const parts = [first];
    if (cut < c.ids.length) parts.push(model.forward(c.ids.slice(cut), { cache }));
    const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    joined.set(parts[0]);
    if (parts[1]) joined.set(parts[1], parts[0].length);
    worstCached = Math.max(worstCached, maxAbs(joined, c.cached));
    assert.equal(cache.tokens, c.ids.length);
  }
  summary.max_abs_logit_diff_vs_float64 = worst64;
  summary.max_abs_logit_diff_vs_float32 = worst32;
  summary.max_abs_logit_diff_cached = worstCached;
  assert.ok(worst64 < TOL && worst32 < TOL && worstCached < TOL, JSON.stringify(summary));
});

test("generation: greedy runs equal Python's token for token", () => {
  for (const g of fx.greedy) {
    const run = generateIds(model, g.prompt, { maxNewTokens: 40, stopTokens: [tokenizer.eosId] });
    assert.deepEqual(run.newTokenIds, g.new);
  }
  const a = generateIds(model, fx.greedy[0].prompt, { maxNewTokens: 12, useCache: false });
  const b = generateIds(model, fx.greedy[0].prompt, { maxNewTokens: 12 });
  assert.deepEqual(a, b);
});

test("generation: seeded samples equal Python's for the same seed (NumPy's PCG64)", () => {
  let same = 0;
  for (const s of fx.sampled) {
    const pol = policy({ greedy: false, ...s.policy });
    const run = generateIds(model, s.prompt, { maxNewTokens: 30, policy: pol, seed: s.seed, stopTokens: [tokenizer.eosId] });
    assert.deepEqual(run.newTokenIds, s.new, `seed ${s.seed} ${JSON.stringify(s.policy)}`);
    same++;
  }
  summary.sampled_runs_identical = `${same}/${fx.sampled.length}`;
});

test("rank_labels: the same order and scores within 1e-4", () => {
  for (const r of fx.rank_labels) {
    const js = rankLabels(model, tokenizer, r.prompt, fx.labels);
    assert.deepEqual(js.map(([l]) => l), r.ranking.map(([l]) => l));
    js.forEach(([, s], i) => assert.ok(Math.abs(s - r.ranking[i][1]) < TOL, `${s} vs ${r.ranking[i][1]}`));
  }
});

function sliceLayer(record, layer, layers) {
  const all = unpack(record);
  const size = all.length / layers;
  return Buffer.from(all.buffer, layer * size * 4, size * 4).toString("base64");
}

test("attention weights equal Python's [layers, heads, tokens, tokens]", () => {
  const maps = model.attentionWeights(fx.attention.ids);
  maps.forEach((m, layer) => assert.ok(maxAbs(m, { f32: sliceLayer(fx.attention.weights, layer, maps.length) }) < 1e-5));
});

test("mixture of experts: a random Mixtral-style model matches NumPy", () => {
  const moe = TinyModel.fromSafetensors(arrayBuffer(fx.moe.path));
  assert.equal(moe.config.numExperts, 4);
  for (const c of fx.moe.cases) assert.ok(maxAbs(moe.forward(c.ids), c.logits) < TOL);
});

test("random: NumPy's default_rng(0).random() sequence", () => {
  const r = new PCG64(0);
  assert.equal(r.random(), 0.6369616873214543);
  assert.equal(r.random(), 0.2697867137638703);
});

test("bad input: refused with a message, never half-loaded", () => {
  const buf = arrayBuffer(fx.checkpoint);
  assert.throws(() => TinyModel.fromSafetensors(buf.slice(0, buf.byteLength - 100)), /truncated/);
  assert.throws(() => TinyModel.fromSafetensors(buf.slice(0, 4)), /truncated/);
  assert.throws(() => model.forward([]), /non-empty/);
  assert.throws(() => model.forward([model.config.vocabSize]), /outside the vocabulary/);
  assert.throws(() => model.forward(new Array(model.config.context + 1).fill(1)), /context/);
  assert.throws(() => policy({ greedy: false, temperature: 0 }), /temperature/);
  assert.throws(() => BPETokenizer.fromJSON('{"format": "other"}'), /format/);
  const p = nextTokenDistribution(new Float32Array([1, 3, 3]));
  assert.deepEqual(Array.from(p), [0, 1, 0]);
});

test("summary", () => {
  if (process.env.LLMH_JS_SUMMARY) writeFileSync(process.env.LLMH_JS_SUMMARY, JSON.stringify(summary));
  console.log("summary:", JSON.stringify(summary));
});
