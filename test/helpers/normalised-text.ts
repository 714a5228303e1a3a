/** The frequency metric's normalisation, as JavaScript says it: what the server's SQL must agree with. */
export function normalisedText(text: string, foldCase = false): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return foldCase ? collapsed.toLowerCase() : collapsed;
}

/** How many texts of the list share each text's normalised form. */
export function frequencies(texts: readonly string[], foldCase = false): number[] {
  const counts = new Map<string, number>();
  const keys = texts.map((text) => normalisedText(text, foldCase));
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return keys.map((key) => counts.get(key)!);
}
