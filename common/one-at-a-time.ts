/** Runs asynchronous work one piece at a time, in call order; a piece that fails does not stop the next. */
export class OneAtATime {
  private last: Promise<unknown> = Promise.resolve();

  inTurn<T>(work: () => T | Promise<T>): Promise<T> {
    const done = this.last.then(work);
    this.last = done.catch(() => undefined);
    return done;
  }
}
