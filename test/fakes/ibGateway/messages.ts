// Message ids and layouts at server version 193, checked field by field against the @stoqey/ib 1.6.10
// decoder (dist/core/io/decoder.js) and encoder (dist/core/io/encoder.js). The decoder is strict: an
// extra field raises error 505 and a missing one drops the message, so every builder below emits exactly
// the fields that decoder reads, in its order.
import type { WireValue } from './framing';
import { UNSET_DOUBLE, UNSET_INTEGER } from './framing';

/** The server version the fake negotiates; every layout in this file assumes it. */
export const SERVER_VERSION = 193;

/** Client-to-gateway message ids. */
export const ClientMsg = {
  REQ_MKT_DATA: 1,
  CANCEL_MKT_DATA: 2,
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_OPEN_ORDERS: 5,
  REQ_ACCOUNT_DATA: 6,
  REQ_EXECUTIONS: 7,
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_AUTO_OPEN_ORDERS: 15,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_MANAGED_ACCTS: 17,
  REQ_HISTORICAL_DATA: 20,
  CANCEL_HISTORICAL_DATA: 25,
  REQ_CURRENT_TIME: 49,
  REQ_REAL_TIME_BARS: 50,
  CANCEL_REAL_TIME_BARS: 51,
  REQ_GLOBAL_CANCEL: 58,
  REQ_MARKET_DATA_TYPE: 59,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  CANCEL_ACCOUNT_SUMMARY: 63,
  CANCEL_POSITIONS: 64,
  START_API: 71,
  REQ_COMPLETED_ORDERS: 99,
} as const;

/** Gateway-to-client message ids. */
export const GatewayMsg = {
  TICK_PRICE: 1,
  TICK_SIZE: 2,
  ORDER_STATUS: 3,
  ERR_MSG: 4,
  OPEN_ORDER: 5,
  NEXT_VALID_ID: 9,
  EXECUTION_DATA: 11,
  MANAGED_ACCTS: 15,
  HISTORICAL_DATA: 17,
  CURRENT_TIME: 49,
  REAL_TIME_BARS: 50,
  OPEN_ORDER_END: 53,
  EXECUTION_DATA_END: 55,
  MARKET_DATA_TYPE: 58,
  COMMISSION_REPORT: 59,
  POSITION_DATA: 61,
  POSITION_END: 62,
  ACCOUNT_SUMMARY: 63,
  ACCOUNT_SUMMARY_END: 64,
  TICK_REQ_PARAMS: 81,
} as const;

const clientMsgNames = new Map<number, string>(Object.entries(ClientMsg).map(([name, id]) => [id, name]));
const gatewayMsgNames = new Map<number, string>(Object.entries(GatewayMsg).map(([name, id]) => [id, name]));

export function clientMsgName(id: number): string {
  return clientMsgNames.get(id) ?? `UNKNOWN_${id}`;
}

export function gatewayMsgName(id: number): string {
  return gatewayMsgNames.get(id) ?? `UNKNOWN_${id}`;
}

/** Tick types the fake emits (TWS API TickType numbering). */
export const TickTypeId = { BID_SIZE: 0, BID: 1, ASK: 2, ASK_SIZE: 3, LAST: 4, LAST_SIZE: 5, VOLUME: 8 } as const;

export type OrderStatusName = 'PreSubmitted' | 'Submitted' | 'Filled' | 'Cancelled' | 'Inactive';

export interface FakeContract {
  conId: number;
  symbol: string;
  secType: string;
  lastTradeDate: string;
  strike: string;
  right: string;
  multiplier: string;
  exchange: string;
  primaryExch: string;
  currency: string;
  localSymbol: string;
  tradingClass: string;
}

export interface FakeOrder {
  orderId: number;
  clientId: number;
  permId: number;
  contract: FakeContract;
  action: string;
  totalQty: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  account: string;
  orderRef: string;
  transmit: boolean;
  parentId: number;
  outsideRth: boolean;
  status: OrderStatusName;
  filled: number;
  avgFillPrice: number;
  lastFillPrice: number;
  placedAt: number;
}

export interface FakeExecution {
  execId: string;
  orderId: number;
  clientId: number;
  permId: number;
  contract: FakeContract;
  account: string;
  side: 'BOT' | 'SLD';
  shares: number;
  price: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
  /** Epoch ms when the fill happened. */
  time: number;
  commission: number;
  commissionCurrency: string;
}

export interface FakeBar {
  /** Historical: the bar's date string as IB formats it (e.g. `20260102 09:30:00 US/Eastern` or epoch s). */
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}

export interface FakeRealTimeBar {
  /** Epoch seconds of the bar start. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing client messages. Indices are into the full field list, where index 0 is the message id.

function num(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed === Number.MAX_VALUE) return undefined;
  return parsed;
}

function int(value: string | undefined, fallback = 0): number {
  const parsed = num(value);
  return parsed === undefined || parsed === 2147483647 ? fallback : Math.trunc(parsed);
}

/** Contract fields as the client sends them in PLACE_ORDER / REQ_MKT_DATA / REQ_REAL_TIME_BARS. */
function contractAt(fields: readonly string[], start: number): FakeContract {
  const at = (offset: number): string => fields[start + offset] ?? '';
  return {
    conId: int(at(0)),
    symbol: at(1),
    secType: at(2),
    lastTradeDate: at(3),
    strike: at(4),
    right: at(5),
    multiplier: at(6),
    exchange: at(7),
    primaryExch: at(8),
    currency: at(9),
    localSymbol: at(10),
    tradingClass: at(11),
  };
}

export interface PlaceOrderRequest {
  orderId: number;
  contract: FakeContract;
  action: string;
  totalQty: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  account: string;
  orderRef: string;
  /** The client sends an empty field when `order.transmit` is left undefined; the fake treats that as true. */
  transmit: boolean;
  transmitRaw: string;
  parentId: number;
  outsideRth: boolean;
}

/** PLACE_ORDER at v193 has no version field: 1 orderId, 2..13 contract, 14 secIdType, 15 secId, 16 action, .. */
export function parsePlaceOrder(fields: readonly string[]): PlaceOrderRequest {
  const transmitRaw = fields[27] ?? '';
  return {
    orderId: int(fields[1]),
    contract: contractAt(fields, 2),
    action: (fields[16] ?? '').toUpperCase(),
    totalQty: num(fields[17]) ?? 0,
    orderType: (fields[18] ?? '').toUpperCase(),
    lmtPrice: num(fields[19]),
    auxPrice: num(fields[20]),
    tif: fields[21] ?? '',
    account: fields[23] ?? '',
    orderRef: fields[26] ?? '',
    transmit: transmitRaw !== '0',
    transmitRaw,
    parentId: int(fields[28]),
    outsideRth: fields[33] === '1',
  };
}

/** CANCEL_ORDER at v193: `[4, orderId, manualOrderCancelTime, extOperator, manualOrderIndicator]`. */
export function parseCancelOrder(fields: readonly string[]): { orderId: number } {
  return { orderId: int(fields[1]) };
}

export interface ExecutionFilterRequest {
  reqId: number;
  clientId: number | undefined;
  account: string;
  time: string;
  symbol: string;
  secType: string;
  exchange: string;
  side: string;
}

/** REQ_EXECUTIONS: `[7, 3, reqId, clientId, acctCode, time, symbol, secType, exchange, side]`. */
export function parseReqExecutions(fields: readonly string[]): ExecutionFilterRequest {
  const clientId = num(fields[3]);
  return {
    reqId: int(fields[2]),
    clientId: clientId === undefined || clientId === 0 ? undefined : clientId,
    account: fields[4] ?? '',
    time: fields[5] ?? '',
    symbol: fields[6] ?? '',
    secType: fields[7] ?? '',
    exchange: fields[8] ?? '',
    side: fields[9] ?? '',
  };
}

/** REQ_MKT_DATA: `[1, 11, reqId, conId, symbol, ...]`; REQ_REAL_TIME_BARS: `[50, 3, reqId, conId, symbol, ...]`. */
export function parseVersionedContractRequest(fields: readonly string[]): { reqId: number; contract: FakeContract } {
  return { reqId: int(fields[2]), contract: contractAt(fields, 3) };
}

/** REQ_HISTORICAL_DATA at v193 has no version: `[20, reqId, conId, symbol, ...]`. */
export function parseReqHistoricalData(fields: readonly string[]): { reqId: number; contract: FakeContract } {
  return { reqId: int(fields[1]), contract: contractAt(fields, 2) };
}

/** REQ_ACCOUNT_SUMMARY: `[62, 1, reqId, group, tags]`. */
export function parseReqAccountSummary(fields: readonly string[]): { reqId: number; group: string; tags: string[] } {
  const tags = (fields[4] ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  return { reqId: int(fields[2]), group: fields[3] ?? '', tags };
}

/** Messages whose second field is a request id after a version field (`[id, version, reqId]`). */
export function parseVersionedReqId(fields: readonly string[]): number {
  return int(fields[2]);
}

export { int as parseIntField };

// ---------------------------------------------------------------------------------------------------------
// Building gateway messages.

function price(value: number | undefined): string {
  return value === undefined ? UNSET_DOUBLE : String(value);
}

export function buildServerVersion(connectionTime: string): WireValue[] {
  return [SERVER_VERSION, connectionTime];
}

export function buildManagedAccounts(accounts: readonly string[]): WireValue[] {
  return [GatewayMsg.MANAGED_ACCTS, 1, accounts.join(',')];
}

export function buildNextValidId(orderId: number): WireValue[] {
  return [GatewayMsg.NEXT_VALID_ID, 1, orderId];
}

export function buildCurrentTime(epochSeconds: number): WireValue[] {
  return [GatewayMsg.CURRENT_TIME, 1, epochSeconds];
}

/** ERR_MSG v2: id -1 goes to the client's `info` event, anything else to `error`. */
export function buildError(id: number, code: number, message: string): WireValue[] {
  return [GatewayMsg.ERR_MSG, 2, id, code, message, ''];
}

/** ORDER_STATUS at v193 has no version field and 11 fields. */
export function buildOrderStatus(order: FakeOrder): WireValue[] {
  return [
    GatewayMsg.ORDER_STATUS,
    order.orderId,
    order.status,
    order.filled,
    order.totalQty - order.filled,
    order.avgFillPrice,
    order.permId,
    order.parentId,
    order.lastFillPrice,
    order.clientId,
    '', // whyHeld
    0, // mktCapPrice
  ];
}

/**
 * OPEN_ORDER at v193: no version field; one field per OrderDecoder read, in the decoder's order. Fields
 * that only exist for special order types (delta-neutral, scale, hedge, algo, peg-bench, conditions) are
 * left empty/zero so their conditional blocks are skipped, exactly as for a plain stock order.
 */
export function buildOpenOrder(order: FakeOrder): WireValue[] {
  const c = order.contract;
  const fields: WireValue[] = [GatewayMsg.OPEN_ORDER];
  const push = (...values: WireValue[]): void => {
    fields.push(...values);
  };
  push(order.orderId);
  // readContractFields
  push(c.conId, c.symbol, c.secType, c.lastTradeDate, c.strike || '0', c.right, c.multiplier, c.exchange);
  push(c.currency, c.localSymbol || c.symbol, c.tradingClass || c.symbol);
  // action .. tif
  push(order.action, order.totalQty, order.orderType, order.lmtPrice ?? 0, order.auxPrice ?? 0, order.tif);
  push('', order.account, 'O', 0, order.orderRef); // ocaGroup, account, openClose, origin, orderRef
  push(order.clientId, order.permId, order.outsideRth, 0, 0); // clientId, permId, outsideRth, hidden, discretionaryAmt
  push('', ''); // goodAfterTime, deprecated sharesAllocation
  push('', '', ''); // faGroup, faMethod, faPercentage (no faProfile at >= 177)
  push(''); // modelCode
  push('', '', UNSET_DOUBLE, ''); // goodTillDate, rule80A, percentOffset, settlingFirm
  push(0, '', -1); // shortSaleSlot, designatedLocation, exemptCode
  push(0); // auctionStrategy
  push(UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE); // startingPrice, stockRefPrice, delta
  push(UNSET_DOUBLE, UNSET_DOUBLE); // stockRangeLower, stockRangeUpper
  push(UNSET_INTEGER); // displaySize
  push(0, 0, 0); // blockOrder, sweepToFill, allOrNone
  push(UNSET_INTEGER, 3, 0, 0, UNSET_DOUBLE); // minQty, ocaType, eTradeOnly, firmQuoteOnly, nbboPriceCap
  push(order.parentId, 0); // parentId, triggerMethod
  // readVolOrderParams: volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice. The order type
  // must be empty: this decoder (unlike Java's) treats any non-empty value, even "None", as a delta-neutral block.
  push(UNSET_DOUBLE, 0, '', UNSET_DOUBLE);
  push(0, 0); // continuousUpdate, referencePriceType
  push(UNSET_DOUBLE, UNSET_DOUBLE); // trailStopPrice, trailingPercent
  push(UNSET_DOUBLE, UNSET_INTEGER); // basisPoints, basisPointsType
  push('', 0, 0); // comboLegsDescription, comboLegs count, orderComboLegs count
  push(0); // smartComboRoutingParams count
  push(UNSET_INTEGER, UNSET_INTEGER, UNSET_DOUBLE); // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement
  push(''); // hedgeType (empty: no hedgeParam)
  push(0); // optOutSmartRouting
  push('', ''); // clearingAccount, clearingIntent
  push(0); // notHeld
  push(0); // deltaNeutralContract present?
  push(''); // algoStrategy (empty: no params)
  push(0); // solicited
  // readWhatIfInfoAndCommission: whatIf, status, 6 margin "before/change" fields, 3 "after", commissions, texts
  push(0, order.status);
  push('', '', '', '', '', '');
  push('', '', '');
  push(UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, '', ''); // commission, min, max, commissionCurrency, warningText
  push(0, 0); // randomizeSize, randomizePrice
  // readPegToBenchParams reads nothing for non-PEG BENCH orders.
  push(0); // conditions count (no conditionsIgnoreRth/conditionsCancelOrder when zero)
  push('None', UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE); // adjustedOrderType, triggerPrice, trailStopPrice, lmtPriceOffset
  push(UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, 0); // adjustedStopPrice, adjustedStopLimitPrice, adjustedTrailingAmount, unit
  push('', '', ''); // softDollarTier name, value, displayName
  push(UNSET_DOUBLE); // cashQty
  push(0, 0, 0); // dontUseAutoPriceForHedge, isOmsContainer, discretionaryUpToLimitPrice
  push(0); // usePriceMgmtAlgo
  push(UNSET_INTEGER, UNSET_INTEGER); // duration, postToAts
  push(0); // autoCancelParent
  push(UNSET_INTEGER, UNSET_INTEGER, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE); // minTradeQty .. midOffsetAtHalf
  push(''); // customerAccount
  push(0); // professionalCustomer
  push(''); // bondAccruedInterest
  push(0); // includeOvernight
  push('', UNSET_INTEGER); // extOperator, manualOrderIndicator
  return fields;
}

export function buildOpenOrderEnd(): WireValue[] {
  return [GatewayMsg.OPEN_ORDER_END, 1];
}

/** EXECUTION_DATA at v193 has no version field; reqId is -1 for unsolicited fills. */
export function buildExecutionData(reqId: number, exec: FakeExecution, formattedTime: string): WireValue[] {
  const c = exec.contract;
  return [
    GatewayMsg.EXECUTION_DATA,
    reqId,
    exec.orderId,
    c.conId,
    c.symbol,
    c.secType,
    c.lastTradeDate,
    c.strike || '0',
    c.right,
    c.multiplier,
    c.exchange,
    c.currency,
    c.localSymbol || c.symbol,
    c.tradingClass || c.symbol,
    exec.execId,
    formattedTime,
    exec.account,
    c.exchange === 'SMART' || c.exchange === '' ? 'ISLAND' : c.exchange, // the venue that actually filled
    exec.side,
    exec.shares,
    exec.price,
    exec.permId,
    exec.clientId,
    0, // liquidation
    exec.cumQty,
    exec.avgPrice,
    exec.orderRef,
    '', // evRule
    UNSET_DOUBLE, // evMultiplier
    '', // modelCode
    1, // lastLiquidity: added
    0, // pendingPriceRevision
  ];
}

export function buildExecutionDataEnd(reqId: number): WireValue[] {
  return [GatewayMsg.EXECUTION_DATA_END, 1, reqId];
}

export function buildCommissionReport(exec: FakeExecution): WireValue[] {
  // realizedPNL and yield are "unset" for an opening fill; yieldRedemptionDate 0.
  return [
    GatewayMsg.COMMISSION_REPORT,
    1,
    exec.execId,
    exec.commission,
    exec.commissionCurrency,
    UNSET_DOUBLE,
    UNSET_DOUBLE,
    0,
  ];
}

export function buildPosition(account: string, contract: FakeContract, position: number, avgCost: number): WireValue[] {
  const c = contract;
  return [
    GatewayMsg.POSITION_DATA,
    3,
    account,
    c.conId,
    c.symbol,
    c.secType,
    c.lastTradeDate,
    c.strike || '0',
    c.right,
    c.multiplier,
    c.exchange,
    c.currency,
    c.localSymbol || c.symbol,
    c.tradingClass || c.symbol,
    position,
    avgCost,
  ];
}

export function buildPositionEnd(): WireValue[] {
  return [GatewayMsg.POSITION_END, 1];
}

export function buildAccountSummary(
  reqId: number,
  account: string,
  tag: string,
  value: string,
  currency: string,
): WireValue[] {
  return [GatewayMsg.ACCOUNT_SUMMARY, 1, reqId, account, tag, value, currency];
}

export function buildAccountSummaryEnd(reqId: number): WireValue[] {
  return [GatewayMsg.ACCOUNT_SUMMARY_END, 1, reqId];
}

/** TICK_PRICE v3: the client derives a tickSize event from `size` for bid/ask/last. */
export function buildTickPrice(reqId: number, tickType: number, value: number, size: number): WireValue[] {
  return [GatewayMsg.TICK_PRICE, 3, reqId, tickType, price(value), size, 0];
}

export function buildTickSize(reqId: number, tickType: number, size: number): WireValue[] {
  return [GatewayMsg.TICK_SIZE, 1, reqId, tickType, size];
}

/** TICK_REQ_PARAMS (no version): sent by the gateway right after a market data subscription. */
export function buildTickReqParams(reqId: number): WireValue[] {
  return [GatewayMsg.TICK_REQ_PARAMS, reqId, 0.01, '9c0001', 3];
}

/** MARKET_DATA_TYPE: 1 = real-time. */
export function buildMarketDataType(reqId: number, type: number): WireValue[] {
  return [GatewayMsg.MARKET_DATA_TYPE, 1, reqId, type];
}

export function buildRealTimeBar(reqId: number, bar: FakeRealTimeBar): WireValue[] {
  return [
    GatewayMsg.REAL_TIME_BARS,
    1,
    reqId,
    bar.time,
    bar.open,
    bar.high,
    bar.low,
    bar.close,
    bar.volume,
    bar.wap,
    bar.count,
  ];
}

/** HISTORICAL_DATA at v193: no version and no hasGaps; `barCount` follows `wap`. */
export function buildHistoricalData(reqId: number, start: string, end: string, bars: readonly FakeBar[]): WireValue[] {
  const fields: WireValue[] = [GatewayMsg.HISTORICAL_DATA, reqId, start, end, bars.length];
  for (const bar of bars) {
    fields.push(bar.date, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.wap, bar.count);
  }
  return fields;
}
