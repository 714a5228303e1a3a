// Where an engine process's memory is, over time: preloaded into every thread of it with
//   EMBED_MEMORY_PROBE=/tmp/probe.jsonl NODE_OPTIONS="--require ./bench/memory-probe.cjs" node bin/embed.js ...
// (bench/README.md, "Where the memory is"). Each thread appends one JSON line every
// EMBED_MEMORY_PROBE_MS (5000): its V8 heap (total, used, new space, old space) and external memory; the
// main thread adds the process's resident memory by mapping kind from /proc/self/smaps (anonymous, the
// brk heap, files). Anonymous memory that no V8 heap accounts for is native: onnxruntime, malloc arenas,
// ArrayBuffer contents. CommonJS because only --require reaches worker threads on Node 20; a worker
// blocked waiting for a task (piscina's atomics) writes nothing until it runs one.
const fs = require('node:fs');
const v8 = require('node:v8');
const { isMainThread, threadId } = require('node:worker_threads');

const file = process.env.EMBED_MEMORY_PROBE;
const everyMs = Number(process.env.EMBED_MEMORY_PROBE_MS || 5000);
const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;

function residentByKind() {
  const kb = { anon: 0, brk: 0, file: 0 };
  let kind = 'anon';
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[1];
      kind = name === '[heap]' ? 'brk' : name.startsWith('/') ? 'file' : 'anon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb[kind] += Number(rss[1]);
  }
  return { anon: Math.round(kb.anon / 1024), brk: Math.round(kb.brk / 1024), file: Math.round(kb.file / 1024) };
}

function sample() {
  const heap = v8.getHeapStatistics();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size]));
  const usage = process.memoryUsage();
  const record = {
    t: Math.round(Date.now() / 1000),
    pid: process.pid,
    thread: isMainThread ? 0 : threadId,
    rss: mb(usage.rss),
    heapTotal: mb(heap.total_heap_size),
    heapUsed: mb(heap.used_heap_size),
    newSpace: mb(spaces.new_space ?? 0),
    oldSpace: mb(spaces.old_space ?? 0),
    external: mb(usage.external),
    ...(isMainThread ? { smaps: residentByKind() } : {}),
  };
  try {
    fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
  } catch {
    // A probe must never stop what it watches.
  }
}

if (file) setInterval(sample, everyMs).unref();
