/**
 * A watcher runs for days while its model file may be replaced on disk. The workers hold the model they
 * loaded at start, but a worker that dies is replaced and would load the new file: vectors of two models
 * would then mix in one target. Before each look at the table the sizes and modification times of the
 * file and of its external data files are compared with those at start (a stat each, no read); when
 * they moved, the files are hashed again, and a different hash stops the watcher.
 */
import { stat } from 'node:fs/promises';
import { ModelError } from '../../common/errors.js';
import { externalDataFiles } from '../model/external-data.js';
import { withFileHash, type ModelInfo } from '../model/model-folder.js';

export class ModelGuard {
  /** Size and modification time of each file, in a fixed order. */
  private seen: string | undefined;

  constructor(private readonly model: ModelInfo) {}

  async start(): Promise<void> {
    this.seen = await this.look();
  }

  async check(): Promise<void> {
    const now = await this.look().catch(() => undefined);
    if (now !== undefined && now === this.seen) return;
    const rehashed = await withFileHash(this.model).catch(() => undefined);
    if (rehashed?.fileHash === this.model.fileHash) {
      this.seen = now;
      return;
    }
    const what =
      rehashed === undefined
        ? 'is gone or unreadable'
        : `changed (sha256 ${this.model.fileHash.slice(0, 12)} at start, ${rehashed.fileHash.slice(0, 12)} now)`;
    throw new ModelError(
      `model file ${this.model.onnxFile} ${what} while watching; stopped so that one target never mixes two models: ` +
        'put the old file back, or embed with the new one into a new target (--target) or from scratch (--restart)',
    );
  }

  private async look(): Promise<string> {
    const files = [this.model.onnxFile, ...externalDataFiles(this.model.onnxFile)];
    const infos = await Promise.all(files.map((file) => stat(file)));
    return infos.map((info, i) => `${files[i]}:${info.size}:${info.mtimeMs}`).join('\n');
  }
}
