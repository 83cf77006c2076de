// Read a safetensors file (https://huggingface.co/docs/safetensors) into Float32Arrays:
// 8 bytes little-endian header length, a JSON header, then the raw little-endian tensors.

function halfToFloat(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Return {tensors: {name: {shape, data: Float32Array}}, metadata} of a safetensors buffer.
 * Throws on a truncated or corrupt file (every tensor must lie inside the buffer).
 */
export function parseSafetensors(buffer) {
  if (!(buffer instanceof ArrayBuffer)) throw new TypeError("buffer must be an ArrayBuffer");
  if (buffer.byteLength < 8) throw new Error("safetensors file is truncated (no header length)");
  const view = new DataView(buffer);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > buffer.byteLength) throw new Error("safetensors file is truncated (header)");
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
  const start = 8 + headerLength;
  const metadata = header.__metadata__ ?? {};
  const tensors = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    const width = { F32: 4, F16: 2, F64: 8 }[info.dtype];
    if (!width) throw new Error(`tensor ${name} has dtype ${info.dtype}; F32, F16 or F64 expected`);
    if (end - begin !== count * width || start + end > buffer.byteLength) {
      throw new Error(`safetensors file is truncated or corrupt at tensor ${name}`);
    }
    const data = new Float32Array(count);
    const at = start + begin;
    for (let i = 0; i < count; i++) {
      if (width === 4) data[i] = view.getFloat32(at + 4 * i, true);
      else if (width === 8) data[i] = view.getFloat64(at + 8 * i, true);
      else data[i] = halfToFloat(view.getUint16(at + 2 * i, true));
    }
    tensors[name] = { shape: info.shape, data };
  }
  return { tensors, metadata };
}
