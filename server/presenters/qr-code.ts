import QRCode from 'qrcode';

/** A link as a QR code for a poster or a phone screen: an SVG data URL for an <img>, so no markup enters the page. */
export async function qrCodeDataUrl(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', margin: 1, width: 128 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
