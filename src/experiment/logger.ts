/** Where warnings go (failed trials, dropped torn records, lock takeovers, a scheduler's retries). */
export interface Logger {
  warn(message: string): void;
}

/** The default: `process.emitWarning(message, 'MoboWarning')`. */
export const defaultLogger: Logger = { warn: (message) => process.emitWarning(message, 'MoboWarning') };
