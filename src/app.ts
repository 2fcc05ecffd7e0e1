// createApp(deps) builds the Express app and never listens: server.ts and the tests both use it.
import path from 'node:path';
import crypto from 'node:crypto';
import express, { Express } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import pinoHttp from 'pino-http';
import { ROOT_DIR } from './config';
import type { AppDeps, Feature, NavItem } from './app-context';
import { FEATURES } from './features';
import { loadUser, i18nLocals, pageLocals } from './http/locals';
import { csrfEverywhere, setAnonymousCsrfOptions } from './http/csrf';
import { cleanBodies, parseQuery } from './http/text';
import { SessionStore } from './http/session-store';
import { healthRoutes } from './http/health';
import { eventStreams } from './http/streams';
import { metricsEndpoint } from './metrics';
import { saveSessionBeforeRedirect } from './http/session-redirect';
import { normalizeDates } from './http/dates';
import { errorHandler, notFoundHandler } from './http/error-handler';
import './http/types';

export const VENDOR_FILES: Record<string, string> = {
  'wavesurfer.esm.js': 'node_modules/wavesurfer.js/dist/wavesurfer.esm.js',
  'wavesurfer-regions.esm.js': 'node_modules/wavesurfer.js/dist/plugins/regions.esm.js',
  'wavesurfer-timeline.esm.js': 'node_modules/wavesurfer.js/dist/plugins/timeline.esm.js',
  'wavesurfer-minimap.esm.js': 'node_modules/wavesurfer.js/dist/plugins/minimap.esm.js',
  'wavesurfer-zoom.esm.js': 'node_modules/wavesurfer.js/dist/plugins/zoom.esm.js',
  'chart.umd.js': 'node_modules/chart.js/dist/chart.umd.js',
};

export interface CreateAppOptions {
  features?: Feature[];
  sessionSecret: string;
}

export function createApp(deps: AppDeps, opts: CreateAppOptions): Express {
  const { config, db, logger } = deps;
  const features = opts.features ?? FEATURES;
  const app = express();
  app.disable('x-powered-by');
  app.set('view engine', 'ejs');
  app.set('views', path.join(ROOT_DIR, 'views'));
  if (config.trustProxy) app.set('trust proxy', 1);
  app.set('query parser', parseQuery);

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          // wavesurfer.js and Chart.js set inline styles on the elements they draw.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'media-src': ["'self'", 'blob:'],
          'worker-src': ["'self'", 'blob:'],
          'connect-src': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          'upgrade-insecure-requests': null,
        },
      },
      crossOriginEmbedderPolicy: false,
      hsts: config.env === 'production',
    }),
  );

  // Probes and scrapes come before the request log and the session: frequent, and must work without a database.
  app.use(healthRoutes(deps));
  if (deps.metrics) {
    app.get('/metrics', metricsEndpoint(deps.metrics, config));
    app.use(deps.metrics.httpMiddleware());
  }

  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/public/') || (req.url ?? '').startsWith('/vendor/') },
      // One line per request without cookies, tokens or bodies.
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({ id: req.id, method: req.method, url: req.url.replace(/([?&](token|password)=)[^&]*/gi, '$1***') }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      genReqId: () => crypto.randomUUID(),
    }),
  );

  // Event streams (the live board): unbuffered through nginx, ended at shutdown.
  app.use(eventStreams(deps.lifecycle));

  app.use('/public', express.static(path.join(ROOT_DIR, 'public'), { maxAge: config.env === 'production' ? '1d' : 0, index: false }));
  for (const [name, file] of Object.entries(VENDOR_FILES)) {
    app.get(`/vendor/${name}`, (_req, res) => res.sendFile(path.join(ROOT_DIR, file), { maxAge: config.env === 'production' ? '7d' : 0 }));
  }

  // Pages, lists, reports, digests and downloads hold personal data and are used on shared PCs: nothing
  // from here on is kept by the browser or a proxy unless a route says otherwise (peaks, static files).
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  app.use(express.urlencoded({ extended: true, limit: '256kb', parameterLimit: 5000 }));
  app.use(express.json({ limit: '2mb' }));
  // A body of a type no parser reads (text/plain, XML, none at all) is an empty form, not undefined:
  // handlers read req.body.x. Multipart is left to the routes that take files (http/uploads.ts).
  app.use((req, _res, next) => {
    if (req.body === undefined && !req.is('multipart/form-data')) req.body = {};
    next();
  });
  app.use(normalizeDates);

  const store = new SessionStore(db);
  setAnonymousCsrfOptions(app, { secret: opts.sessionSecret, secure: config.cookieSecure });
  app.use(
    session({
      name: 'sifat.sid',
      secret: opts.sessionSecret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      proxy: config.trustProxy,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, maxAge: 12 * 60 * 60 * 1000 },
    }),
  );

  app.use(saveSessionBeforeRedirect);
  app.use(loadUser(db));
  app.use(i18nLocals());
  const navItems: NavItem[] = features.flatMap((f) => f.nav ?? []);
  app.use(pageLocals(navItems));
  // Every state-changing request, whatever its content type (http/csrf.ts says how multipart is handled).
  app.use(csrfEverywhere(app));
  app.use(cleanBodies);

  for (const f of features) if (f.routes) app.use(f.routes(deps));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
