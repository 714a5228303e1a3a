/**
 * A watcher outlives many changes to its database, and some end it: the source table dropped, or its
 * id or text column (any column of a --text template) dropped, renamed or given another type. Before each
 * look the table's oid and those columns' types are compared with those at start (one catalog query); any difference stops the watcher
 * with one line saying what happened.
 */
import type pg from 'pg';
import { DatabaseError } from '../../common/errors.js';
import { sqlstate } from '../../common/batch-failure.js';
import type { SourceTable } from '../source/source-table.js';
import { textColumnsOf } from '../source/source-text.js';
import { tableShapeSql } from './watch-sql.js';

interface Shape {
  oid: string;
  /** The types of the id column and the text's columns (watchedColumns), null for a column gone. */
  types: (string | null)[];
}

/** The id column, then the columns of the text. */
function watchedColumns(source: SourceTable): string[] {
  return [source.idColumn, ...textColumnsOf(source.text)];
}

async function shapeOf(client: pg.ClientBase, source: SourceTable): Promise<Shape | undefined> {
  const shape = tableShapeSql(source.sql, watchedColumns(source));
  const result = await client.query<Shape>(shape.text, shape.values);
  return result.rows[0];
}

export class SourceGuard {
  private constructor(
    private readonly source: SourceTable,
    private readonly atStart: Shape,
  ) {}

  static async start(client: pg.ClientBase, source: SourceTable): Promise<SourceGuard> {
    const shape = await shapeOf(client, source);
    if (!shape) throw new DatabaseError(`table ${source.sql} does not exist; check the name and schema`, { code: 'SOURCE' });
    return new SourceGuard(source, shape);
  }

  /** Throws the one line to print when the table is not the one the watcher started on. */
  async check(client: pg.ClientBase): Promise<void> {
    const now = await shapeOf(client, this.source);
    const { sql } = this.source;
    const stop = (what: string) =>
      new DatabaseError(
        `table ${sql} ${what}; stopped watching (progress is saved): start embed watch again once the table is as it should be`,
        {
          code: 'SOURCE',
        },
      );
    if (!now || now.oid !== this.atStart.oid) throw stop(now ? 'was dropped and created again' : 'was dropped');
    for (const [i, column] of watchedColumns(this.source).entries()) {
      const before = this.atStart.types[i] ?? null;
      const after = now.types[i] ?? null;
      if (after === null) throw stop(`lost its column "${column}" (dropped or renamed)`);
      if (after !== before) throw stop(`was altered: column "${column}" is now ${after}, was ${before}`);
    }
  }
}

/** Errors a pass meets when the table changes under it (undefined table, column, or a changed type). */
export function mayBeAlteredTable(error: unknown): boolean {
  const state = sqlstate(error);
  return state === '42P01' || state === '42703' || state === '42804' || state === '0A000' || state === '42883';
}
