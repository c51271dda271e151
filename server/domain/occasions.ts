import { festivalKeys, festivalOf } from './holidays.js';

/** What kind of day an occasion is: a customer's or a relative's birthday, a lunar or solar festival, or the organisation's own event. */
export type OccasionKind = 'birthday' | 'relative-birthday' | 'lunar' | 'solar' | 'event';

/** The occasions every organisation has, in the order the rules page lists them. */
export const builtinOccasions: readonly string[] = ['birthday', 'relative-birthday', ...festivalKeys];

export function kindOf(occasion: string): OccasionKind {
  if (occasion === 'birthday' || occasion === 'relative-birthday') return occasion;
  if (occasion.startsWith('event:')) return 'event';
  return festivalOf(occasion)!.calendar;
}
