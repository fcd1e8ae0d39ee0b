/** Error codes and the client-side error, free of zod so the sandboxed preload stays tiny. */
export const ERROR_CODES = [
  'BAD_FRAME', // not JSON, or not a {id, cmd, input} object
  'UNKNOWN_COMMAND',
  'INVALID_INPUT', // input failed the command's schema
  'INVALID_STATE', // not allowed in the current state (e.g. re-arm while ACTIVE)
  'DENIED', // a safety rule refused it; the message says which
  'UNAVAILABLE', // the engine is starting or stopping, the link is down, or storage failed
  'INTERNAL', // a bug: the engine logged it
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Raised on the client side when the engine answered with a typed error. */
export class KestrelError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KestrelError';
  }
}

/** Fixed Electron IPC channels; the preload exposes nothing else. */
export const IPC_COMMAND_CHANNEL = 'kestrel:command';
export const IPC_EVENT_CHANNEL = 'kestrel:event';
