/** A scrape of a process's /metrics, parsed with a Prometheus text-format parser (not a regex). */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export type MetricFamilies = ReturnType<typeof parsePrometheusTextFormat>;

export async function scrape(port: number): Promise<MetricFamilies> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  if (!(response.headers.get('content-type') ?? '').includes('text/plain'))
    throw new Error(`/metrics is ${response.headers.get('content-type')}`);
  return parsePrometheusTextFormat(await response.text());
}

export function family(families: MetricFamilies, name: string): MetricFamilies[number] {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`no metric ${name} in /metrics`);
  return found;
}

/** The value of a metric's first series (counters and gauges). */
export function value(families: MetricFamilies, name: string): number {
  return Number((family(families, name).metrics[0] as { value: string }).value);
}
