/** An error whose message is written for the reader and shown inside the widget as is. */
export class WidgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WidgetError';
  }
}

/** Thrown by `ctx.tick()` after Stop; the base turns it into the idle state with "Stopped". */
export class StoppedError extends Error {
  constructor() {
    super('Stopped');
    this.name = 'StoppedError';
  }
}
