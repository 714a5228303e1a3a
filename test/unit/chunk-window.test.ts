import { describe, expect, it } from 'vitest';
import { checkChunkWindow, chunkWindowText, parseChunkWindow } from '../../dist/common/chunk-window.js';
import { UsageError } from '../../dist/common/errors.js';
import { resolveEmbedConfig } from '../../dist/src/config/config.js';
import { modelLabel } from '../../dist/src/target/target-table.js';

describe('--chunk TOKENS[:OVERLAP]', () => {
  it('reads a window with or without overlap, and spells it back as given', () => {
    expect(parseChunkWindow('256:32', '--chunk')).toEqual({ tokens: 256, overlap: 32 });
    expect(parseChunkWindow('128', '--chunk')).toEqual({ tokens: 128, overlap: 0 });
    expect(parseChunkWindow(' 64 : 8 ', '--chunk')).toEqual({ tokens: 64, overlap: 8 });
    expect(chunkWindowText({ tokens: 256, overlap: 32 })).toBe('256:32');
    expect(chunkWindowText({ tokens: 128, overlap: 0 })).toBe('128');
  });

  it('refuses what is not a window, in one line that says what to pass', () => {
    for (const [value, message] of [
      ['', /takes TOKENS or TOKENS:OVERLAP in whole numbers, such as 256:32; got ""/],
      ['256:', /takes TOKENS or TOKENS:OVERLAP/],
      ['-5', /takes TOKENS or TOKENS:OVERLAP/],
      ['1.5', /takes TOKENS or TOKENS:OVERLAP/],
      ['256:32:1', /takes TOKENS or TOKENS:OVERLAP/],
      ['0', /needs a window of at least 1 token/],
      ['64:64', /overlap \(64\) must be smaller than the window \(64\)/],
      ['64:100', /overlap \(100\) must be smaller than the window \(64\)/],
    ] as const) {
      expect(() => parseChunkWindow(value, '--chunk')).toThrow(UsageError);
      expect(() => parseChunkWindow(value, '--chunk')).toThrow(message);
    }
  });

  it("checks the window against the model's length and the tokens it must leave for text", () => {
    expect(() => checkChunkWindow({ tokens: 256, overlap: 0 }, 256)).not.toThrow();
    expect(() => checkChunkWindow({ tokens: 512, overlap: 32 }, 256)).toThrow(
      '--chunk 512 is more tokens than the model reads (256): give at most --chunk 256',
    );
    expect(() => checkChunkWindow({ tokens: 16, overlap: 2 }, 256, 7, 2)).toThrow(
      '--chunk 16 leaves under 8 tokens of text beside the prompt (7) and the special tokens (2): give at least --chunk 17',
    );
  });

  it('goes with a side table, not --column or --metrics-only', () => {
    expect(resolveEmbedConfig({ table: 'docs', chunk: '256:32' }, {}, 2).chunk).toEqual({ tokens: 256, overlap: 32 });
    expect(resolveEmbedConfig({ table: 'docs' }, {}, 2).chunk).toBeUndefined();
    expect(() => resolveEmbedConfig({ table: 'docs', chunk: '64', column: 'v' }, {}, 2)).toThrow(/drop --column/);
    expect(() => resolveEmbedConfig({ table: 'docs', chunk: '64', metricsOnly: true }, {}, 2)).toThrow(
      /--metrics-only measures whole rows/,
    );
  });

  it('names the window in the model label, so another window is another model to a target', () => {
    const model = { name: 'm', fileHash: 'abcdef0123456789', profile: {} };
    expect(modelLabel(model)).toBe('m@abcdef012345');
    expect(modelLabel({ ...model, chunk: { tokens: 256, overlap: 32 } })).toBe('m@abcdef012345 chunks 256:32');
  });
});
