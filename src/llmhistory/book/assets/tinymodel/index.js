// The tiny model in the browser: tokenizer, weights, forward pass with a KV cache, decoding.
export { BPETokenizer, pretokenize } from "./tokenizer.js";
export { parseSafetensors } from "./safetensors.js";
export { TinyModel, KVCache, configFromHF, parameterShapes } from "./model.js";
export { PCG64, seedSequenceState } from "./random.js";
export * from "./decoding.js";
