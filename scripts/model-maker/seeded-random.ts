/**
 * A small seeded PRNG, so that a model name always yields the same weights, byte for byte, on every
 * machine: mulberry32 only uses 32-bit integer arithmetic, and Box-Muller only Math.log/sqrt/cos/sin, which
 * V8 computes with its own portable (fdlibm) code rather than the platform's libm.
 */

/** FNV-1a, to turn a model name into a 32-bit seed. */
export function seedFromName(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export class SeededRandom {
  private state: number;
  /** Box-Muller yields normals in pairs; the second one waits here. */
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  normal(mean: number, std: number): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    // 1 - u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return mean + std * radius * Math.cos(angle);
  }

  normalArray(length: number, mean: number, std: number): Float32Array {
    const values = new Float32Array(length);
    for (let i = 0; i < length; i++) values[i] = this.normal(mean, std);
    return values;
  }
}
