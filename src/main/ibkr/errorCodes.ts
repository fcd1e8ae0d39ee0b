/**
 * What an IB error code means for an order. IB reports rejections and cancels as errors on the
 * order id (order status has no "Rejected"), connectivity as id -1 notices on `info`, and a long
 * tail of warnings that change nothing. Anything not listed is logged, never acted on.
 */

export type IbCodeKind = 'rejection' | 'cancel' | 'connectivity' | 'information' | 'cancelRefused' | 'warning';

/** 201 is IB's order rejection; the rest also end an order that never started working. */
const REJECTION = new Set([
  103, // duplicate order id
  110, // price does not conform to the minimum tick
  200, // no security definition found
  201, // order rejected
  203, // security not available or not allowed for this account
  321, // error validating request (bad account, bad field)
  322, // error processing request
]);
const CANCEL = new Set([202]);
/** A cancel that could not happen: the order is unknown, done, or already cancelled. */
const CANCEL_REFUSED = new Set([10147, 10148, 161]);
/** 1100 lost, 1101 restored with data lost, 1102 restored, 2110 TWS-to-server link broken. */
export const CONNECTIVITY_CODES = new Set([1100, 1101, 1102, 2110]);
/** Farm notices: market data, HMDS and sec-def farms OK. */
const INFORMATION = new Set([2104, 2106, 2158, 2107, 2108, 2119]);

export function classifyIbCode(code: number): IbCodeKind {
  if (REJECTION.has(code)) return 'rejection';
  if (CANCEL.has(code)) return 'cancel';
  if (CANCEL_REFUSED.has(code)) return 'cancelRefused';
  if (CONNECTIVITY_CODES.has(code)) return 'connectivity';
  if (INFORMATION.has(code)) return 'information';
  return 'warning';
}
