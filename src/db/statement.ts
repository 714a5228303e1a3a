/**
 * A named SQL statement: its text and its parameters, built by a function of one `*-sql.ts` file per
 * concept (the architecture test keeps SQL text in those files). Run as `client.query(s.text, s.values)`.
 */
export interface Statement {
  text: string;
  values?: unknown[];
}
