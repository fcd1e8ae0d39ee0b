import type { ErrorCode } from '../shared/contract';

/** An expected refusal: the transports turn it into a typed `{code, message}` the UI can show. */
export class CommandError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}
