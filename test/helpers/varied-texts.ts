/** Texts that stress a tokenizer: scripts, emoji, control and zero-width characters, long paragraphs. */
export function variedTexts(): string[] {
  const base = [
    '',
    'word',
    'Hello, world!',
    'The quick brown fox jumps over the lazy dog.',
    'ALL CAPS SENTENCE WITH NUMBERS 12345 AND SYMBOLS #$%&',
    'emoji 🙂 and a family 👨‍👩‍👧‍👦 with zero-width joiners',
    '東京は日本の首都です。',
    '北京欢迎你',
    '서울은 한국의 수도입니다',
    'مرحبا بالعالم، هذا نص عربي',
    'שלום עולם',
    'Привет, мир! Это тест.',
    'Ελληνικά γράμματα',
    'control\u0001char\u0007acters\u001b[31m here',
    'tab\tand\nnewline\r\nmixed',
    'zero\u200bwidth\u200cspaces\u200d and \ufeffBOM',
    'combining marks: e\u0301 a\u0308 n\u0303 Z\u0337\u0336',
    "'; DROP TABLE sentences; --",
    '<script>alert("x")</script><b>bold</b>',
    'https://example.com/path?query=1&x=y',
    'café naïve résumé coöperate',
    '   leading and trailing spaces   ',
    'a',
    '!!!???...',
    'mixed 中文 English عربى 日本語',
    'supercalifragilisticexpialidocious antidisestablishmentarianism',
    '0123456789 3.14159 -42 1e10',
    'e-mail: someone@example.org, phone +1 (555) 010-9999',
    '\u00a0non-breaking\u00a0spaces\u00a0',
    'Ωmega ∑ ∫ √ ∞ ≠ ≤ ≥',
  ];
  const paragraph = 'This paragraph repeats so that it is far longer than any model accepts. ';
  const long = paragraph.repeat(Math.ceil(10_000 / paragraph.length)).slice(0, 10_000);
  const sentences = Array.from(
    { length: 20 },
    (_, i) => `Sentence ${i} talks about ${['rivers', 'stones', 'music', 'winter'][i % 4]} and ${i * 7} other things.`,
  );
  return [...base, long, ...sentences];
}
