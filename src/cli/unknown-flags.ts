/**
 * yargs' own words for a command line it cannot take ("Unknown arguments: text-colum", "Not enough
 * non-option arguments: got 0, need at least 1") said the way a user reads them: the flag as typed, the
 * flag meant when one is close, and what a missing argument is.
 */

/** Edits (insert, delete, replace one letter, or swap two neighbours) from one word to another. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known flag a mistyped one most likely meant: a prefix of it, or a few edits away. */
export function closestFlag(typed: string, known: readonly string[]): string | undefined {
  const prefixed = known.filter((flag) => flag.startsWith(typed));
  if (typed.length >= 3 && prefixed.length === 1) return prefixed[0];
  const allowed = Math.max(1, Math.floor(typed.length / 4));
  const ranked = known.map((flag) => ({ flag, edits: distance(typed, flag) })).filter(({ edits }) => edits <= allowed);
  ranked.sort((x, y) => x.edits - y.edits || x.flag.localeCompare(y.flag));
  return ranked[0]?.flag;
}

/** The flags of each command: `embed` itself under '', and the commands that read or forget a job. */
export type FlagsByCommand = Record<string, readonly string[]>;

/** The message for a yargs failure, or undefined to keep yargs' own. */
export function explainParseFailure(message: string, argv: readonly string[], flags: FlagsByCommand): string | undefined {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const command = argv[0] !== undefined && argv[0] !== '' && Object.hasOwn(flags, argv[0]) ? argv[0] : '';
    const known = flags[command] ?? [];
    const usage = command === '' ? 'embed <table> [batchSize]' : `embed ${command} <table>`;
    const typedFlags = new Set(argv.filter((arg) => arg.startsWith('-')).map((arg) => arg.replace(/^-+/, '').split('=')[0]!));
    return unknown[1]!
      .split(', ')
      .map((name) => {
        if (!typedFlags.has(name)) return `unexpected argument "${name}": ${usage} takes flags after that`;
        const elsewhere = Object.keys(flags).find((other) => other !== command && flags[other]!.includes(name));
        if (elsewhere !== undefined)
          return `--${name} is an option of ${elsewhere === '' ? 'embed <table>' : `embed ${elsewhere}`}, not of ${usage}`;
        const meant = closestFlag(name, known);
        return `unknown option ${name.length === 1 ? '-' : '--'}${name}${meant === undefined ? '' : `; did you mean --${meant}?`}`;
      })
      .join('; ');
  }
  if (/^Not enough non-option arguments/.test(message)) {
    if (argv[0] === 'search') return 'which table, and what text? give both: embed search <table> "text" [options]';
    const command = ['status', 'failures', 'reset'].includes(argv[0] ?? '') ? `${argv[0]} <table>` : '<table> [batchSize]';
    return `which table? give it first: embed ${command} [options]`;
  }
  return undefined;
}
