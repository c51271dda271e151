type T = (key: string, params?: Record<string, unknown>) => string;

/** The sign-in page stands alone (the bare layout: no navigation before one is signed in). */
export const loginModel = (next: string, t: T) => ({ title: t('login.title'), layout: 'bare', next });

export const confirmPasswordModel = (next: string, t: T) => ({ title: t('stepUp.title'), next });
