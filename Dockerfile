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
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data PORT=3000
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# Migrations run at start-up (instrumentation.ts); `npm run cli -- …` works inside the container too.
CMD ["npx", "next", "start", "-p", "3000"]
