/**
 * Serves the contract, whatever carries it. It validates every request and every answer against
 * the zod schemas, so neither a bad client nor an engine bug can put an untyped value on the wire.
 */
import type { z } from 'zod';
import {
  commands,
  events,
  isCommandName,
  RequestFrame,
  type CommandErrorBody,
  type CommandName,
  type Commands,
  type CommandOutput,
  type EventFrame,
  type EventName,
  type ResponseFrame,
} from '../../shared/contract';
import type { Surface } from '../../shared/domain';
import type { EventBus } from '../bus';
import { CommandError } from '../errors';
import type { Logger } from '../observability/logger';

export interface CallContext {
  surface: Surface;
}

export type CommandHandlers = {
  [C in CommandName]: (
    input: z.output<Commands[C]['input']>,
    ctx: CallContext,
  ) => Promise<CommandOutput<C>> | CommandOutput<C>;
};

type RequestId = RequestFrame['id'] | null;

function fail(id: RequestId, code: CommandErrorBody['code'], message: string): ResponseFrame {
  return { id, ok: false, error: { code, message } };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
    .join('; ');
}

export class ContractServer {
  constructor(
    private readonly handlers: CommandHandlers,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  /** Answers one request object. Never throws: every failure becomes a typed error frame. */
  async dispatch(frame: unknown, ctx: CallContext): Promise<ResponseFrame> {
    const parsed = RequestFrame.safeParse(frame);
    if (!parsed.success) {
      const id = pickId(frame);
      return fail(id, 'BAD_FRAME', `a request is {id, cmd, input}: ${describeIssues(parsed.error)}`);
    }
    const { id, cmd, input } = parsed.data;
    if (!isCommandName(cmd)) return fail(id, 'UNKNOWN_COMMAND', `unknown command '${cmd}'`);
    return this.call(id, cmd, input, ctx);
  }

  /** For text transports: parses JSON first. */
  async dispatchText(text: string, ctx: CallContext): Promise<ResponseFrame> {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return fail(null, 'BAD_FRAME', 'frame is not valid JSON');
    }
    return this.dispatch(frame, ctx);
  }

  /** Every bus event, validated, as a wire frame. */
  subscribe(listener: (frame: EventFrame) => void): () => void {
    return this.bus.onAny((event: EventName, payload: unknown) => {
      const checked = events[event].safeParse(payload);
      if (!checked.success) {
        this.log.error(
          { event, issues: checked.error.issues },
          'engine emitted an event that fails the contract; dropped',
        );
        return;
      }
      listener({ event, payload: checked.data });
    });
  }

  private async call(id: RequestId, cmd: CommandName, rawInput: unknown, ctx: CallContext): Promise<ResponseFrame> {
    const spec = commands[cmd];
    const input = spec.input.safeParse(rawInput);
    if (!input.success) return fail(id, 'INVALID_INPUT', `${cmd}: ${describeIssues(input.error)}`);
    let result: unknown;
    try {
      const handler = this.handlers[cmd] as (input: unknown, ctx: CallContext) => unknown;
      result = await handler(input.data, ctx);
    } catch (err) {
      if (err instanceof CommandError) return fail(id, err.code, err.message);
      this.log.error({ err, cmd }, 'command handler failed');
      return fail(id, 'INTERNAL', `${cmd} failed inside the engine; see the log`);
    }
    const output = spec.output.safeParse(result);
    if (!output.success) {
      this.log.error({ cmd, issues: output.error.issues }, 'command output fails the contract');
      return fail(id, 'INTERNAL', `${cmd} produced an answer that fails the contract; see the log`);
    }
    return { id, ok: true, result: output.data };
  }
}

function pickId(frame: unknown): RequestId {
  if (frame && typeof frame === 'object' && 'id' in frame) {
    const id = (frame as { id: unknown }).id;
    if ((typeof id === 'string' && id.length <= 64) || (typeof id === 'number' && Number.isSafeInteger(id))) return id;
  }
  return null;
}
