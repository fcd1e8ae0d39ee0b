import { describe, expect, it } from 'vitest';
import { decideWindowOpen, externalLink, isAllowedNavigation } from '../../src/main/electron/navigation';

describe('window.open', () => {
  it('never opens an Electron window; http(s) links go to the system browser', () => {
    expect(decideWindowOpen('https://www.interactivebrokers.com/en/trading/ib-api.php')).toEqual({
      action: 'deny',
      openExternal: 'https://www.interactivebrokers.com/en/trading/ib-api.php',
    });
    expect(decideWindowOpen('http://example.com/x?y=1#z')).toEqual({
      action: 'deny',
      openExternal: 'http://example.com/x?y=1#z',
    });
  });

  it('hands nothing but http(s) to the OS', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'app://kestrel/index.html',
      'smb://attacker/share',
      'ms-msdt:/id PCWDiagnostic',
      'vscode://file/tmp/x',
      'about:blank',
      '',
      'not a url',
      '//example.com/protocol-relative',
    ]) {
      expect(decideWindowOpen(url), url).toEqual({ action: 'deny', openExternal: null });
    }
  });

  it('refuses links with credentials in them', () => {
    expect(externalLink('https://user:pass@example.com/')).toBeNull();
    expect(externalLink('https://bank.example@evil.example/')).toBeNull();
  });

  it('normalises what it hands over', () => {
    expect(externalLink('HTTPS://Example.COM')).toBe('https://example.com/');
  });
});

describe('in-place navigation', () => {
  const own = ['app://kestrel'];

  it('stays on our own origin', () => {
    expect(isAllowedNavigation('app://kestrel/index.html', own)).toBe(true);
    expect(isAllowedNavigation('app://kestrel/index.html#/backtests', own)).toBe(true);
  });

  it('denies every other origin, look-alikes included', () => {
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:7431/',
      'app://kestrel.evil/index.html',
      'app://kestrelx/',
      'app://evil/kestrel',
      'file:///tmp/index.html',
      'javascript:alert(1)',
      'about:blank',
      'garbage',
    ]) {
      expect(isAllowedNavigation(url, own), url).toBe(false);
    }
  });

  it('allows the dev server only when it is listed (dev runs)', () => {
    const dev = ['app://kestrel', 'http://localhost:5173/'];
    expect(isAllowedNavigation('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/', dev)).toBe(false);
    expect(isAllowedNavigation('http://localhost:5173/', own)).toBe(false);
  });
});
