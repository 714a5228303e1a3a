/**
 * Passwords never reach the terminal: every message the entry point prints, and every driver message
 * quoted in one, goes through hideSecrets first. The secrets are the password of any connection URL the
 * process was given (flag or DATABASE_URL), the URL itself, and PGPASSWORD.
 */
export function secretsIn(values: readonly (string | undefined)[], env: NodeJS.ProcessEnv = process.env): string[] {
  const secrets = new Set<string>();
  if (env.PGPASSWORD) secrets.add(env.PGPASSWORD);
  for (const value of [...values, env.DATABASE_URL]) {
    if (!value?.includes('://')) continue;
    try {
      const url = new URL(value);
      if (url.password) {
        secrets.add(url.password);
        secrets.add(decodeURIComponent(url.password));
        secrets.add(value);
      }
    } catch {
      // Not a URL: it holds no password of ours.
    }
  }
  // Longest first, so that a URL is hidden whole before the password inside it.
  return [...secrets].filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
}

export function hideSecrets(text: string, secrets: readonly string[]): string {
  let hidden = text;
  for (const secret of secrets) hidden = hidden.split(secret).join('***');
  return hidden;
}
