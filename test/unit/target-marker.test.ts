import { describe, expect, it } from 'vitest';
import { parseMarker } from '../../dist/src/target/target-marker.js';

const prefix = 'embeddings written by embed; keep this comment, it stops two models mixing here: ';

describe('the marker in a target comment', () => {
  it('reads the model and generation embed wrote', () => {
    expect(parseMarker(prefix + JSON.stringify({ model: 'm@0123456789ab', generation: 'g-1' }))).toEqual({
      model: 'm@0123456789ab',
      generation: 'g-1',
    });
  });

  it('treats any other comment as no marker', () => {
    expect(parseMarker(null)).toBeUndefined();
    expect(parseMarker('vectors for search')).toBeUndefined();
    expect(parseMarker(`${prefix}{not json`)).toBeUndefined();
    expect(parseMarker(prefix + JSON.stringify({ model: 'm' }))).toBeUndefined();
  });
});
