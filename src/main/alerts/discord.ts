import type { AlertLevel } from '../../shared/domain';
import { summaryLine, type Delivery } from './webhook';

/** Embed side colours (decimal RGB, as Discord wants). */
export const DISCORD_COLOR: Record<AlertLevel, number> = { info: 0x1e88e5, warning: 0xfb8c00, critical: 0xe53935 };

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A Discord webhook message. Limits: content 2000, embed title 256, description 4096 characters.
 * `allowed_mentions` is empty so an alert text containing @everyone pings nobody.
 */
export function discordPayload(d: Delivery) {
  const { alert } = d;
  const description = [alert.message, summaryLine(d)].filter(Boolean).join('\n');
  return {
    content: clip(`**${alert.level.toUpperCase()}**: ${alert.title}`, 2000),
    embeds: [
      {
        title: clip(alert.title, 256),
        description: clip(description, 4096),
        color: DISCORD_COLOR[alert.level],
        timestamp: new Date(alert.ts).toISOString(),
        footer: { text: clip(`kestrel ${d.version} · ${alert.kind}${alert.symbol ? ` · ${alert.symbol}` : ''}`, 2048) },
      },
    ],
    allowed_mentions: { parse: [] as string[] },
  };
}
