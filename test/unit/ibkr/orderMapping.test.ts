import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../../src/main/execution/types';
import { classifyIbCode } from '../../../src/main/ibkr/errorCodes';
import {
  ibFilterTime,
  meaningOfIbStatus,
  parseIbExecTime,
  sideFromIb,
  toIbOrder,
  validateOrderRequest,
} from '../../../src/main/ibkr/orderMapping';

const base: OrderRequest = {
  clientOrderId: 'k-1',
  symbol: 'AAPL',
  side: 'BUY',
  quantity: 10,
  type: 'LMT',
  limitPrice: 190.5,
  tif: 'DAY',
  mode: 'live',
  origin: 'manual',
  ts: 0,
};

describe('IB order mapping', () => {
  it('always transmits and carries the clientOrderId as orderRef', () => {
    expect(toIbOrder(base, 'DU1')).toEqual({
      action: 'BUY',
      totalQuantity: 10,
      orderType: 'LMT',
      lmtPrice: 190.5,
      tif: 'DAY',
      orderRef: 'k-1',
      transmit: true,
      account: 'DU1',
    });
    const mkt = toIbOrder({ ...base, type: 'MKT', limitPrice: undefined, side: 'SELL', tif: 'IOC' }, undefined);
    expect(mkt).toMatchObject({ action: 'SELL', orderType: 'MKT', tif: 'IOC', transmit: true });
    expect(mkt).not.toHaveProperty('lmtPrice');
    expect(mkt).not.toHaveProperty('account');
  });

  it('refuses bad requests with a reason', () => {
    expect(validateOrderRequest(base)).toBeNull();
    expect(validateOrderRequest({ ...base, quantity: 0 })).toMatch(/quantity 0/);
    expect(validateOrderRequest({ ...base, quantity: 1.5 })).toMatch(/whole number/);
    expect(validateOrderRequest({ ...base, limitPrice: undefined })).toMatch(/limit price/);
    expect(validateOrderRequest({ ...base, type: 'MKT' })).toMatch(/market order takes no limit price/);
    expect(validateOrderRequest({ ...base, symbol: 'aapl; DROP' })).toMatch(/not a stock symbol/);
    expect(validateOrderRequest({ ...base, clientOrderId: '' })).toMatch(/clientOrderId/);
  });

  it('reads IB sides, statuses and execution times', () => {
    expect([sideFromIb('BOT'), sideFromIb('SLD'), sideFromIb('SELL'), sideFromIb('?')]).toEqual([
      'BUY',
      'SELL',
      'SELL',
      null,
    ]);
    expect(
      [
        'PreSubmitted',
        'Submitted',
        'PendingCancel',
        'Cancelled',
        'ApiCancelled',
        'Filled',
        'Inactive',
        'PendingSubmit',
        'x',
      ].map(meaningOfIbStatus),
    ).toEqual([
      'working',
      'working',
      'cancelPending',
      'canceled',
      'canceled',
      'filled',
      'inactive',
      'pending',
      'unknown',
    ]);
    // 2026-01-02 10:00:05 New York (EST, UTC-5) = 15:00:05 UTC.
    const utc = Date.UTC(2026, 0, 2, 15, 0, 5);
    expect(parseIbExecTime('20260102 10:00:05 US/Eastern')).toBe(utc);
    expect(parseIbExecTime('20260102  10:00:05')).toBe(utc);
    expect(parseIbExecTime('20260102-15:00:05 UTC')).toBe(utc);
    expect(parseIbExecTime('20260102 10:00:05 Europe/Paris')).toBeNull();
    expect(parseIbExecTime('garbage')).toBeNull();
    expect(ibFilterTime(utc + 999)).toBe('20260102-15:00:05');
  });

  it('classifies IB error codes', () => {
    expect(classifyIbCode(201)).toBe('rejection');
    expect(classifyIbCode(202)).toBe('cancel');
    expect([1100, 1101, 1102, 2110].map(classifyIbCode)).toEqual(Array(4).fill('connectivity'));
    expect([2104, 2106, 2158].map(classifyIbCode)).toEqual(Array(3).fill('information'));
    expect(classifyIbCode(10148)).toBe('cancelRefused');
    expect(classifyIbCode(399)).toBe('warning');
  });
});
