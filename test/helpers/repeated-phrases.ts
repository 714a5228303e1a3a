const phrases = ['river stone', 'quick light', 'garden window music', 'paper winter', 'orange silent market', 'the data table'];

/**
 * Texts in which a few phrases recur all through, in several cases and spacings (so an uncased tokenizer
 * sees one input where the text differs), with every fifth row made unique by a number.
 */
export function repeatedPhrases(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const phrase = phrases[Math.floor(i / 2) % phrases.length]!;
    if (i % 5 === 0) return `${phrase} ${i}`;
    if (i % 3 === 0) return phrase.toUpperCase();
    if (i % 4 === 0) return ` ${phrase.replace(' ', '\t\u00a0')} `;
    return phrase;
  });
}
