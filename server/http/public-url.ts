import type { Request } from 'express';

/**
 * The address customers are sent to (invite links, chat channels, personal links, their QR codes): APP_URL when
 * configured, so a link never depends on the Host header a request happened to carry; else the request's own.
 */
export function publicOrigin(req: Request): string {
  const configured = (req.app.locals as { appUrl?: string }).appUrl;
  if (configured) return configured.replace(/\/+$/, '');
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
