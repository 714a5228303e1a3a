/** Progress of a long benchmark, on stderr so that stdout keeps only the result tables. */
export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
