import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_TIMEOUTS } from '../../../server/app.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  await t.app.ready();
});
afterAll(async () => t.cleanup());

it('sets header, request and keep-alive timeouts on the HTTP server, so slow clients cannot hold connections', () => {
  expect(SERVER_TIMEOUTS.headersMs).toBeGreaterThan(0);
  expect(SERVER_TIMEOUTS.headersMs).toBeLessThanOrEqual(SERVER_TIMEOUTS.requestMs);
  expect(t.app.server.headersTimeout).toBe(SERVER_TIMEOUTS.headersMs);
  expect(t.app.server.requestTimeout).toBe(SERVER_TIMEOUTS.requestMs);
  expect(t.app.server.keepAliveTimeout).toBe(SERVER_TIMEOUTS.keepAliveMs);
  // Node's defaults would let a client take 60 s over its headers and 5 minutes over a request.
  expect(t.app.server.requestTimeout).toBeLessThan(300_000);
});
