/**
 * The customer CSV columns and the words they take, shared by export, import and the import's report of rejected
 * rows, so an export (or a fixed report) can be imported again.
 * Birthdays are ISO dates, `--MM-DD` when the year is unknown; relatives are `relation|name|birthday` joined by `;`;
 * tags are names joined by `;` (the import also takes the full-width `；` and `｜` a Chinese keyboard types).
 */
export const csvColumns = ['name', 'phone', 'gender', 'birthday', 'relatives', 'tags', 'source', 'notes'] as const;
export const exportOnlyColumns = ['store', 'owner', 'created_at'] as const;
/** The rejected rows' file adds these before the row: ignored too, so the file imports again once fixed. */
export const rejectionOnlyColumns = ['line', 'reason'] as const;
export type CsvColumn = (typeof csvColumns)[number] | (typeof exportOnlyColumns)[number] | (typeof rejectionOnlyColumns)[number];

/**
 * The Chinese header of each column, as a spreadsheet made by hand in a Chinese shop names it (the template's
 * headers); the import reads these, a few common variants and the English names alike, in any order.
 */
export const chineseHeaders: Record<CsvColumn, string> = {
  name: '姓名',
  phone: '手机号',
  gender: '性别',
  birthday: '生日',
  relatives: '亲属',
  tags: '标签',
  source: '来源',
  notes: '备注',
  store: '门店',
  owner: '导购',
  created_at: '创建时间',
  line: '行号',
  reason: '原因',
};
const headerVariants: Record<string, CsvColumn> = {
  手机: 'phone',
  手机号码: 'phone',
  电话: 'phone',
  电话号码: 'phone',
  家人: 'relatives',
  创建日期: 'created_at',
};

/** The column a header cell names (English in any case, Chinese, or a variant), or undefined. */
export function columnOfHeader(header: string): CsvColumn | undefined {
  const text = header.replace(/^\uFEFF/, '').trim();
  const english = text.toLowerCase();
  const all: readonly string[] = [...csvColumns, ...exportOnlyColumns, ...rejectionOnlyColumns];
  if (all.includes(english)) return english as CsvColumn;
  return (Object.keys(chineseHeaders) as CsvColumn[]).find((column) => chineseHeaders[column] === text) ?? headerVariants[text];
}

/** Gender as typed: English codes or the Chinese words; empty is unknown. */
export const genderWords: Record<string, 'female' | 'male' | 'unknown'> = {
  female: 'female',
  male: 'male',
  unknown: 'unknown',
  女: 'female',
  男: 'male',
  未知: 'unknown',
  '': 'unknown',
};

/** Source as typed: the codes, or the words the Chinese pages show for them. */
export const sourceWords: Record<string, string> = {
  门店: 'in_store',
  到店: 'in_store',
  活动: 'event',
  转介绍: 'referral',
  介绍: 'referral',
  线上: 'online',
  导入: 'import',
};
