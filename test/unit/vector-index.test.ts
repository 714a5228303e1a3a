/** The index a target gets, ivfflat's lists, the index's name, the index flags and a search's scan settings, without a database. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../dist/common/errors.js';
import { resolveEmbedConfig } from '../../dist/src/config/config.js';
import { indexScanSettings } from '../../dist/src/search/index-scan.js';
import { ivfflatLists, vectorIndexName } from '../../dist/src/target/vector-index.js';
import { resolveIndexKind } from '../../dist/src/target/vector-storage.js';

const resolve = (args: Record<string, unknown>) => resolveEmbedConfig({ table: 'sentences', ...args }, {}, 2);

describe('the vector index', () => {
  it('is hnsw by default on vector and halfvec, none on real[]; an explicit one on real[] is refused', () => {
    expect(resolveIndexKind(undefined, 'vector', 384, 't')).toBe('hnsw');
    expect(resolveIndexKind(undefined, 'halfvec', 384, 't')).toBe('hnsw');
    expect(resolveIndexKind('ivfflat', 'vector', 384, 't')).toBe('ivfflat');
    expect(resolveIndexKind(undefined, 'real[]', 384, 't')).toBe('none');
    expect(resolveIndexKind('none', 'real[]', 384, 't')).toBe('none');
    expect(() => resolveIndexKind('hnsw', 'real[]', 384, 't')).toThrow(UsageError);
  });

  it('follows what pgvector can index: vector to 2,000 dimensions, halfvec to 4,000', () => {
    expect(resolveIndexKind(undefined, 'vector', 3072, 't')).toBe('none');
    expect(() => resolveIndexKind('hnsw', 'vector', 3072, 't')).toThrow(/pass --vector-type halfvec, or pass --index none/);
    expect(resolveIndexKind('hnsw', 'halfvec', 3072, 't')).toBe('hnsw');
    expect(() => resolveIndexKind('hnsw', 'halfvec', 4096, 't')).toThrow(/halfvec up to 4000 dimensions/);
  });

  it("takes ivfflat's lists from the rows as pgvector advises", () => {
    expect(ivfflatLists(0)).toBe(1);
    expect(ivfflatLists(20_000)).toBe(20);
    expect(ivfflatLists(1_000_000)).toBe(1000);
    expect(ivfflatLists(4_000_000)).toBe(2000);
  });

  it('is named for its table and column, within 63 bytes, with the prefix that marks it as ours', () => {
    expect(vectorIndexName('sentences_embeddings', 'embedding')).toBe('embed_ann_sentences_embeddings_embedding');
    const long = vectorIndexName('a'.repeat(60), 'embedding');
    expect(Buffer.byteLength(long)).toBe(63);
    expect(long.startsWith('embed_ann_aaa')).toBe(true);
  });

  it('takes its flags: --index, --maintenance-work-mem, --vector-type', () => {
    expect(resolve({})).toMatchObject({ index: undefined, maintenanceWorkMem: undefined, vectorType: 'vector' });
    expect(resolve({ index: 'ivfflat', maintenanceWorkMem: '2GB', vectorType: 'halfvec' })).toMatchObject({
      index: 'ivfflat',
      maintenanceWorkMem: '2GB',
      vectorType: 'halfvec',
    });
    expect(() => resolve({ maintenanceWorkMem: '2 GB' })).toThrow(UsageError);
    expect(() => resolve({ maintenanceWorkMem: '0MB' })).toThrow(UsageError);
  });

  it("sets a search's scan: ef_search up to k, exact past its ceiling, the square root of ivfflat's lists in probes", () => {
    const index = (method: string, lists: number | null = null, valid = true) => ({ name: 'i', method, valid, lists });
    expect(indexScanSettings([index('hnsw')], 10)).toEqual([]);
    expect(indexScanSettings([index('hnsw')], 40)).toEqual([]);
    expect(indexScanSettings([index('hnsw')], 41)).toEqual([['hnsw.ef_search', '41']]);
    expect(indexScanSettings([index('hnsw')], 1000)).toEqual([['hnsw.ef_search', '1000']]);
    expect(indexScanSettings([index('hnsw')], 1001)).toEqual([['enable_indexscan', 'off']]);
    expect(indexScanSettings([index('hnsw', null, false)], 100)).toEqual([]);
    expect(indexScanSettings([index('ivfflat', 100)], 10)).toEqual([['ivfflat.probes', '10']]);
    expect(indexScanSettings([index('ivfflat', 20)], 10)).toEqual([['ivfflat.probes', '5']]);
    expect(indexScanSettings([index('ivfflat')], 10)).toEqual([['ivfflat.probes', '10']]);
    expect(indexScanSettings([index('ivfflat', 1)], 10)).toEqual([]);
    expect(indexScanSettings([index('btree')], 100)).toEqual([]);
  });
});
