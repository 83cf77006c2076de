// Byte-level BPE tokenizer: the JavaScript twin of llmhistory.tiny.tokenizer.BPETokenizer.
// Ids: 0..255 the bytes, then one id per merge in training order, then <bos>, <eos>.

export const SPECIAL_TOKENS = ["<bos>", "<eos>"];
export const FORMAT = "llmhistory-bpe";
// Python's PRETOKEN_PATTERN, " ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+", with
// Python's \s spelled out: it differs from JavaScript's (\x1c-\x1f and \x85 are whitespace to
// Python's str.isspace, U+FEFF is whitespace to JavaScript only).
export const PYTHON_PATTERN = String.raw` ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+`;
const WS = String.raw`\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;
const PIECE_SOURCE = ` ?[A-Za-z]+| ?[0-9]| ?[^${WS}A-Za-z0-9]+|[${WS}]+(?![^${WS}])|[${WS}]+`;

/** Return the pieces `text` is cut into before merges (Python's `pretokenize`). */
export function pretokenize(text) {
  if (typeof text !== "string") throw new TypeError("text must be a string");
  return text.match(new RegExp(PIECE_SOURCE, "gu")) ?? [];
}

export class BPETokenizer {
  /** @param {Array<[number, number]>} merges  merge m joins (a, b) into id 256 + m */
  constructor(merges) {
    if (!Array.isArray(merges)) throw new TypeError("merges must be an array of [a, b] pairs");
    this.merges = merges;
    this.ranks = new Map();
    this.pieces = [];
    for (let b = 0; b < 256; b++) this.pieces.push(Uint8Array.of(b));
    merges.forEach((pair, m) => {
      const [a, b] = pair;
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= 256 + m || b >= 256 + m) {
        throw new Error(`merges[${m}]=(${a}, ${b}) refers to an id that does not exist yet`);
      }
      const key = a * 65536 + b;
      if (this.ranks.has(key)) throw new Error("merges must not repeat a pair");
      this.ranks.set(key, m);
      const joined = new Uint8Array(this.pieces[a].length + this.pieces[b].length);
      joined.set(this.pieces[a]);
      joined.set(this.pieces[b], this.pieces[a].length);
      this.pieces.push(joined);
    });
    const ascii = new TextEncoder();
    for (const name of SPECIAL_TOKENS) this.pieces.push(ascii.encode(name));
    this.bosId = 256 + merges.length;
    this.eosId = this.bosId + 1;
    this.vocabSize = this.eosId + 1;
    this.cache = new Map();
    this.encoder = new TextEncoder();
    this.decoder = new TextDecoder("utf-8", { fatal: false });
  }

  /** Return the tokenizer of a JSON document written by Python's `BPETokenizer.to_json`. */
  static fromJSON(text) {
    const doc = typeof text === "string" ? JSON.parse(text) : text;
    if (!doc || doc.format !== FORMAT) throw new Error(`tokenizer JSON must have format=${FORMAT}`);
    if (doc.pattern !== PYTHON_PATTERN) throw new Error("tokenizer JSON pattern differs from the one this code implements");
    if (JSON.stringify(doc.special_tokens) !== JSON.stringify(SPECIAL_TOKENS)) throw new Error("tokenizer JSON special_tokens differ");
    if (!Array.isArray(doc.merges)) throw new Error("tokenizer JSON merges must be a list");
    return new BPETokenizer(doc.merges);
  }

  encodePiece(piece) {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    let symbols = Array.from(this.encoder.encode(piece));
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(symbols[i] * 65536 + symbols[i + 1]);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const a = this.merges[bestRank][0];
      const b = this.merges[bestRank][1];
      const out = [];
      for (let i = 0; i < symbols.length; ) {
        if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
          out.push(256 + bestRank);
          i += 2;
        } else {
          out.push(symbols[i]);
          i += 1;
        }
      }
      symbols = out;
    }
    if (this.cache.size >= 50000) this.cache.clear();
    this.cache.set(piece, symbols);
    return symbols;
  }

  /** Return the token ids of `text`, optionally wrapped in <bos> ... <eos>. */
  encode(text, { addBos = false, addEos = false } = {}) {
    const ids = addBos ? [this.bosId] : [];
    for (const piece of pretokenize(text)) for (const id of this.encodePiece(piece)) ids.push(id);
    if (addEos) ids.push(this.eosId);
    return ids;
  }

  /** Return the bytes token `id` stands for. */
  tokenBytes(id) {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`token id ${id} is outside the vocabulary 0..${this.vocabSize - 1}`);
    }
    return this.pieces[id];
  }

  /** Return the text of `ids` (invalid UTF-8 decodes to U+FFFD, as Python's errors="replace"). */
  decode(ids, { skipSpecialTokens = false } = {}) {
    const kept = skipSpecialTokens ? ids.filter((i) => i < this.bosId) : ids;
    const parts = kept.map((i) => this.tokenBytes(i));
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    return this.decoder.decode(bytes);
  }
}
