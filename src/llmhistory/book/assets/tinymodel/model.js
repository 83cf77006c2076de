// The tiny Llama/Mixtral-style decoder: the JavaScript twin of llmhistory.tiny.model.forward.
//   ids -> embedding -> layers x [x + attention(rms_norm(x)); x + ffn(rms_norm(x))]
//       -> rms_norm -> output head (the embedding when tied) -> logits
// Arrays are row-major Float32Arrays; sums are accumulated in doubles and stored as float32.
// Weights keep their Hugging Face names, [out, in] layout (llmhistory.tiny.weights).
import { parseSafetensors } from "./safetensors.js";

/** Return the model config from a Hugging Face config.json object (weights.from_hf_config). */
export function configFromHF(hf) {
  const type = hf.model_type;
  if (type !== "llama" && type !== "mixtral") throw new Error(`model_type must be llama or mixtral, got ${type}`);
  if ((hf.hidden_act ?? "silu") !== "silu") throw new Error(`hidden_act must be silu, got ${hf.hidden_act}`);
  const heads = hf.num_attention_heads;
  const c = {
    vocabSize: hf.vocab_size,
    dModel: hf.hidden_size,
    layers: hf.num_hidden_layers,
    heads,
    kvHeads: hf.num_key_value_heads ?? heads,
    headDim: hf.head_dim ?? hf.hidden_size / heads,
    dFf: hf.intermediate_size,
    context: hf.max_position_embeddings,
    numExperts: type === "mixtral" ? hf.num_local_experts : 1,
    expertsPerToken: type === "mixtral" ? hf.num_experts_per_tok : 1,
    tied: Boolean(hf.tie_word_embeddings),
    ropeBase: hf.rope_theta ?? 10000,
    normEps: hf.rms_norm_eps ?? 1e-5,
  };
  for (const [k, v] of Object.entries(c)) {
    if (k !== "tied" && !(Number.isFinite(v) && v > 0)) throw new Error(`config ${k}=${v} must be a positive number`);
  }
  if (c.heads % c.kvHeads) throw new Error(`kv_heads=${c.kvHeads} must divide heads=${c.heads}`);
  if (c.headDim % 2) throw new Error(`head_dim=${c.headDim} must be even (RoPE)`);
  return c;
}

/** Return {name: shape} of every weight the config needs (weights.parameter_shapes). */
export function parameterShapes(c) {
  const shapes = { "model.embed_tokens.weight": [c.vocabSize, c.dModel], "model.norm.weight": [c.dModel] };
  if (!c.tied) shapes["lm_head.weight"] = [c.vocabSize, c.dModel];
  for (let i = 0; i < c.layers; i++) {
    const p = `model.layers.${i}.`;
    shapes[p + "input_layernorm.weight"] = [c.dModel];
    shapes[p + "post_attention_layernorm.weight"] = [c.dModel];
    shapes[p + "self_attn.q_proj.weight"] = [c.heads * c.headDim, c.dModel];
    shapes[p + "self_attn.k_proj.weight"] = [c.kvHeads * c.headDim, c.dModel];
    shapes[p + "self_attn.v_proj.weight"] = [c.kvHeads * c.headDim, c.dModel];
    shapes[p + "self_attn.o_proj.weight"] = [c.dModel, c.heads * c.headDim];
    if (c.numExperts > 1) {
      const m = p + "block_sparse_moe.";
      shapes[m + "gate.weight"] = [c.numExperts, c.dModel];
      for (let j = 0; j < c.numExperts; j++) {
        shapes[`${m}experts.${j}.w1.weight`] = [c.dFf, c.dModel];
        shapes[`${m}experts.${j}.w3.weight`] = [c.dFf, c.dModel];
        shapes[`${m}experts.${j}.w2.weight`] = [c.dModel, c.dFf];
      }
    } else {
      shapes[p + "mlp.gate_proj.weight"] = [c.dFf, c.dModel];
      shapes[p + "mlp.up_proj.weight"] = [c.dFf, c.dModel];
      shapes[p + "mlp.down_proj.weight"] = [c.dModel, c.dFf];
    }
  }
  return shapes;
}

// -- kernels: [rows, in] x W[out, in]^T -> [rows, out] ---------------------------------------

function linear(x, rows, inDim, w, outDim) {
  const out = new Float32Array(rows * outDim);
  const tail = inDim - (inDim % 4);
  for (let t = 0; t < rows; t++) {
    const xo = t * inDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0; // four partial sums, in doubles
      let k = 0;
      for (; k < tail; k += 4) {
        s0 += x[xo + k] * w[wo + k];
        s1 += x[xo + k + 1] * w[wo + k + 1];
        s2 += x[xo + k + 2] * w[wo + k + 2];
        s3 += x[xo + k + 3] * w[wo + k + 3];
      }
      for (; k < inDim; k++) s0 += x[xo + k] * w[wo + k];
      out[t * outDim + o] = s0 + s1 + (s2 + s3);
    }
  }
  return out;
}

function rmsNorm(x, rows, dim, weight, eps) {
  const out = new Float32Array(rows * dim);
  for (let t = 0; t < rows; t++) {
    let ms = 0;
    for (let k = 0; k < dim; k++) ms += x[t * dim + k] * x[t * dim + k];
    const scale = 1 / Math.sqrt(ms / dim + eps);
    for (let k = 0; k < dim; k++) out[t * dim + k] = x[t * dim + k] * scale * weight[k];
  }
  return out;
}

function swiglu(h, rows, dModel, gate, up, down, dFf) {
  const g = linear(h, rows, dModel, gate, dFf);
  const u = linear(h, rows, dModel, up, dFf);
  for (let i = 0; i < g.length; i++) g[i] = (g[i] / (1 + Math.exp(-g[i]))) * u[i];
  return linear(g, rows, dFf, down, dModel);
}

/** A key/value cache: per layer, Keys and Values [kvHeads, capacity, headDim] in float32. */
export class KVCache {
  constructor(config, capacity = config.context) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > config.context) {
      throw new RangeError(`capacity must be an integer in 1..${config.context}, got ${capacity}`);
    }
    this.config = config;
    this.capacity = capacity;
    this.tokens = 0;
    const size = config.kvHeads * capacity * config.headDim;
    this.keys = Array.from({ length: config.layers }, () => new Float32Array(size));
    this.values = Array.from({ length: config.layers }, () => new Float32Array(size));
  }

  /** Bytes held by the cached positions: 2 (K and V) x layers x tokens x kvHeads x headDim x 4. */
  get bytes() {
    const c = this.config;
    return 2 * c.layers * this.tokens * c.kvHeads * c.headDim * Float32Array.BYTES_PER_ELEMENT;
  }

  copy() {
    const other = new KVCache(this.config, this.capacity);
    other.tokens = this.tokens;
    this.keys.forEach((k, i) => other.keys[i].set(k));
    this.values.forEach((v, i) => other.values[i].set(v));
    return other;
  }
}

export class TinyModel {
  /** @param config from configFromHF; @param tensors {name: {shape, data: Float32Array}} */
  constructor(config, tensors) {
    const shapes = parameterShapes(config);
    for (const [name, shape] of Object.entries(shapes)) {
      const t = tensors[name];
      if (!t) throw new Error(`weights lack tensor ${name}`);
      if (JSON.stringify(t.shape) !== JSON.stringify(shape)) {
        throw new Error(`tensor ${name} has shape [${t.shape}], the config needs [${shape}]`);
      }
    }
    for (const name of Object.keys(tensors)) {
      if (!(name in shapes)) throw new Error(`unexpected tensor ${name}`);
    }
    const w = (name) => tensors[name].data;
    this.config = config;
    this.embed = w("model.embed_tokens.weight");
    this.head = config.tied ? this.embed : w("lm_head.weight");
    this.finalNorm = w("model.norm.weight");
    this.blocks = [];
    for (let i = 0; i < config.layers; i++) {
      const p = `model.layers.${i}.`;
      const q = w(p + "self_attn.q_proj.weight");
      const k = w(p + "self_attn.k_proj.weight");
      const v = w(p + "self_attn.v_proj.weight");
      const qkv = new Float32Array(q.length + k.length + v.length);
      qkv.set(q);
      qkv.set(k, q.length);
      qkv.set(v, q.length + k.length);
      const m = p + "block_sparse_moe.";
      const moe = config.numExperts > 1;
      this.blocks.push({
        attnNorm: w(p + "input_layernorm.weight"),
        wQkv: qkv,
        wO: w(p + "self_attn.o_proj.weight"),
        ffnNorm: w(p + "post_attention_layernorm.weight"),
        mlp: moe ? null : ["gate", "up", "down"].map((n) => w(`${p}mlp.${n}_proj.weight`)),
        router: moe ? w(m + "gate.weight") : null,
        experts: moe
          ? Array.from({ length: config.numExperts }, (_, j) => ["w1", "w3", "w2"].map((n) => w(`${m}experts.${j}.${n}.weight`)))
          : [],
      });
    }
    const { headDim, context, ropeBase } = config;
    const half = headDim / 2;
    this.ropeCos = new Float32Array(context * headDim);
    this.ropeSin = new Float32Array(context * headDim);
    for (let pos = 0; pos < context; pos++) {
      for (let i = 0; i < half; i++) {
        const angle = pos * ropeBase ** -((2 * i) / headDim);
        for (const j of [i, i + half]) {
          this.ropeCos[pos * headDim + j] = Math.cos(angle);
          this.ropeSin[pos * headDim + j] = Math.sin(angle);
        }
      }
    }
  }

  /** Return the model stored in a safetensors buffer written by llmhistory.tiny.checkpoint. */
  static fromSafetensors(buffer) {
    const { tensors, metadata } = parseSafetensors(buffer);
    if (!metadata.config) throw new Error("safetensors __metadata__ has no 'config'");
    return new TinyModel(configFromHF(JSON.parse(metadata.config)), tensors);
  }

  numParameters() {
    return Object.values(parameterShapes(this.config)).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  }

  newCache(capacity) {
    return new KVCache(this.config, capacity ?? this.config.context);
  }

  checkIds(ids, limit, what) {
    if (!Array.isArray(ids) || ids.length === 0) throw new RangeError("token ids must be a non-empty array");
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) {
        throw new RangeError(`token id ${id} is outside the vocabulary 0..${this.config.vocabSize - 1}`);
      }
    }
    if (ids.length > limit) throw new RangeError(`${ids.length} tokens but ${what}`);
  }

  /**
   * Return the logits [tokens * vocabSize] of `ids`; with a cache, they follow the cached
   * positions, and their Keys and Values are appended. `observe(name, array, shape)` sees
   * `layers.{i}.weights` [heads, tokens, keys] (the attention weights) and `logits`.
   */
  forward(ids, { cache = null, positionOffset = 0, observe = null } = {}) {
    const c = this.config;
    const start = cache ? cache.tokens : positionOffset;
    if (cache) this.checkIds(ids, cache.capacity - cache.tokens, `the cache has ${cache.capacity - cache.tokens} free positions`);
    else this.checkIds(ids, c.context - start, `the context allows ${c.context - start}`);
    const n = ids.length;
    const { dModel: D, heads, kvHeads, headDim: hd } = c;
    const keys = cache ? start + n : n;
    const group = heads / kvHeads;
    let x = new Float32Array(n * D);
    ids.forEach((id, t) => x.set(this.embed.subarray(id * D, (id + 1) * D), t * D));
    const rows = heads + 2 * kvHeads;
    const half = hd / 2;
    this.blocks.forEach((block, layer) => {
      // attention
      const h = rmsNorm(x, n, D, block.attnNorm, c.normEps);
      const qkv = linear(h, n, D, block.wQkv, rows * hd); // [n, heads + 2 kvHeads, hd]
      const rope = (src, t) => {
        const pos = start + t;
        const r = new Float32Array(hd);
        for (let j = 0; j < hd; j++) {
          const rot = j < half ? -src[j + half] : src[j - half];
          r[j] = src[j] * this.ropeCos[pos * hd + j] + rot * this.ropeSin[pos * hd + j];
        }
        return r;
      };
      const K = cache ? cache.keys[layer] : new Float32Array(kvHeads * n * hd);
      const V = cache ? cache.values[layer] : new Float32Array(kvHeads * n * hd);
      const cap = cache ? cache.capacity : n;
      const base = cache ? start : 0;
      const q = new Float32Array(heads * n * hd); // [heads, n, hd]
      for (let t = 0; t < n; t++) {
        const row = qkv.subarray(t * rows * hd, (t + 1) * rows * hd);
        for (let hh = 0; hh < heads; hh++) q.set(rope(row.subarray(hh * hd, (hh + 1) * hd), t), (hh * n + t) * hd);
        for (let g = 0; g < kvHeads; g++) {
          K.set(rope(row.subarray((heads + g) * hd, (heads + g + 1) * hd), t), (g * cap + base + t) * hd);
          V.set(row.subarray((heads + kvHeads + g) * hd, (heads + kvHeads + g + 1) * hd), (g * cap + base + t) * hd);
        }
      }
      const weights = new Float32Array(heads * n * keys);
      const mixed = new Float32Array(n * heads * hd); // [n, heads * hd]
      const scale = Math.sqrt(hd);
      for (let hh = 0; hh < heads; hh++) {
        const g = Math.floor(hh / group);
        for (let t = 0; t < n; t++) {
          const last = keys - n + t; // the last key query t may see (causal)
          const wrow = weights.subarray((hh * n + t) * keys, (hh * n + t + 1) * keys);
          let max = -Infinity;
          for (let j = 0; j <= last; j++) {
            let s = 0;
            for (let d = 0; d < hd; d++) s += q[(hh * n + t) * hd + d] * K[(g * cap + j) * hd + d];
            wrow[j] = s / scale;
            if (wrow[j] > max) max = wrow[j];
          }
          let sum = 0;
          for (let j = 0; j <= last; j++) {
            wrow[j] = Math.exp(wrow[j] - max);
            sum += wrow[j];
          }
          for (let j = 0; j <= last; j++) wrow[j] = wrow[j] / sum;
          for (let d = 0; d < hd; d++) {
            let s = 0;
            for (let j = 0; j <= last; j++) s += wrow[j] * V[(g * cap + j) * hd + d];
            mixed[(t * heads + hh) * hd + d] = s;
          }
        }
      }
      if (observe) observe(`layers.${layer}.weights`, weights, [heads, n, keys]);
      const attn = linear(mixed, n, heads * hd, block.wO, D);
      for (let i = 0; i < x.length; i++) x[i] += attn[i];
      // feed-forward
      const f = rmsNorm(x, n, D, block.ffnNorm, c.normEps);
      const ffn = block.router ? this.moe(f, n, block) : swiglu(f, n, D, ...block.mlp, c.dFf);
      for (let i = 0; i < x.length; i++) x[i] += ffn[i];
    });
    if (cache) cache.tokens += n;
    x = rmsNorm(x, n, D, this.finalNorm, c.normEps);
    const logits = linear(x, n, D, this.head, c.vocabSize);
    if (observe) observe("logits", logits, [n, c.vocabSize]);
    return logits;
  }

  moe(h, n, block) {
    const c = this.config;
    const D = c.dModel;
    const router = linear(h, n, D, block.router, c.numExperts);
    const out = new Float32Array(n * D);
    for (let t = 0; t < n; t++) {
      const r = router.subarray(t * c.numExperts, (t + 1) * c.numExperts);
      const order = Array.from(r.keys()).sort((a, b) => r[b] - r[a] || a - b); // stable
      const chosen = order.slice(0, c.expertsPerToken);
      const e = chosen.map((j) => Math.fround(Math.exp(r[j] - r[chosen[0]])));
      const total = e.reduce((a, b) => a + b, 0);
      const row = h.subarray(t * D, (t + 1) * D);
      chosen.forEach((j, s) => {
        const y = swiglu(row, 1, D, ...block.experts[j], c.dFf);
        const weight = Math.fround(e[s] / total);
        for (let k = 0; k < D; k++) out[t * D + k] += weight * y[k];
      });
    }
    return out;
  }

  /** Return the attention weights [layers][heads * tokens * tokens] of one sequence. */
  attentionWeights(ids) {
    const maps = [];
    this.forward(ids, { observe: (name, array) => name.endsWith(".weights") && maps.push(array) });
    return maps;
  }
}
