// The web process: serves the SvelteKit build and forwards /api and /socket.io (with websocket
// upgrades) to the API server, so the browser only ever talks to one origin.
import './node-compat.js';
import { createServer, type IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfig, stopOnSignals } from '@hub/platform';
import { createProxyMiddleware } from 'http-proxy-middleware';

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const config = loadConfig();
const logger = createLogger('web');
const apiTarget = config.API_INTERNAL_URL ?? `http://${config.HOST}:${config.SERVER_PORT}`;

// Resolved from this file, not the working directory: `npm start` runs it from the repo root.
const handlerPath = fileURLToPath(new URL('./build/handler.js', import.meta.url));

let handler: Handler;
try {
  ({ handler } = (await import(handlerPath)) as { handler: Handler });
} catch (error) {
  logger.fatal({ err: error, handlerPath }, 'web build missing: run `npm run build -w @hub/web` first');
  process.exit(1);
}

const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
  target: apiTarget,
  pathFilter: ['/api', '/socket.io'],
  ws: true,
  // Keep the browser's Host (cookies and origin checks see the public origin); set X-Forwarded-* to
  // what this process sees (see forgetForwarded).
  changeOrigin: false,
  xfwd: true,
  on: {
    error: (err, req, res) => {
      logger.warn({ err, url: req.url }, 'API proxy error');
      if (res instanceof ServerResponse && !res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'service_unavailable', message: 'The API server is not reachable' }));
      } else if (!(res instanceof ServerResponse)) {
        res.destroy();
      }
    },
  },
});

/**
 * The API believes this process's X-Forwarded-For (TRUST_PROXY), so it must carry only the address
 * this process sees: xfwd appends to what the client sent, and a forged entry would then pass for the
 * client's address (and dodge every per-IP limit). Dropped here, they are written afresh.
 */
function forgetForwarded(req: IncomingMessage): void {
  for (const name of Object.keys(req.headers)) if (name.startsWith('x-forwarded-')) delete req.headers[name];
}

const server = createServer((req, res) => {
  forgetForwarded(req);
  void proxy(req, res, () => {
    handler(req, res, () => {
      res.statusCode = 404;
      res.end('Not found');
    });
  });
});
// Listeners run in the order they were added: the headers are gone before the proxy sees the upgrade.
server.on('upgrade', forgetForwarded);
server.on('upgrade', proxy.upgrade);

server.listen(config.WEB_PORT, config.HOST, () => {
  logger.info({ url: `http://${config.HOST}:${config.WEB_PORT}`, api: apiTarget }, 'web listening');
});

stopOnSignals(
  logger,
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  3000,
);
