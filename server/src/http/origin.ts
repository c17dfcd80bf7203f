import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from './errors.ts';

/** Methods that change nothing; every other one must come from the hub's own pages when a browser sends it. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a browser sent this from another site's page. Browsers name the page's origin on every
 * state-changing request and WebSocket handshake; a request without Origin (curl, scripts, tests)
 * carries no victim's intent and is judged by its credentials alone. `Sec-Fetch-Site` covers a
 * browser that leaves Origin out.
 */
export function isForeignOrigin(headers: IncomingHttpHeaders, allowed: ReadonlySet<string>): boolean {
  if (headers.origin !== undefined) return !allowed.has(headers.origin);
  return headers['sec-fetch-site'] === 'cross-site';
}

export const crossOriginRefused = () =>
  new AppError('cross_origin_refused', "This request came from another site's page; open the hub at its own address.");

/**
 * Refuses state-changing requests from other sites before their body is read (cross-site request
 * forgery): the Lax session cookie still reaches pages on a sibling subdomain, and a body-less POST
 * or a text/plain upload needs no CORS preflight.
 */
export function originGuard(allowed: ReadonlySet<string>): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || !isForeignOrigin(req.headers, allowed)) return next();
    req.log.warn({ method: req.method, path: req.path, origin: req.headers.origin }, 'cross-origin request refused');
    next(crossOriginRefused());
  };
}
