/** A number as everyone but those with the personal-data permission sees it: the middle digits hidden. */
export function maskPhone(e164: string): string {
  const national = e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
  if (national.length <= 7) return national.replace(/\d(?=\d{2})/g, '*');
  return `${national.slice(0, 3)}${'*'.repeat(national.length - 7)}${national.slice(-4)}`;
}
