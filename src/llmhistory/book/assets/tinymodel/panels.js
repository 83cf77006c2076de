// The live panels of the book (llmhistory.book.live): loaded when the reader presses
// "Load the model". Results are inserted as text nodes, never as HTML.
import { BPETokenizer } from "./tokenizer.js";
import { TinyModel } from "./model.js";
import { generateSteps, policy as makePolicy, rankLabels, softmax, GREEDY } from "./decoding.js";

let loading = null; // one download per page, shared by its panels

async function fetchBytes(url) {
  const response = await fetch(url, { cache: "default" });
  if (!response.ok) throw new Error(`${url.split("/").pop()}: HTTP ${response.status}`);
  const buffer = await response.arrayBuffer();
  const expected = Number(response.headers.get("Content-Length"));
  const encoded = response.headers.get("Content-Encoding");
  if (expected && !encoded && buffer.byteLength !== expected) {
    throw new Error(`${url.split("/").pop()}: received ${buffer.byteLength} of ${expected} bytes`);
  }
  return buffer;
}

/** Return {model, tokenizer, ms}: the whole model or an error, never a half-loaded one. */
export function loadModel(dir, config) {
  if (!loading) {
    loading = (async () => {
      const t0 = performance.now();
      const [weights, tok] = await Promise.all([
        fetchBytes(dir + config.checkpoint),
        fetchBytes(dir + config.tokenizer),
      ]);
      const t1 = performance.now();
      const tokenizer = BPETokenizer.fromJSON(new TextDecoder().decode(tok));
      const model = TinyModel.fromSafetensors(weights);
      if (model.config.vocabSize !== tokenizer.vocabSize) throw new Error("tokenizer and model vocabularies differ");
      return { model, tokenizer, downloadMs: t1 - t0, buildMs: performance.now() - t1, bytes: weights.byteLength + tok.byteLength };
    })();
    loading.catch(() => (loading = null)); // a failed download can be retried
  }
  return loading;
}

// -- small DOM helpers: text only ---------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function table(head, rows, caption) {
  const t = el("table");
  if (caption) t.append(el("caption", {}, caption));
  t.append(el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))));
  const body = el("tbody");
  for (const r of rows) body.append(el("tr", {}, ...r.map((c) => el("td", {}, c))));
  t.append(body);
  return el("div", { class: "llmh-live-scroll" }, t);
}

function bar(fraction) {
  return el("span", { class: "llmh-live-bar", style: `width:${(Math.max(0, Math.min(1, fraction)) * 6).toFixed(2)}em`, "aria-hidden": "true" });
}

function escapeChar(ch, quote) {
  const code = ch.codePointAt(0);
  if (ch === "\\" || ch === quote) return "\\" + ch;
  if (ch === "\n") return "\\n";
  if (ch === "\t") return "\\t";
  if (ch === "\r") return "\\r";
  if (code < 32 || code === 127) return `\\x${code.toString(16).padStart(2, "0")}`;
  return ch;
}

/** Return a token as Python's repr prints it ('\nAgent:'), partial UTF-8 bytes as \xNN. */
export function showToken(tokenizer, id) {
  if (id === tokenizer.bosId) return "<bos>";
  if (id === tokenizer.eosId) return "<eos>";
  const bytes = tokenizer.tokenBytes(id);
  let chars;
  try {
    chars = Array.from(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    chars = Array.from(bytes, (b) => (b < 128 ? String.fromCharCode(b) : null));
  }
  const plain = chars.filter((c) => c !== null).join("");
  const quote = plain.includes("'") && !plain.includes('"') ? '"' : "'";
  const body = chars.map((c, i) => (c === null ? `\\x${bytes[i].toString(16).padStart(2, "0")}` : escapeChar(c, quote)));
  return quote + body.join("") + quote;
}

function tokenSpan(text) {
  return el("span", { class: "llmh-live-token" }, text);
}

const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Return [text, cut]: the longest prefix of `text` (whole code points) whose ids, from
 * `encode(prefix)`, number at most `budget`.
 */
function fitText(text, budget, count) {
  if (count(text) <= budget) return [text, false];
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (count(chars.slice(0, mid).join("")) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return [chars.slice(0, lo).join(""), true];
}

function cutNotice(status, kept, text, limit) {
  const all = Array.from(text).length;
  status.textContent = `Your text was cut to its first ${Array.from(kept).length} of ${all} characters to fit ${limit}.`;
}

// -- the panels ----------------------------------------------------------------------------
async function runLabels(ctx, form) {
  const { model, tokenizer, config, status, result } = ctx;
  const message = form.text.value;
  if (!message.trim()) {
    status.textContent = "Type a support message first.";
    return;
  }
  const [before, after] = config.label_template;
  const longestLabel = Math.max(...config.labels.map((l) => tokenizer.encode(" " + l).length));
  const budget = model.config.context - longestLabel;
  const [kept, cut] = fitText(message, budget, (m) => tokenizer.encode(before + m + after, { addBos: true }).length);
  if (!kept.trim()) {
    status.textContent = "The few-shot prompt leaves no room for this message.";
    return;
  }
  status.textContent = cut ? "" : "Scoring the labels\u2026";
  if (cut) cutNotice(status, kept, message, `the ${model.config.context}-token context with the few-shot prompt`);
  let pol = GREEDY;
  if (form.policy.value === "sample") {
    const topK = form.top_k.value === "" ? null : Number(form.top_k.value);
    const topP = form.top_p.value === "" ? null : Number(form.top_p.value);
    pol = makePolicy({ greedy: false, temperature: Number(form.temperature.value), topK, topP });
  }
  const seed = Number(form.seed.value || 0);
  const maxNew = Math.max(1, Math.min(64, Number(form.max_new.value || 24)));
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError("seed must be a whole number >= 0");

  const ranking = rankLabels(model, tokenizer, before + kept + after, config.labels);
  const max = Math.max(...ranking.map(([, s]) => s));
  const total = ranking.reduce((n, [, s]) => n + Math.exp(s - max), 0);
  result.replaceChildren(
    el("p", {}, "Predicted label: ", el("strong", {}, ranking[0][0])),
    table(
      ["label", "log-probability", "share of the three", ""],
      ranking.map(([label, s]) => {
        const share = Math.exp(s - max) / total;
        return [label, s.toFixed(3), share.toFixed(3), bar(share)];
      }),
      "Scores of \" \" + label after the few-shot prompt (natural log, as rank_labels)",
    ),
  );
  // the reply, token by token
  const [rBefore, rAfter] = config.reply_template;
  const [replyKept] = fitText(kept, model.config.context - maxNew, (m) => tokenizer.encode(rBefore + m + rAfter, { addBos: true }).length);
  const promptIds = tokenizer.encode(rBefore + replyKept + rAfter, { addBos: true });
  const reply = el("p", {}, "Reply: ");
  const replyText = el("span", {}, "");
  reply.append(replyText);
  const rows = [];
  const stepsBox = el("div");
  result.append(reply, stepsBox);
  result.setAttribute("aria-busy", "true");
  const newIds = [];
  let step = 0;
  for (const s of generateSteps(model, promptIds, { maxNewTokens: maxNew, policy: pol, seed, stopTokens: [tokenizer.eosId] })) {
    step++;
    newIds.push(s.token);
    replyText.textContent = tokenizer.decode(newIds, { skipSpecialTokens: true });
    const model_p = softmax(s.logits); // the model's own distribution (temperature 1)
    const runners = Array.from(model_p.keys()).filter((id) => id !== s.token).sort((a, b) => model_p[b] - model_p[a] || a - b).slice(0, 2);
    rows.push([
      String(step),
      tokenSpan(showToken(tokenizer, s.token)),
      `${model_p[s.token].toFixed(3)} → ${s.probs[s.token].toFixed(3)}`,
      el("span", {}, ...runners.flatMap((id, i) => [i ? "; " : "", tokenSpan(showToken(tokenizer, id)), ` ${model_p[id].toFixed(3)} → ${s.probs[id].toFixed(3)}`])),
    ]);
    stepsBox.replaceChildren(table(["#", "token", "model → policy", "runners-up: model → policy"], rows.map((r) => r.map((c) => (c instanceof Node ? c.cloneNode(true) : c))), "Each step: the model's probability of a token, then what the policy draws it with"));
    await nextFrame();
  }
  result.setAttribute("aria-busy", "false");
  status.textContent = `Done: ${ranking[0][0]}; ${step} reply tokens (${pol.greedy ? "greedy" : `sampled with seed ${seed}`}).`;
}

function heatmap(weights, n, layer, head, labels) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${n} ${n}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Attention weights of block ${layer}, head ${head}: row = query token, column = key token`);
  svg.setAttribute("preserveAspectRatio", "none");
  const frame = document.createElementNS(ns, "rect");
  for (const [k, v] of Object.entries({ x: 0, y: 0, width: n, height: n, fill: "none", stroke: "currentColor", "stroke-width": 0.05 })) frame.setAttribute(k, v);
  svg.append(frame);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const w = weights[i * n + j];
      if (w < 0.01) continue;
      const r = document.createElementNS(ns, "rect");
      for (const [k, v] of Object.entries({ x: j, y: i, width: 1, height: 1, fill: "currentColor", "fill-opacity": w.toFixed(3) })) r.setAttribute(k, v);
      const title = document.createElementNS(ns, "title");
      title.textContent = `${labels[i]} → ${labels[j]}: ${w.toFixed(3)}`;
      r.append(title);
      svg.append(r);
    }
  }
  return svg;
}

async function runAttention(ctx, form) {
  const { model, tokenizer, config, status, result } = ctx;
  const text = form.text.value;
  if (!text.trim()) {
    status.textContent = "Type some text first.";
    return;
  }
  const [kept, cut] = fitText(text, config.max_tokens, (t) => tokenizer.encode(t, { addBos: true }).length);
  status.textContent = "";
  if (cut) cutNotice(status, kept, text, `${config.max_tokens} tokens (the maps stay legible)`);
  const ids = tokenizer.encode(kept, { addBos: true });
  const maps = model.attentionWeights(ids);
  const n = ids.length;
  const labels = ids.map((id) => showToken(tokenizer, id));
  const { heads } = model.config;
  const grid = el("div", { class: "llmh-live-maps" });
  maps.forEach((w, layer) => {
    for (let h = 0; h < heads; h++) {
      const fig = el("figure", {}, el("figcaption", {}, `block ${layer}, head ${h}`));
      fig.prepend(heatmap(w.subarray(h * n * n, (h + 1) * n * n), n, layer, h, labels));
      grid.append(fig);
    }
  });
  const tokens = el("p", {}, `${n} tokens (row i, column j: how much token i reads from token j): `);
  labels.forEach((l, i) => tokens.append(i ? " " : "", tokenSpan(`${i}:${l}`)));
  result.replaceChildren(tokens, grid);
  status.textContent = `Attention of ${n} tokens: ${maps.length} blocks × ${heads} heads; each row sums to 1, nothing above the diagonal (causal).`;
}

async function runKVCache(ctx, form) {
  const { model, tokenizer, config, status, result } = ctx;
  const text = form.text.value;
  if (!text.trim()) {
    status.textContent = "Type a prompt first.";
    return;
  }
  const maxNew = Math.max(1, Math.min(64, Number(form.max_new.value || 24)));
  const [kept, cut] = fitText(text, model.config.context - maxNew, (t) => tokenizer.encode(t, { addBos: true }).length);
  status.textContent = "";
  if (cut) cutNotice(status, kept, text, `the ${model.config.context}-token context`);
  const promptIds = tokenizer.encode(kept, { addBos: true });
  const c = model.config;
  const rows = [];
  const head = ["#", "token", "cached positions", "cache bytes (arrays)", "formula × positions", ""];
  const box = el("div");
  const summary = el("p", {});
  result.replaceChildren(
    el("p", {}, `Formula: ${config.formula} = ${config.bytes_per_token} bytes per token.`),
    summary,
    box,
  );
  result.setAttribute("aria-busy", "true");
  const full = config.bytes_per_token * c.context;
  let step = 0;
  const t0 = performance.now();
  for (const s of generateSteps(model, promptIds, { maxNewTokens: maxNew, stopTokens: [tokenizer.eosId] })) {
    step++;
    const cache = s.cache;
    // what the cache's own arrays hold: each layer's K and V Float32Arrays, filled rows only
    const perPosition = [...cache.keys, ...cache.values].reduce((n, a) => n + a.byteLength, 0) / cache.capacity;
    const held = perPosition * cache.tokens;
    rows.push([String(step), tokenSpan(showToken(tokenizer, s.token)), String(cache.tokens), held.toLocaleString("en"), (config.bytes_per_token * cache.tokens).toLocaleString("en"), bar(held / full)]);
    box.replaceChildren(table(head, rows.map((r) => r.map((x) => (x instanceof Node ? x.cloneNode(true) : x))), "The cache after each generated token"));
    summary.textContent = `${cache.tokens} positions cached: ${held.toLocaleString("en")} bytes, ${perPosition} bytes per token (formula: ${config.bytes_per_token}).`;
    await nextFrame();
  }
  const seconds = (performance.now() - t0) / 1000;
  result.setAttribute("aria-busy", "false");
  status.textContent = `Generated ${step} tokens after a ${promptIds.length}-token prompt in ${seconds.toFixed(2)} s; only the new token runs through the model at each step.`;
}

const RUNNERS = { labels: runLabels, attention: runAttention, kv_cache: runKVCache };

/** Wire one panel: load the model (once per page), show the form, run it once. */
export async function start(root, dir) {
  const config = JSON.parse(root.querySelector("script[data-role=config]").textContent);
  const status = root.querySelector("[data-role=status]");
  const result = root.querySelector("[data-role=result]");
  const form = root.querySelector("[data-role=form]");
  const button = root.querySelector("[data-role=load]");
  const loaded = await loadModel(dir, config);
  const ctx = { ...loaded, config, status, result };
  button.hidden = true;
  form.hidden = false;
  form.text.value = config.message ?? config.text;
  const run = async () => {
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await RUNNERS[config.kind](ctx, form);
    } catch (error) {
      status.textContent = `Error: ${error.message}`;
    } finally {
      submit.disabled = false;
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  if (form.policy) {
    const sync = () => {
      const sampling = form.policy.value === "sample";
      for (const name of ["temperature", "top_k", "top_p", "seed"]) form[name].disabled = !sampling;
    };
    form.policy.addEventListener("change", sync);
    sync();
  }
  const t0 = performance.now();
  await run();
  root.dataset.firstRunMs = (performance.now() - t0).toFixed(1);
  root.dataset.downloadMs = loaded.downloadMs.toFixed(1);
  root.dataset.buildMs = loaded.buildMs.toFixed(1);
  root.dataset.state = "ready";
  const announced = status.textContent;
  status.textContent = `Model loaded (${loaded.model.numParameters().toLocaleString("en")} parameters, ${(loaded.bytes / 1e6).toFixed(1)} MB). ${announced}`;
}
