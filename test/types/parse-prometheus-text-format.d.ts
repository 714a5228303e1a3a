/** The parser ships no types: what its README documents of its output. */
declare module 'parse-prometheus-text-format' {
  export interface MetricFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: ({ value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string } & Record<
      string,
      unknown
    >)[];
  }
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
