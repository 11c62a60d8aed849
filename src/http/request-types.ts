import type { Language } from '../config/schema.js';
import type { Logger } from '../runtime/logger.js';
import type { TenantContext } from '../tenants/tenant-context.js';
import type { Translate } from '../web/i18n.js';
import type { VisitorCookie } from './visitor-cookie.js';

declare global {
  namespace Express {
    interface Request {
      /** Request id (from a valid `X-Request-Id` or generated), on every log line. */
      id: string;
      /** Logger bound to this request. */
      log: Logger;
      /** The tenant whose routes matched. */
      tenant: TenantContext;
      /** Issues the signed visitor id cookie (`ensureVisitorId`). */
      visitorCookie?: VisitorCookie;
    }
    interface Locals {
      lang: Language;
      t: Translate;
      /** Where a failed login's error page leads back to (`LoginTransaction.backTo`). */
      loginBackTo?: string;
      /**
       * Where the error page's back button leads (path under the tenant's base, catalog key of
       * its label) when the flow that failed knows better than the error's code.
       */
      errorBack?: { path: string; label: string };
    }
  }
}
