/**
 * The tiny model's own WordPiece vocabulary (bert-tokenizer-files.ts writes its files). Small enough to keep
 * the embedding table tiny, large enough that ordinary English mostly maps to whole words instead of letters.
 */

import { SPECIAL_TOKENS } from './bert-tokenizer-files.js';

export const LETTERS_AND_DIGITS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
export const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];

export const COMMON_WORDS = `
  the of and to in is was he for it with as his on be at by i this had not are but from or have an they
  which one you were her all she there would their we him been has when who will more no if out so said
  what up its about into than them can only other new some could time these two may then do first any my
  now such like our over man me even most made after also did many before must through back years where
  much your way well down should because each just those people how too little state good very make world
  still own see men work long get here between both life being under never day same another know while
  last might us great old year off come since against go came right used take three states himself few
  house use during without again place american around however home small found thought went say part
  once general high upon school every does got united left number course war until always away something
  fact though water less public put think almost hand enough far took head yet government system better
  set told nothing night end why called eyes find going look asked later knew point next city give
  group young let room president side social given present several order national possible rather second
  face per among form important often things looked early white case john become large big need four
  within felt along children saw best church ever least power development light thing seemed family
  interest want members mind country area others done turned although open god service certain kind
  problem began different door thus help sense means whole matter perhaps itself york times law human
  line above name example action company hands local show whether five history gave today either act
  feet across taken past quite anything seen having death week experience body word half really field
  hello world data table row rows column query database model embedding vector text sentence search
  index user users name email city price product order date test tests value values small large
`;

export const SUFFIXES = [
  's',
  'es',
  'ed',
  'ing',
  'ly',
  'er',
  'ers',
  'est',
  'ion',
  'tion',
  'ment',
  'ness',
  'able',
  'ful',
  'less',
  'al',
  'ity',
  'ize',
  'y',
  'en',
];

function buildVocabulary(): string[] {
  // A Set, so that a token listed twice keeps its first id.
  const tokens = new Set<string>(SPECIAL_TOKENS);
  for (const c of [...LETTERS_AND_DIGITS, ...PUNCTUATION]) tokens.add(c);
  // Only letters and digits get '##' forms: the BERT pre-tokenizer always splits punctuation off into a
  // word of its own, so a '##' punctuation piece could never be used.
  for (const c of LETTERS_AND_DIGITS) tokens.add(`##${c}`);
  for (const word of COMMON_WORDS.trim().split(/\s+/)) tokens.add(word);
  for (const suffix of SUFFIXES) tokens.add(`##${suffix}`);
  return [...tokens];
}

export const TINY_VOCABULARY: readonly string[] = buildVocabulary();
