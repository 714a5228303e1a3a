/**
 * The tokenizer files of an uncased BERT WordPiece tokenizer, for any vocabulary, in the Hugging Face
 * layout that transformers.js reads: tokenizer.json (what BertTokenizerFast saves), tokenizer_config.json,
 * special_tokens_map.json and vocab.txt.
 */

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export const SPECIAL_TOKENS_MAP = {
  cls_token: '[CLS]',
  mask_token: '[MASK]',
  pad_token: '[PAD]',
  sep_token: '[SEP]',
  unk_token: '[UNK]',
};

const templatePiece = (kind: 'SpecialToken' | 'Sequence', id: string, typeId: number) => ({
  [kind]: { id, type_id: typeId },
});

export function bertTokenizerJson(vocabulary: readonly string[]): object {
  const ids = new Map(vocabulary.map((token, id) => [token, id]));
  const tokenId = (token: string): number => {
    const id = ids.get(token);
    if (id === undefined) throw new Error(`the vocabulary lacks ${token}`);
    return id;
  };
  const specialToken = (content: string) => ({
    id: tokenId(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    // In id order, as the tokenizers library saves them.
    added_tokens: [...SPECIAL_TOKENS].sort((a, b) => tokenId(a) - tokenId(b)).map(specialToken),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [templatePiece('SpecialToken', '[CLS]', 0), templatePiece('Sequence', 'A', 0), templatePiece('SpecialToken', '[SEP]', 0)],
      pair: [
        templatePiece('SpecialToken', '[CLS]', 0),
        templatePiece('Sequence', 'A', 0),
        templatePiece('SpecialToken', '[SEP]', 0),
        templatePiece('Sequence', 'B', 1),
        templatePiece('SpecialToken', '[SEP]', 1),
      ],
      special_tokens: Object.fromEntries((['[CLS]', '[SEP]'] as const).map((t) => [t, { id: t, ids: [tokenId(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(ids),
    },
  };
}

export function bertTokenizerConfig(modelMaxLength: number): object {
  return {
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: modelMaxLength,
    never_split: null,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  };
}

export const vocabTxt = (vocabulary: readonly string[]): string => `${vocabulary.join('\n')}\n`;
