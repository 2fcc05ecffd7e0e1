import type { User } from '../features/users/users.repository';
import type { Language, Translate, Formatters } from '../i18n';

export interface Flash {
  type: 'success' | 'error' | 'info';
  key: string;
  params?: Record<string, unknown>;
}

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    flash?: Flash[];
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: User;
      lang: Language;
      t: Translate;
      fmt: Formatters;
      /** API token id when authenticated by token */
      apiTokenId?: number;
    }
    interface Response {
      /** Renders views/<view>.ejs inside the main layout. */
      renderPage(view: string, data?: Record<string, unknown>): void;
    }
  }
}

export {};
