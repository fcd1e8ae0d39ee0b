/** A raw contract client over WebSocket for tests: sends frames, collects replies and events. */
import WebSocket from 'ws';

export interface Reply {
  id: string | number | null;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

export class WsContractClient {
  readonly events: { event: string; payload: unknown }[] = [];
  private readonly replies: Reply[] = [];
  private waiters: (() => void)[] = [];
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Reply | { event: string; payload: unknown };
      if ('event' in frame) this.events.push(frame);
      else this.replies.push(frame);
      const w = this.waiters;
      this.waiters = [];
      w.forEach((f) => f());
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<WsContractClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new WsContractClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Sends a raw text frame and waits for the next reply with a matching id (or id null). */
  async sendRaw(text: string | Buffer, expectId: string | number | null = null, timeoutMs = 5000): Promise<Reply> {
    this.ws.send(text);
    return this.waitReply((r) => r.id === expectId, timeoutMs);
  }

  async call(cmd: string, input?: unknown): Promise<Reply> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, cmd, input }));
    return this.waitReply((r) => r.id === id);
  }

  async waitReply(match: (r: Reply) => boolean, timeoutMs = 5000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.replies.findIndex(match);
      if (i >= 0) return this.replies.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error('no matching reply in time');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  async waitEvent(name: string, timeoutMs = 5000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find((x) => x.event === name);
      if (e) return e.payload;
      if (Date.now() > deadline) throw new Error(`no ${name} event in time`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.ws.close();
  }
}
