/**
 * How well-known embedding models are meant to be used, for converted repositories (Xenova/…,
 * onnx-community/…) that ship the ONNX graph and tokenizer but not the sentence-transformers files
 * that say it. Keyed by the repository's name without its owner, so that the original, its Xenova/
 * and onnx-community/ conversions and a local folder of that name all match. Each entry follows its
 * model card (linked); the folder's own files, when present, and flags override it.
 */
import type { Pooling } from '../../common/output-profile.js';

export interface KnownModel {
  pooling: Pooling;
  /** Put before documents (what embed stores); '' for none. */
  documentPrompt: string;
  /** Put before search queries, recorded for whoever searches the vectors; '' for none. */
  queryPrompt: string;
  /** The model card, where the entry comes from. */
  card: string;
}

const bgeQuery = 'Represent this sentence for searching relevant passages: ';

const known: Record<string, KnownModel> = {
  'all-minilm-l6-v2': {
    pooling: 'mean',
    documentPrompt: '',
    queryPrompt: '',
    card: 'https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2',
  },
  'all-minilm-l12-v2': {
    pooling: 'mean',
    documentPrompt: '',
    queryPrompt: '',
    card: 'https://huggingface.co/sentence-transformers/all-MiniLM-L12-v2',
  },
  'all-mpnet-base-v2': {
    pooling: 'mean',
    documentPrompt: '',
    queryPrompt: '',
    card: 'https://huggingface.co/sentence-transformers/all-mpnet-base-v2',
  },
  'bge-small-en-v1.5': { pooling: 'cls', documentPrompt: '', queryPrompt: bgeQuery, card: 'https://huggingface.co/BAAI/bge-small-en-v1.5' },
  'bge-base-en-v1.5': { pooling: 'cls', documentPrompt: '', queryPrompt: bgeQuery, card: 'https://huggingface.co/BAAI/bge-base-en-v1.5' },
  'bge-large-en-v1.5': { pooling: 'cls', documentPrompt: '', queryPrompt: bgeQuery, card: 'https://huggingface.co/BAAI/bge-large-en-v1.5' },
  'bge-m3': { pooling: 'cls', documentPrompt: '', queryPrompt: '', card: 'https://huggingface.co/BAAI/bge-m3' },
  'e5-small-v2': {
    pooling: 'mean',
    documentPrompt: 'passage: ',
    queryPrompt: 'query: ',
    card: 'https://huggingface.co/intfloat/e5-small-v2',
  },
  'e5-base-v2': {
    pooling: 'mean',
    documentPrompt: 'passage: ',
    queryPrompt: 'query: ',
    card: 'https://huggingface.co/intfloat/e5-base-v2',
  },
  'e5-large-v2': {
    pooling: 'mean',
    documentPrompt: 'passage: ',
    queryPrompt: 'query: ',
    card: 'https://huggingface.co/intfloat/e5-large-v2',
  },
  'multilingual-e5-small': {
    pooling: 'mean',
    documentPrompt: 'passage: ',
    queryPrompt: 'query: ',
    card: 'https://huggingface.co/intfloat/multilingual-e5-small',
  },
  'multilingual-e5-base': {
    pooling: 'mean',
    documentPrompt: 'passage: ',
    queryPrompt: 'query: ',
    card: 'https://huggingface.co/intfloat/multilingual-e5-base',
  },
  'multilingual-e5-large': {
    pooling: 'mean',
    documentPrompt: 'passage: ',
    queryPrompt: 'query: ',
    card: 'https://huggingface.co/intfloat/multilingual-e5-large',
  },
  'gte-small': { pooling: 'mean', documentPrompt: '', queryPrompt: '', card: 'https://huggingface.co/thenlper/gte-small' },
  'gte-base': { pooling: 'mean', documentPrompt: '', queryPrompt: '', card: 'https://huggingface.co/thenlper/gte-base' },
  'nomic-embed-text-v1.5': {
    pooling: 'mean',
    documentPrompt: 'search_document: ',
    queryPrompt: 'search_query: ',
    card: 'https://huggingface.co/nomic-ai/nomic-embed-text-v1.5',
  },
  'snowflake-arctic-embed-s': {
    pooling: 'cls',
    documentPrompt: '',
    queryPrompt: bgeQuery,
    card: 'https://huggingface.co/Snowflake/snowflake-arctic-embed-s',
  },
  'snowflake-arctic-embed-m': {
    pooling: 'cls',
    documentPrompt: '',
    queryPrompt: bgeQuery,
    card: 'https://huggingface.co/Snowflake/snowflake-arctic-embed-m',
  },
  'mxbai-embed-large-v1': {
    pooling: 'cls',
    documentPrompt: '',
    queryPrompt: bgeQuery,
    card: 'https://huggingface.co/mixedbread-ai/mxbai-embed-large-v1',
  },
  'jina-embeddings-v2-small-en': {
    pooling: 'mean',
    documentPrompt: '',
    queryPrompt: '',
    card: 'https://huggingface.co/jinaai/jina-embeddings-v2-small-en',
  },
  'jina-embeddings-v2-base-en': {
    pooling: 'mean',
    documentPrompt: '',
    queryPrompt: '',
    card: 'https://huggingface.co/jinaai/jina-embeddings-v2-base-en',
  },
};

/** The entry for a model name (`Xenova/bge-small-en-v1.5`, `bge-small-en-v1.5`), if embed knows it. */
export function knownModel(name: string): KnownModel | undefined {
  const repository = name.split('/').pop()!.toLowerCase();
  return Object.hasOwn(known, repository) ? known[repository] : undefined;
}
