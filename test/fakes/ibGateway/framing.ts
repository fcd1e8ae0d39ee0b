// TWS API framing (V100+ protocol), as spoken by IB Gateway and parsed by @stoqey/ib 1.6.10.
//
// After the handshake every message in both directions is a 4-byte big-endian payload length followed by
// the fields joined by NUL, with a trailing NUL. The client's tokenizer treats a last field without a
// trailing NUL as a fragment and holds it back, so the trailing NUL is not optional.

/** The raw prefix a V100+ client sends before its version range. */
export const API_PREFIX = 'API\0';

/** Values the TWS API uses for "unset". */
export const UNSET_DOUBLE = '1.7976931348623157E308';
export const UNSET_INTEGER = '2147483647';

export type WireValue = string | number | boolean | null | undefined;

/** Renders one field the way the Java/TS clients do: booleans as 1/0, null/undefined as empty. */
export function wireField(value: WireValue): string {
  if (value === true) return '1';
  if (value === false) return '0';
  if (value === null || value === undefined) return '';
  return String(value);
}

/** Encodes one framed message. */
export function encodeFrame(fields: readonly WireValue[]): Buffer {
  const payload = Buffer.from(fields.map(wireField).join('\0') + '\0', 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/** Splits a frame payload into fields, dropping the empty token after the trailing NUL. */
export function splitPayload(payload: Buffer): string[] {
  const tokens = payload.toString('utf8').split('\0');
  if (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
  return tokens;
}

export interface VersionRange {
  min: number;
  max: number;
  raw: string;
}

/** Parses `v100..193` (or a single `v100`). Returns undefined for anything else. */
export function parseVersionRange(raw: string): VersionRange | undefined {
  const match = /^v(\d+)(?:\.\.(\d+))?/.exec(raw);
  if (!match?.[1]) return undefined;
  const min = Number(match[1]);
  const max = match[2] ? Number(match[2]) : min;
  return { min, max, raw };
}

export type FrameEvent = { kind: 'handshake'; range: VersionRange | undefined } | { kind: 'message'; fields: string[] };

/** Largest payload the client itself accepts; anything bigger means the stream is garbage. */
const MAX_FRAME = 0xffffff;

/**
 * Incremental decoder for the client-to-gateway byte stream: first the `API\0` handshake, then frames.
 * TCP may split or merge writes arbitrarily, so bytes are buffered until a whole unit is present.
 */
export class ClientStreamReader {
  private buffer: Buffer = Buffer.alloc(0);
  private handshakeDone = false;

  /** Feeds bytes; returns every complete unit now available. Throws on a malformed stream. */
  push(chunk: Buffer): FrameEvent[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: FrameEvent[] = [];
    for (;;) {
      if (!this.handshakeDone) {
        if (this.buffer.length < API_PREFIX.length + 4) break;
        const prefix = this.buffer.subarray(0, API_PREFIX.length).toString('latin1');
        if (prefix !== API_PREFIX) throw new Error(`bad handshake prefix ${JSON.stringify(prefix)}`);
        const length = this.buffer.readUInt32BE(API_PREFIX.length);
        const end = API_PREFIX.length + 4 + length;
        if (this.buffer.length < end) break;
        const raw = this.buffer.subarray(API_PREFIX.length + 4, end).toString('utf8');
        this.buffer = this.buffer.subarray(end);
        this.handshakeDone = true;
        events.push({ kind: 'handshake', range: parseVersionRange(raw) });
        continue;
      }
      if (this.buffer.length < 4) break;
      const length = this.buffer.readUInt32BE(0);
      if (length > MAX_FRAME) throw new Error(`frame of ${length} bytes exceeds the protocol maximum`);
      if (this.buffer.length < 4 + length) break;
      const payload = this.buffer.subarray(4, 4 + length);
      this.buffer = this.buffer.subarray(4 + length);
      events.push({ kind: 'message', fields: splitPayload(payload) });
    }
    return events;
  }
}
