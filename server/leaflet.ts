import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { qrCodeSvg, referralUrl } from '../site/components/lib/qr.ts';

/** The printable leaflet (site/pages/for-professionals/leaflet.astro). */
export const LEAFLET_PATH = '/for-professionals/leaflet/';

const QR_SVG = /<svg\b[^>]*\bclass="qr-code"[^>]*>[\s\S]*?<\/svg>/;
const PRINTED_URL = /(<[^>]+\bdata-referral-url\b[^>]*>)[^<]*(<\/)/;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The leaflet page for the address the server runs with. The site is prerendered once, so the QR code and
 * the printed address are put in when the server starts, from PUBLIC_BASE_URL at that moment: the same build
 * serves any address. Null when the site has not been built with a leaflet.
 */
export async function leafletForBaseUrl(clientDir: string, publicBaseUrl: string): Promise<string | null> {
  const file = join(clientDir, LEAFLET_PATH, 'index.html');
  if (!existsSync(file)) return null;
  const built = readFileSync(file, 'utf8');
  if (!QR_SVG.test(built) || !PRINTED_URL.test(built))
    throw new Error(`${file} has no QR code or printed address to fill in (class="qr-code", data-referral-url)`);
  const url = referralUrl(publicBaseUrl);
  const qr = await qrCodeSvg(url, `QR code that opens our referral form at ${url}`);
  return built
    .replace(QR_SVG, () => qr)
    .replace(PRINTED_URL, (_m, open: string, close: string) => `${open}${escapeHtml(url)}${close}`);
}
