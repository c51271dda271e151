import type { Response } from 'express';
import { DateTime } from 'luxon';

/** Headers for a CSV download that Excel opens cleanly; never cached, since it holds personal data. */
export function startCsvDownload(res: Response, baseName: string): void {
  const fileName = `${baseName}-${DateTime.now().toFormat('yyyyLLdd-HHmm')}.csv`;
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  res.setHeader('Cache-Control', 'no-store');
}
