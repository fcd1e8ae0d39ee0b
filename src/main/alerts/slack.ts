import type { AlertLevel } from '../../shared/domain';
import { summaryLine, type Delivery } from './webhook';

const EMOJI: Record<AlertLevel, string> = {
  info: ':information_source:',
  warning: ':warning:',
  critical: ':rotating_light:',
};

/** Slack mrkdwn treats &, < and > as control characters: alert text must not make links or mentions. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's section text limit is 3000 characters. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A Slack incoming-webhook message: `text` for notifications and old clients, `blocks` for the channel. */
export function slackPayload(d: Delivery) {
  const { alert } = d;
  const head = `${EMOJI[alert.level]} *${alert.level.toUpperCase()}: ${slackEscape(alert.title)}*`;
  const summary = summaryLine(d);
  const body = clip([slackEscape(alert.message), summary].filter(Boolean).join('\n'), 2900);
  const context = [
    `kestrel ${d.version}`,
    alert.kind,
    ...(alert.symbol ? [alert.symbol] : []),
    new Date(alert.ts).toISOString(),
  ];
  return {
    text: clip(`${alert.level.toUpperCase()}: ${slackEscape(alert.title)}`, 3000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(`${head}\n${body}`, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(context.join(' · ')) }] },
    ],
  };
}
