import { describe, expect, it } from '@jest/globals';
import { fillPlaceholders, messagePlaceholders, placeholdersOf } from '../../server/domain/message-placeholders.js';
import { readLocale } from '../../server/i18n/index.js';

describe('message placeholders', () => {
  it('fills the English and the Chinese form alike, with full-width braces too, and leaves the rest as typed', () => {
    const values = { customer: '王芳', clerk: '李娜', store: '静安寺店', relation: '母亲', relative: '李华', date: '12月3日', occasion: '中秋节' };
    expect(fillPlaceholders('{客户称呼}您好，{relation}{亲属姓名}{日期}生日；｛导购姓名｝在{门店}等您。{customer}', values)).toBe(
      '王芳您好，母亲李华12月3日生日；李娜在静安寺店等您。王芳',
    );
    expect(fillPlaceholders('{未知} {客户} {clerk}', { customer: '王芳' })).toBe('{未知} {客户} {clerk}');
  });

  it('names every placeholder once in each form, and gives each set its own', () => {
    const names = messagePlaceholders.flatMap((p) => [p.code, p.zh]);
    expect(new Set(names).size).toBe(names.length);
    expect(placeholdersOf('canned').map((p) => p.code)).toEqual(['customer', 'clerk', 'store']);
    expect(placeholdersOf('followup').map((p) => p.zh)).toContain('客户称呼');
  });

  it('has a chip label for every placeholder in both languages', () => {
    for (const locale of ['zh-CN', 'en']) {
      const names = (readLocale(locale).placeholders as { names: Record<string, string> }).names;
      expect(messagePlaceholders.filter((p) => !names[p.code]).map((p) => `${locale}:${p.code}`)).toEqual([]);
    }
  });
});
