import type { RouteSpec } from '@hub/protocol';
import type { Request, Response, Router } from 'express';
import type { z, ZodType } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { authorize } from '../auth/guards.ts';
import { AppError, validationError } from './errors.ts';

type Parsed<S> = S extends ZodType ? z.output<S> : undefined;

export interface RouteInput<R extends RouteSpec> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  body: Parsed<R['body']>;
}

export interface RouteContext {
  actor: Actor | null;
  req: Request;
  res: Response;
}

type Result<R extends RouteSpec> = R['success'] extends { body: infer B extends ZodType } ? z.input<B> : void;

export type ActorResolver = (req: Request) => Promise<Actor | null>;

function parsePart(schema: ZodType | undefined, value: unknown, where: string, empty: unknown) {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? empty);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/**
 * Mounts one route of the `API` contract: resolves the actor, authorises, parses params, query and
 * body (400 with field errors, before anything is written), runs the handler, and sends only what
 * the success schema allows.
 */
export function mount<R extends RouteSpec>(
  router: Router,
  spec: R,
  resolveActor: ActorResolver,
  handler: (input: RouteInput<R>, ctx: RouteContext) => Promise<Result<R>>,
): void {
  router[spec.method](spec.path, async (req, res) => {
    const actor = await resolveActor(req);
    authorize(spec.access, actor);
    if (spec.body && !req.is('application/json') && req.method !== 'GET') {
      throw new AppError('validation_failed', 'Send the body as application/json.');
    }
    const input = {
      params: parsePart(spec.params, req.params, 'path', {}),
      query: parsePart(spec.query, req.query, 'query', {}),
      body: parsePart(spec.body, req.body, 'body', undefined),
    } as RouteInput<R>;
    const result = await handler(input, { actor, req, res });
    // A handler that answered in another format (a printable HTML page) has sent its response already.
    if (res.headersSent) return;
    const { status, body } = spec.success;
    if (body) res.status(status).json(body.parse(result));
    else res.status(status).end();
  });
}
