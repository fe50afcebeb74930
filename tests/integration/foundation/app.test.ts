import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { enrolStaff, seedTestOffices, signedIn } from '../backoffice/staff-client.ts';

describe('the portal app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    t.app.get('/api/test-fault', async () => {
      throw new Error('database exploded at /var/secret/path');
    });
    t.app.get('/test-fault', async () => {
      throw new Error('template exploded with internal detail');
    });
    t.app.post('/api/test-echo', async (request) => {
      // A careless handler logging a body: redaction must still keep it out of the log.
      request.log.info({ body: request.body }, 'careless log line');
      return { ok: true };
    });
  });
  afterAll(async () => t.cleanup());

  it('serves the prerendered home page with security headers and revalidation', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toMatch(/<h1>/);
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('serves hashed assets as immutable and compresses text', async () => {
    const home = await t.app.inject({ method: 'GET', url: '/' });
    const asset = /href="(\/_astro\/[^"]+\.css)"/.exec(home.body)?.[1];
    expect(asset).toBeDefined();
    const res = await t.app.inject({ method: 'GET', url: asset!, headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const page = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br' } });
    expect(page.headers['content-encoding']).toBe('br');
  });

  it('renders /staff on request through Astro, never cached or indexed, with the security headers', async () => {
    // Signed out, the back office sends everyone to sign in (deny by default).
    for (const url of ['/staff', '/staff/']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/staff/sign-in');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-robots-tag']).toContain('noindex');
    }
    const signIn = await t.app.inject({ method: 'GET', url: '/staff/sign-in' });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.body).toContain('Safer Lives back office');
    expect(signIn.headers['cache-control']).toBe('no-store');
    expect(signIn.headers['x-robots-tag']).toContain('noindex');
    expect(String(signIn.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(signIn.headers['referrer-policy']).toBe('no-referrer');
    // Rendered pages go out through Fastify like the static ones, so they are compressed too.
    const compressed = await t.app.inject({
      method: 'GET',
      url: '/staff/sign-in',
      headers: { 'accept-encoding': 'br' },
    });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(compressed.rawPayload.length).toBeLessThan(
      Number(signIn.headers['content-length'] ?? signIn.rawPayload.length),
    );
  });

  it('renders a 404 page for unknown /staff URLs to signed-in staff, and sends everyone else to sign in', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/staff/no-such-page' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/staff\/sign-in/);

    seedTestOffices(t.database.db);
    const clock = { now: () => new Date(), advance: () => undefined };
    const member = await enrolStaff(t.database.db, t.app.services.keyring, new Date(Date.now() - 60_000), {
      role: 'caseworker',
    });
    const client = await signedIn(t, member, clock);
    const res = await client.get('/staff/no-such-page');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Page not found');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-robots-tag']).toContain('noindex');
  });

  it('answers unknown public URLs with the 404 page, and unknown API URLs with JSON', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/no-such-page' });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Page not found');
    const api = await t.app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: 'not_found' });
  });

  it('reports health from the database, and 503 when it stops answering', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', database: 'ok' });

    const broken = await buildTestApp();
    broken.database.sqlite.close();
    const res = await broken.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    await broken.cleanup();
  });

  it('hides internals on a 500: JSON with a request id for the API, a friendly page for HTML', async () => {
    const api = await t.app.inject({ method: 'GET', url: '/api/test-fault' });
    expect(api.statusCode).toBe(500);
    const body = api.json();
    expect(body.error).toBe('internal_error');
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.body).not.toContain('exploded');
    expect(api.body).not.toContain('/var/secret');
    expect(t.logs.some((l) => l.includes(body.requestId) && l.includes('"level":50'))).toBe(true);

    const page = await t.app.inject({ method: 'GET', url: '/test-fault', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(500);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Something went wrong');
    expect(page.body).not.toContain('exploded');
  });

  it('never writes bodies, query strings, cookies or authorization headers to the log', async () => {
    const marker = 'Zebedee-Quillfeather-07700900123';
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/test-echo?name=${marker}-query`,
      headers: { cookie: `session=${marker}-cookie`, authorization: `Bearer ${marker}-auth` },
      payload: { name: `${marker}-body`, phone: marker },
    });
    expect(res.statusCode).toBe(200);
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/test-echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `name=${marker}-form`,
    });
    expect(form.statusCode).toBe(200);
    const output = t.logs.join('\n');
    expect(output).toContain('careless log line');
    expect(output).toContain('/api/test-echo');
    expect(output).not.toContain(marker);
  });

  it('sends HSTS only when the public origin is https', async () => {
    const https = await buildTestApp({ env: { PUBLIC_BASE_URL: 'https://portal.example' } });
    const res = await https.app.inject({ method: 'GET', url: '/' });
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    await https.cleanup();
  });
});
