// createApp(deps) builds the Express app and never listens: server.ts and the tests both use it.
import path from 'node:path';
import crypto from 'node:crypto';
import express, { Express } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import pinoHttp from 'pino-http';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import { ROOT_DIR } from './config';
import type { AppDeps, Feature, NavItem } from './app-context';
import { FEATURES } from './features';
import { loadUser, i18nLocals, pageLocals } from './http/locals';
import { csrfProtection } from './http/csrf';
import { saveSessionBeforeRedirect } from './http/session-redirect';
import { normalizeDates } from './http/dates';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { isDatabaseReachable } from './db';
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

  app.get('/healthz', async (_req, res) => {
    const ok = await isDatabaseReachable(db);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database: ok ? 'reachable' : 'unreachable' });
  });

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

  app.use('/public', express.static(path.join(ROOT_DIR, 'public'), { maxAge: config.env === 'production' ? '1d' : 0, index: false }));
  for (const [name, file] of Object.entries(VENDOR_FILES)) {
    app.get(`/vendor/${name}`, (_req, res) => res.sendFile(path.join(ROOT_DIR, file), { maxAge: config.env === 'production' ? '7d' : 0 }));
  }

  app.use(express.urlencoded({ extended: true, limit: '256kb', parameterLimit: 5000 }));
  app.use(express.json({ limit: '2mb' }));
  app.use(normalizeDates);

  const store = new ConnectSessionKnexStore({ knex: db, tableName: 'sessions', createTable: false, cleanupInterval: 0 });
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
  // Multipart forms are checked after parsing (http/uploads.ts); the token API authenticates without cookies.
  app.use((req, res, next) => {
    if (req.is('multipart/form-data') || req.path.startsWith('/api/v1/')) return next();
    csrfProtection(req, res, next);
  });

  for (const f of features) if (f.routes) app.use(f.routes(deps));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
