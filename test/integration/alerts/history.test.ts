/**
 * Through the Engine: the alert history survives a restart, acks and unread counts, paging, bad
 * ids, and a channel from kestrel.config.json receiving the kill-switch alert and a test-send.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/main/clock';
import { CONFIG_FILE, resolveConfig } from '../../../src/main/config';
import { Engine } from '../../../src/main/engine';
import { silentLogger } from '../../../src/main/observability/logger';
import type { CommandInput, CommandName, CommandOutput } from '../../../src/shared/contract';
import { tempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function engine(dataDir: string): Engine {
  const config = resolveConfig({
    flags: { dataDir, port: 0 },
    env: { KESTREL_SYNTHETIC_SESSIONS: 'always', KESTREL_BACKFILL: 'off', KESTREL_PROVIDERS: 'synthetic' },
  });
  const e = new Engine({ config, clock: new SystemClock(), log: silentLogger(), host: 'headless' });
  cleanups.push(() => e.stop());
  return e;
}

let reqId = 0;
async function call<C extends CommandName>(e: Engine, cmd: C, input?: CommandInput<C>): Promise<CommandOutput<C>> {
  const res = await e.server.dispatch({ id: ++reqId, cmd, input }, { surface: 'ui-ws' });
  if (!res.ok) throw Object.assign(new Error(res.error.message), { code: res.error.code });
  return res.result as CommandOutput<C>;
}

describe('alert history through the engine', () => {
  it('survives a restart, pages newest first, and counts unread until acknowledged', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const first = engine(t.dir);
    await call(first, 'engageKillSwitch', { reason: 'drill' });
    first.alerts.raise('warning', 'Failover NVDA', 'polygon → alpaca', { kind: 'failover', symbol: 'NVDA' });
    first.alerts.raise('info', 'Note', 'n');
    await first.stop();

    const second = engine(t.dir);
    const h = await call(second, 'listAlerts', {});
    expect(h.alerts.map((a) => a.title)).toEqual(['Note', 'Failover NVDA', 'Kill switch engaged']);
    expect(h.alerts[1]).toMatchObject({ kind: 'failover', symbol: 'NVDA', level: 'warning', ackedAt: null });
    expect(h.alerts[2]).toMatchObject({ kind: 'killSwitch', level: 'critical', message: 'drill' });
    expect(h.unread).toBe(3);
    // The snapshot's alert centre shows them too, oldest first.
    const snap = await call(second, 'getSnapshot');
    expect(snap.alerts.map((a) => a.title)).toEqual(['Kill switch engaged', 'Failover NVDA', 'Note']);

    const page = await call(second, 'listAlerts', { limit: 1, before: h.alerts[0]!.id });
    expect(page.alerts.map((a) => a.title)).toEqual(['Failover NVDA']);
    expect(await call(second, 'ackAlert', { id: h.alerts[2]!.id })).toEqual({ unread: 2 });
    // Trading was latched HALTED across the restart: that alert joins the history on start.
    second.start();
    expect(await call(second, 'ackAllAlerts')).toEqual({ acked: 3, unread: 0 });
    await second.stop();

    const third = engine(t.dir);
    const after = await call(third, 'listAlerts');
    expect(after.unread).toBe(0);
    expect(after.alerts[0]).toMatchObject({ title: 'Trading is HALTED', kind: 'killSwitch' });
    expect(after.alerts.every((a) => a.ackedAt !== null)).toBe(true);
  });

  it('refuses unknown ids and bad paging input with INVALID_INPUT, changing nothing', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const e = engine(t.dir);
    e.alerts.raise('warning', 'A', 'a');
    await expect(call(e, 'ackAlert', { id: 'nope' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(call(e, 'listAlerts', { before: 'nope' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(call(e, 'listAlerts', { limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(call(e, 'testAlertChannel', { index: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('0 configured'),
    });
    expect((await call(e, 'listAlerts')).unread).toBe(1);
  });
});

describe('alert channels from the config file', () => {
  it('sends the kill-switch alert to a configured webhook, test-sends, and keeps the URL out of /healthz', async () => {
    const got: Record<string, unknown>[] = [];
    const server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        got.push(JSON.parse(data));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/secret-path-123`;

    const t = tempDir();
    cleanups.push(t.cleanup);
    fs.writeFileSync(
      path.join(t.dir, CONFIG_FILE),
      JSON.stringify({ alerts: { channels: [{ type: 'webhook', url, minLevel: 'critical', kinds: ['killSwitch'] }] } }),
    );
    const e = engine(t.dir);
    e.alerts.raise('critical', 'Bar storage failed', 'disk full', { kind: 'storage' }); // not routed here
    await call(e, 'engageKillSwitch', { reason: 'drill' });
    await waitFor(() => got.length === 1, 5000);
    expect(got[0]).toMatchObject({
      kind: 'killSwitch',
      level: 'critical',
      title: 'Kill switch engaged',
      app: 'kestrel',
    });

    expect(await call(e, 'testAlertChannel', { index: 0 })).toMatchObject({ ok: true, status: 204, error: null });
    expect(got).toHaveLength(2);
    const channels = await call(e, 'getAlertChannels');
    expect(channels).toMatchObject([{ index: 0, type: 'webhook', sent: 1, failed: 0, kinds: ['killSwitch'] }]);
    const visible = JSON.stringify([channels, e.health(), await e.metrics.text()]);
    expect(visible).not.toContain('secret-path-123');
    expect(await e.metrics.text()).toContain('kestrel_alert_channel_events{channel="0:webhook",outcome="sent"} 1');
  });

  it('refuses a config file with a bad channel, naming the field', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    fs.writeFileSync(
      path.join(t.dir, CONFIG_FILE),
      JSON.stringify({ alerts: { channels: [{ type: 'teams', url: 'ftp://x/y' }] } }),
    );
    expect(() => engine(t.dir)).toThrow(/alerts\.channels\.0\.type/);
    fs.writeFileSync(
      path.join(t.dir, CONFIG_FILE),
      JSON.stringify({ alerts: { channels: [{ type: 'slack', url: 'ftp://x/y' }] } }),
    );
    expect(() => engine(t.dir)).toThrow(/http:\/\/ or https:\/\//);
  });
});
