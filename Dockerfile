# One image for every process of the hub; docker-compose.yml picks the command (server, worker, web,
# migrate). TypeScript runs through tsx as in development: there is no separate build step apart from
# the Prisma client and the SvelteKit bundle.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so that a source change does not reinstall them.
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY platform/package.json platform/
COPY prisma/package.json prisma/
COPY search/package.json search/
COPY matching/package.json matching/
COPY server/package.json server/
COPY worker/package.json worker/
COPY web/package.json web/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run generate -w @hub/db \
 && npm run generate -w @hub/web \
 && npm run build -w @hub/web \
 && mkdir -p /data/evidence && chown -R node:node /data && chmod 700 /data/evidence

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/data
USER node
EXPOSE 3000 4000 4001
CMD ["node_modules/.bin/tsx", "server/src/main.ts"]
