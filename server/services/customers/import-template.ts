import { Readable, type Writable } from 'node:stream';
import { Tag } from '../../models/tag.js';
import { authorize } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { usableTagFilter } from '../tags/tags.js';
import { writeCsv } from '../../domain/csv.js';
import { chineseHeaders, csvColumns } from '../../domain/customer-csv.js';

/**
 * The import template: the Chinese headers and one example row that imports as it is (the tag, when there is one,
 * is one the downloader may use), written as UTF-8 with a byte order mark so Excel opens it without garbling.
 */
export async function writeImportTemplate(ctx: ServiceContext, out: Writable): Promise<void> {
  authorize(ctx.actor, 'customer.write');
  const tag = await Tag.findOne(usableTagFilter(ctx), { name: 1 }).sort({ name: 1 }).lean();
  const example: Record<(typeof csvColumns)[number], string> = {
    name: '王芳',
    phone: '13800138000',
    gender: '女',
    birthday: '1990-05-06',
    relatives: '母亲|李秀英|--12-03',
    tags: tag?.name ?? '',
    source: '门店',
    notes: '爱吃车厘子，节日常买果篮礼盒',
  };
  await writeCsv(
    Readable.from([example]),
    csvColumns.map((c) => chineseHeaders[c]),
    (row: typeof example) => csvColumns.map((c) => row[c]),
    out,
  );
}
