import type { ServiceContext } from '../services/context.js';
import type { StaffDoc } from '../models/staff.js';
import type { SessionUser } from '../services/auth/sessions.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // Passport's req.user is the loaded staff member.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends StaffDoc {}
    interface Request {
      ctx?: ServiceContext;
      locale: 'zh-CN' | 'en';
      isApi: boolean;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    stepUpAt?: number;
    csrfBound?: boolean;
    flash?: { kind: 'success' | 'danger' | 'info'; text: string }[];
    /** Groups this browser joined with a number already known: the receipt that lets it see which group it joined. */
    joinedGroupIds?: string[];
    passport?: { user?: SessionUser };
  }
}

export {};
