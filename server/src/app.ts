import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import express, { type Request } from 'express';
import { loadActor, type Actor } from './auth/actor.ts';
import { authRoutes } from './auth/routes.ts';
import { AuthService } from './auth/service.ts';
import { SessionStore } from './auth/sessions.ts';
import type { HubContext } from './context.ts';
import { createMetrics, healthRoutes } from './health/routes.ts';
import { AppError, errorMiddleware } from './http/errors.ts';
import { originGuard } from './http/origin.ts';
import { RateLimits } from './http/rate-limits.ts';
import './http/request.ts';
import { MatchPusher } from '@hub/matching';
import { allowedOrigins } from '@hub/platform';
import { matchRoutes } from './matches/routes.ts';
import { moderationRoutes } from './moderation/routes.ts';
import { ModerationService } from './moderation/service.ts';
import { FILE_SWEEP_AGE_MS, filesDirOf, RoomFileService, sweepRoomFiles } from './rooms/files.ts';
import { RoomGate } from './rooms/moderation.ts';
import { OfferService } from './rooms/offers.ts';
import { ParticipantService } from './rooms/participants.ts';
import { roomRoutes } from './rooms/routes.ts';
import { RoomService } from './rooms/service.ts';
import { StageService } from './rooms/stages.ts';
import { registerRoomEvents } from './rooms/socket.ts';
import { MatchService } from './matches/service.ts';
import { notificationRoutes } from './notifications/routes.ts';
import { NotificationService } from './notifications/service.ts';
import { ListingReviewService } from './listings/review.ts';
import { listingRoutes } from './listings/routes.ts';
import { ListingSearch } from './listings/search.ts';
import { ListingService } from './listings/service.ts';
import { openApiRoutes } from './openapi/routes.ts';
import { organizationRoutes } from './organizations/routes.ts';
import { OrganizationService } from './organizations/service.ts';
import { createGateway, type HubServer } from './realtime/gateway.ts';
import { ReviewService } from './review/service.ts';
import { staffRoutes } from './staff/routes.ts';
import { StaffService } from './staff/service.ts';

export interface Hub {
  httpServer: HttpServer;
  io: HubServer;
  app: express.Express;
  close(): Promise<void>;
}

const BODY_LIMIT = '64kb';

/** Wires services, routes and the socket gateway onto one HTTP server (not yet listening). */
export function createHub(ctx: HubContext): Hub {
  const { db, redis, queue, config, log } = ctx;
  const app = express();
  const httpServer = createServer(app);
  // The web process proxies /api here; trust its X-Forwarded-For so rate limits see the real client.
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');

  const origins = new Set(allowedOrigins(config));
  const sessions = new SessionStore(redis, config);
  const limits = new RateLimits(redis, config);
  const notifications = new NotificationService(db);
  const gateway = createGateway({ httpServer, db, redis, redisPrefix: config.REDIS_PREFIX, origins, sessions, notifications, log });
  const organizations = new OrganizationService(db, gateway.broadcaster);
  const review = new ReviewService(db, queue, gateway.broadcaster, log, gateway.access);
  const staff = new StaffService(db, gateway.access);
  const auth = new AuthService(db, sessions, limits);
  const listings = new ListingService(db, queue, gateway.broadcaster, log);
  const listingReview = new ListingReviewService(db, queue, gateway.broadcaster, log);
  const listingSearch = new ListingSearch(ctx.search, config.MEILI_INDEX_PREFIX, log);
  const pusher = new MatchPusher({ db, redis, redisPrefix: config.REDIS_PREFIX, broadcast: gateway.broadcaster, queue, pushesPerMinute: config.MATCH_PUSHES_PER_MINUTE, log });
  const matches = new MatchService(db, queue, gateway.broadcaster, pusher, log);
  const gate = new RoomGate(db);
  const rooms = new RoomService(db, gateway.broadcaster, limits, gate, ctx.checkpoints, log, config.ROOM_FILE_MAX_BYTES);
  const stages = new StageService(db, rooms, gate, log);
  const offers = new OfferService(db, rooms, gate, gateway.broadcaster, log);
  const files = new RoomFileService(db, rooms, gate, limits, gateway.broadcaster, config, log);
  // Hourly: what a crash or a failed write left on disk (temporary uploads, files no row names).
  const fileSweep = setInterval(() => {
    sweepRoomFiles(db, filesDirOf(config)).then(
      (removed) => removed && log.info({ removed }, 'room file sweep removed leftovers'),
      (error: Error) => log.warn({ err: error.message }, 'room file sweep failed'),
    );
  }, FILE_SWEEP_AGE_MS);
  fileSweep.unref();
  const moderation = new ModerationService(db, rooms, gate, gateway.broadcaster);
  const participants = new ParticipantService(db, rooms, gateway.broadcaster, queue, log, registerRoomEvents(gateway.io, gateway.access, rooms, limits, log));
  const { registry, httpDuration } = createMetrics();

  const resolveActor = async (req: Request): Promise<Actor | null> => {
    if (req.actor === undefined) {
      const userId = await sessions.resolve(sessions.tokenFromCookieHeader(req.headers.cookie));
      req.actor = userId ? await loadActor(db, userId) : null;
    }
    return req.actor;
  };

  app.use((req, res, next) => {
    req.id = randomUUID();
    req.log = log.child({ requestId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const end = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = req.route?.path ?? 'unmatched';
      const seconds = end({ route, status: res.statusCode });
      // One line per API request; probes and metrics scrapes would only add noise.
      if (req.path.startsWith('/api/')) {
        req.log.info({ method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
      }
    });
    next();
  });
  app.use(healthRoutes(ctx, registry));
  app.use(openApiRoutes());
  app.use(originGuard(origins));
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(authRoutes({ auth, organizations, sessions, limits, resolveActor }));
  app.use(organizationRoutes({ organizations, review, resolveActor }));
  app.use(staffRoutes({ staff, db, checkpoints: ctx.checkpoints, queue, resolveActor }));
  app.use(notificationRoutes({ notifications, resolveActor }));
  app.use(listingRoutes({ listings, review: listingReview, search: listingSearch, limits, resolveActor }));
  app.use(matchRoutes({ matches, limits, resolveActor }));
  app.use(roomRoutes({ rooms, stages, offers, participants, files, limits, resolveActor }));
  app.use(moderationRoutes({ moderation, resolveActor }));
  app.use('/api', () => {
    throw new AppError('not_found', 'No such API route.');
  });
  app.use(errorMiddleware);

  return {
    httpServer,
    io: gateway.io,
    app,
    async close() {
      clearInterval(fileSweep);
      await gateway.close();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
