/** Command-line values of the benchmark scripts: numbers and comma-separated lists, checked once. */
export function positiveOption(value: string | undefined, name: string): number {
  const number = Number(value);
  if (value === undefined || !Number.isInteger(number) || number < 1) {
    throw new Error(`${name} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  }
  return number;
}

export function listOption(value: string | undefined, name: string): string[] {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error(`${name} needs at least one value`);
  return items;
}

export function dtypeOption(value: string): 'fp32' | 'q8' {
  if (value !== 'fp32' && value !== 'q8') throw new Error(`--dtype takes fp32 and/or q8, got ${value}`);
  return value;
}
