# syntax=docker/dockerfile:1

# grants-api container image.
#   docker build -t grants-api .
#   docker run -p 9000:9000 -e DATABASE_URL=postgres://... -e SECRET_KEY=... grants-api
# See docker-compose.yml for a set-up with its own PostgreSQL.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: all dependencies, compile TypeScript, then drop the development dependencies -----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false

COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

COPY nest-cli.json tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

# --- runtime: compiled code and production dependencies only, as the unprivileged `node` user --
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=9000 \
    DATA_DIR=/app/.data
WORKDIR /app

COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Only used without DATABASE_URL (embedded PostgreSQL and generated SECRET_KEY); mount a volume
# here to keep that data. The application files themselves stay owned by root, read-only to `node`.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 9000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 9000) + '/-/health/live/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# main.ts drains requests and shuts down cleanly on SIGTERM (docker stop). The heap ceiling is
# npm start's (package.json, README "Memory").
CMD ["node", "--max-old-space-size=1024", "dist/src/main.js"]
