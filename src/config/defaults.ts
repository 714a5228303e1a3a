/** The embed command's defaults, used by the config (config.ts) and shown by --help (options.ts). */
import path from 'node:path';
import type { Device } from '../../common/batch-task.js';
import type { WriteMethod } from '../../common/write-plan.js';
import type { Dtype } from '../model/dtype.js';

export const defaults = {
  batchSize: 100,
  model: 'Xenova/all-MiniLM-L6-v2',
  dtype: 'fp32' as Dtype,
  device: 'cpu' as Device,
  idColumn: 'id',
  textColumn: 'text',
  statePath: path.join('.embed', 'state.sqlite'),
  maxBatchTokens: 1024,
  sortWindow: 1600,
  writeMethod: 'copy' as WriteMethod,
  maxBatchSize: 100_000,
  maxWorkers: 256,
  dbDownBudgetSeconds: 120,
  lockTimeoutSeconds: 60,
  statementTimeoutSeconds: 600,
  /** --distributed: seconds a silent host keeps its ranges (see src/distributed/lease.ts). */
  leaseSeconds: 30,
};
