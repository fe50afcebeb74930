import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { qrCodeSvg } from '../../../site/components/lib/qr.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const label = (url: string) => `QR code that opens our referral form at ${url}`;

describe('the printable leaflet follows the PUBLIC_BASE_URL the server runs with', () => {
  for (const base of ['https://saferlives.example.org', 'https://portal.example/']) {
    it(`points its QR code and printed address at ${base}`, async () => {
      t = await buildTestApp({ env: { PUBLIC_BASE_URL: base } });
      const expected = new URL('/refer/', base).href;
      for (const path of ['/for-professionals/leaflet/', '/for-professionals/leaflet/index.html']) {
        const res = await t.app.inject({ method: 'GET', url: path });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.headers['content-security-policy']).toBeDefined();
        expect(res.body).toContain(`data-referral-url>${expected}</p>`);
        // Exactly the QR code for the new address; nothing of the address the site was built with.
        expect(res.body).toContain(await qrCodeSvg(expected, label(expected)));
        expect(res.body).not.toContain('localhost:4321');
        expect(res.body.match(/class="qr-code"/g)).toHaveLength(1);
      }
      // Without the trailing slash it redirects to the page, as every other page does.
      const bare = await t.app.inject({ method: 'GET', url: '/for-professionals/leaflet' });
      expect(bare.statusCode).toBe(301);
    });
  }

  it('differs from the QR code for another address (so the check above can fail)', async () => {
    const one = await qrCodeSvg('https://a.example/refer/', label('x'));
    const two = await qrCodeSvg('https://b.example/refer/', label('x'));
    expect(one).not.toBe(two);
  });
});
