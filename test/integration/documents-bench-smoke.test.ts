/**
 * `npm run bench:documents` at tiny sizes: the documents, the chunker on them, the bare encoder on the
 * same chunks and the sentence run are measured and written. The engine's chunk run needs a CLI that
 * takes --chunk: where it does, the bench measures it and exits 0; where it does not, it says so in one
 * line and exits 1, the rest measured.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runScript } from '../helpers/cli.js';
import { useTestDatabase } from '../helpers/database.js';

const cliTakesChunk = /--chunk\b/.test(execFileSync(process.execPath, ['bin/embed.js', '--help'], { encoding: 'utf8' }));

describe('npm run bench:documents (smoke, tiny sizes)', () => {
  const fixture = useTestDatabase('embed-documents-bench-');

  it('chunks the documents, measures the bare encoder on the chunks and a sentence run, and writes JSON', async () => {
    const outDir = path.join(fixture.dir, 'documents');
    const { code, stdout, stderr } = await runScript('dist/bench/documents-bench.js', [
      '--documents',
      '12',
      '--model',
      inject('tinyModelDir'),
      '--dtype',
      'fp32',
      '--chunk',
      '64:8',
      '--workers',
      '2',
      '--budgets',
      '2048',
      '--database-url',
      fixture.db.url,
      '--out-dir',
      outDir,
    ]);
    const files = readdirSync(outDir).filter((file) => file.startsWith('documents-bench-'));
    expect(files, stderr).toHaveLength(1);
    const result = JSON.parse(readFileSync(path.join(outDir, files[0]!), 'utf8'));
    expect(result.documents.count).toBe(12);
    expect(result.documents.chunks).toBeGreaterThan(12);
    expect(result.documents.tokens / result.documents.chunks).toBeLessThanOrEqual(64);
    expect(result.encoder.best.rows).toBe(result.documents.chunks);
    expect(result.encoder.best.tokensPerSecond).toBeGreaterThan(0);
    expect(result.sentenceRun.report.rowsEmbedded).toBe(result.documents.chunks);
    const stored = await fixture.db.client.query('SELECT count(*)::int AS n FROM documents_bench');
    expect(stored.rows[0].n).toBe(12);
    if (cliTakesChunk) {
      expect(code, stderr).toBe(0);
      expect(result.chunkRun.chunks).toBe(result.documents.chunks);
      expect(result.chunkRun.tokensPerSecond).toBeGreaterThan(0);
      expect(stdout).toMatch(/chunk run \/ bare encoder/);
    } else {
      expect(code).toBe(1);
      expect(result.chunkRun).toBeNull();
      expect(stderr).toMatch(/^bench:documents: this build of embed has no --chunk option/m);
    }
  });
});
