// NumPy's default generator, np.random.default_rng(seed): SeedSequence seeding, then PCG64
// (XSL-RR, 128-bit LCG), and Generator.random() = (next64 >> 11) * 2**-53. Same seed, same
// numbers as Python, so a seeded sample is the same token in the browser and in the book.

const MASK32 = 0xffffffff;
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL_SIZE = 4;
const MASK128 = (1n << 128n) - 1n;
const MASK64 = (1n << 64n) - 1n;
const PCG_MULT = 0x2360ed051fc65da44385df649fccf645n;

function hashmix(value, hash) {
  value = (value ^ hash.value) >>> 0;
  hash.value = Math.imul(hash.value, MULT_A) >>> 0;
  value = Math.imul(value, hash.value) >>> 0;
  return (value ^ (value >>> 16)) >>> 0;
}

function mix(x, y) {
  const result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
  return (result ^ (result >>> 16)) >>> 0;
}

/** Return the 32-bit words of a non-negative integer seed, least significant first. */
function seedWords(seed) {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer >= 0, got ${seed}`);
  let n = BigInt(seed);
  const words = [];
  if (n === 0n) words.push(0);
  while (n > 0n) {
    words.push(Number(n & BigInt(MASK32)));
    n >>= 32n;
  }
  return words;
}

/** Return NumPy's SeedSequence(seed).generate_state(words, uint32) as numbers. */
export function seedSequenceState(seed, words) {
  const entropy = seedWords(seed);
  const pool = new Array(POOL_SIZE).fill(0);
  const hash = { value: INIT_A };
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0, hash);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src], hash));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src], hash));
  }
  let hashConst = INIT_B;
  const out = [];
  for (let i = 0; i < words; i++) {
    let value = (pool[i % POOL_SIZE] ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_B) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    out.push((value ^ (value >>> 16)) >>> 0);
  }
  return out;
}

export class PCG64 {
  /** The generator of `np.random.default_rng(seed)`. */
  constructor(seed = 0) {
    const w = seedSequenceState(seed, 8).map(BigInt);
    const u64 = [0, 1, 2, 3].map((j) => w[2 * j] | (w[2 * j + 1] << 32n));
    const initState = (u64[0] << 64n) | u64[1];
    const initSeq = (u64[2] << 64n) | u64[3];
    this.state = 0n;
    this.inc = ((initSeq << 1n) | 1n) & MASK128;
    this.step();
    this.state = (this.state + initState) & MASK128;
    this.step();
  }

  step() {
    this.state = (this.state * PCG_MULT + this.inc) & MASK128;
  }

  /** Return the next 64-bit output as a BigInt. */
  next64() {
    this.step();
    const s = this.state;
    const x = ((s >> 64n) ^ s) & MASK64;
    const rot = s >> 122n;
    return ((x >> rot) | (x << ((64n - rot) & 63n))) & MASK64;
  }

  /** Return a double in [0, 1): NumPy's `Generator.random()`. */
  random() {
    return Number(this.next64() >> 11n) * (1.0 / 9007199254740992.0);
  }
}
