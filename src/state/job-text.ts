/** What a recorded job reads of each row (JobIdentity: its text column or its --text template), in words. */
import type { JobIdentity } from './job-state.js';

/** What a job reads of each row, as one string: its text column, or its template. */
export function jobText(identity: Pick<JobIdentity, 'textColumn' | 'text'>): string {
  return identity.text ?? identity.textColumn ?? '';
}

/** The job's text as status shows it: the column, or `--text '<template>'`. */
export function shownJobText(identity: Pick<JobIdentity, 'textColumn' | 'text'>): string {
  return identity.text === undefined ? jobText(identity) : `--text '${identity.text}'`;
}
