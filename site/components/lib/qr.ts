import QRCode from 'qrcode';

/** Where the leaflet's QR code points: the public referral form, from PUBLIC_BASE_URL (read at build time). */
export function referralUrl(baseUrl: string | undefined = process.env.PUBLIC_BASE_URL): string {
  const base = baseUrl && baseUrl.trim() !== '' ? baseUrl.trim() : 'http://localhost:4321';
  return new URL('/refer/', base).href;
}

/**
 * The QR code as an SVG string, ready to inline: no style attributes (the CSP forbids inline style), and
 * labelled as an image so screen readers announce what it is.
 */
export async function qrCodeSvg(url: string, label: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const escaped = label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const cleaned = svg.replace(/\sstyle="[^"]*"/g, '').replace(/\n/g, '');
  if (!cleaned.startsWith('<svg ')) throw new Error('qrcode did not return an SVG');
  return cleaned.replace('<svg ', `<svg role="img" aria-label="${escaped}" class="qr-code" `);
}
