# Gatehouse: one image, SQLite by default (mount /data), PostgreSQL with DATABASE_URL.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 and ssh2's optional cpu-features compile from source.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci

FROM deps AS build
COPY . .
RUN npx next build

FROM node:20-bookworm-slim
# tini as PID 1: passes SIGTERM on to node and reaps children (a PID 1 ignores signals it has no handler for).
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# NEXT_MANUAL_SIG_HANDLE: Gatehouse, not Next.js, handles SIGTERM (graceful shutdown, lib/lifecycle.ts).
ENV NODE_ENV=production DATA_DIR=/data PORT=3000 NEXT_MANUAL_SIG_HANDLE=true
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# Migrations run at start-up (instrumentation.ts); `npm run cli -- …` works inside the container too.
# node itself runs the server (no npx or shell in between to swallow the signal). On `docker stop`
# running tasks get up to 20 s and the process exits within 30 s: give it that long
# (`docker stop -t 30`, `docker run --stop-timeout 30`, compose `stop_grace_period: 30s`).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "node_modules/next/dist/bin/next", "start", "-p", "3000"]
