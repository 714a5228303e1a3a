/**
 * Relative links in markdown, checked the way GitHub renders them: a link names a file or folder of the
 * repository, relative to the page, and its `#anchor` names a heading of the target page by GitHub's
 * slug rules. Links inside code (fenced, indented or inline) are text, not links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface LinkCheck {
  /** Relative links found, broken or not. */
  checked: number;
  broken: BrokenLink[];
}

export interface BrokenLink {
  /** The page, relative to the root given. */
  file: string;
  line: number;
  link: string;
  reason: string;
}

export function checkLinks(root: string, files: readonly string[]): LinkCheck {
  const broken: BrokenLink[] = [];
  let checked = 0;
  for (const file of files) {
    const page = readFileSync(path.join(root, file), 'utf8');
    for (const { link, line } of relativeLinks(page)) {
      checked++;
      const reason = whyBroken(root, file, link);
      if (reason !== undefined) broken.push({ file, line, link, reason });
    }
  }
  return { checked, broken };
}

function whyBroken(root: string, file: string, link: string): string | undefined {
  const hash = link.indexOf('#');
  const target = decodeURIComponent(hash === -1 ? link : link.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(link.slice(hash + 1));
  const resolved = target === '' ? path.join(root, file) : path.join(root, path.dirname(file), target);
  if (!existsSync(resolved)) return `no file ${path.relative(root, resolved)}`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) return `#${anchor} points into a file that is not markdown`;
  if (!headingSlugs(readFileSync(resolved, 'utf8')).has(anchor)) return `no heading #${anchor} in ${path.relative(root, resolved)}`;
  return undefined;
}

/** The page with code blocks blanked out line for line, so that offsets still give line numbers. */
function prose(page: string): string[] {
  const lines = page.split('\n');
  let fence: string | undefined;
  let previousBlank = true;
  let inIndentedCode = false;
  return lines.map((line) => {
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (fenceMark !== undefined && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
      return '';
    }
    if (fenceMark !== undefined) {
      fence = fenceMark;
      return '';
    }
    const blank = line.trim() === '';
    // An indented code block cannot interrupt a paragraph: it starts after a blank line.
    inIndentedCode = /^( {4}|\t)/.test(line) && !blank && (previousBlank || inIndentedCode) ? true : blank ? inIndentedCode : false;
    previousBlank = blank;
    return inIndentedCode || blank ? '' : line;
  });
}

/** Links that are not absolute URLs, with the line each starts on. */
export function relativeLinks(page: string): { link: string; line: number }[] {
  // Inline code spans become spaces of the same length, newlines kept.
  const text = prose(page)
    .join('\n')
    .replace(/(`+)[\s\S]*?\1/g, (span) => span.replace(/[^\n]/g, ' '));
  const found: { link: string; line: number }[] = [];
  for (const match of text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const link = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
    found.push({ link, line: text.slice(0, match.index).split('\n').length });
  }
  return found;
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingSlugs(page: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(page)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = githubSlug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const notSource = new Set(['node_modules', 'dist', '.git', 'models', '.embed', '.demo', 'results']);

/** Every file of the repository's own folders, as paths relative to the root with forward slashes. */
export function repositoryFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    if (notSource.has(entry.name)) return [];
    const file = dir === '' ? entry.name : `${dir}/${entry.name}`;
    return entry.isDirectory() ? repositoryFiles(root, file) : [file];
  });
}

/**
 * Source files a page names in its text (`run/embed-loop.ts`, `encoder.ts`) that no file of the
 * repository ends with: names left behind by a move or a rename.
 */
export function missingFileNames(page: string, files: readonly string[]): string[] {
  // A pattern such as `*-sql.ts` names no file.
  const named = new Set((page.match(/\*?[\w./-]+\.(?:ts|cjs|js)\b/g) ?? []).filter((name) => !name.startsWith('*')));
  return [...named].filter((name) => !files.some((file) => file === name || file.endsWith(`/${name}`)));
}
