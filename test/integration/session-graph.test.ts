/**
 * The graph a CPU session runs keeps the residual Add and the LayerNormalization apart: onnxruntime's
 * CPU kernel for the two fused (SkipLayerNormalization) costs many times what they cost unfused (see
 * workers/onnx-session.ts). Read from the optimised graph onnxruntime writes out when asked.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { sessionOptions } from '../../dist/workers/onnx-session.js';

describe('the session graph on the CPU', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'embed-session-graph-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The graph onnxruntime runs for these options, as the bytes of the model file it saves. */
  async function optimisedGraph(onnxFile: string, options: ort.InferenceSession.SessionOptions, name: string): Promise<string> {
    const saved = path.join(dir, `${name}.onnx`);
    const session = await ort.InferenceSession.create(onnxFile, { ...options, optimizedModelFilePath: saved, logSeverityLevel: 3 });
    await session.release();
    return readFileSync(saved).toString('latin1');
  }

  it('keeps Add and LayerNormalization unfused, where onnxruntime by default fuses them', async () => {
    const onnxFile = path.join(inject('tinyModelDir'), 'onnx', 'model.onnx');
    const byDefault = await optimisedGraph(onnxFile, { graphOptimizationLevel: 'all' }, 'default');
    const engines = await optimisedGraph(onnxFile, sessionOptions({ threads: 1, device: 'cpu' }), 'engine');
    expect(byDefault).toContain('SkipLayerNormalization');
    expect(engines).not.toContain('SkipLayerNormalization');
    expect(engines).toContain('LayerNormalization');
  });
});
