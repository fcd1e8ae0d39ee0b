export { FakeIbGateway, formatIbTime, parseFilterTime } from './fakeGateway';
export type {
  DisconnectOutcome,
  FakeIbGatewayOptions,
  PositionRecord,
  ReceivedMessage,
  RepeatConfig,
  SentMessage,
} from './fakeGateway';
export { ClientMsg, GatewayMsg, SERVER_VERSION, parsePlaceOrder } from './messages';
export type {
  FakeBar,
  FakeContract,
  FakeExecution,
  FakeOrder,
  FakeRealTimeBar,
  OrderStatusName,
  PlaceOrderRequest,
} from './messages';
export { encodeFrame, ClientStreamReader, UNSET_DOUBLE, UNSET_INTEGER } from './framing';
