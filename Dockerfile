# The portal as a container image. Build stage: dev dependencies, the Astro site and the compiled server.
# Run stage: production dependencies only, a non-root user, tini as PID 1 passing signals to node,
# a HEALTHCHECK on /healthz and DATA_DIR (/data) as a volume. See docs/deploy.md.
#
#   docker build -t safer-lives-portal .
#   docker build --build-arg BASE_IMAGE=local/node:24-bookworm -t safer-lives-portal .   # a local base (docs/deploy.md)
ARG BASE_IMAGE=node:24-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 is compiled when no prebuilt binary can be downloaded.
RUN if ! command -v g++ >/dev/null || ! command -v make >/dev/null || ! command -v python3 >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*; \
    fi
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV ASTRO_TELEMETRY_DISABLED=1
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE} AS run
RUN if ! command -v tini >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*; \
    fi \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin portal \
 && mkdir -p /data && chown portal:portal /data && chmod 0700 /data
WORKDIR /app
# Only what runs: the build, production node_modules, and the files read at run time (server/paths.ts).
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/db/migrations ./db/migrations
COPY --from=build /app/server/offices/offices.config.json ./server/offices/offices.config.json
COPY --from=build /app/server/security/common-passwords.txt ./server/security/common-passwords.txt
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4321 DATA_DIR=/data
USER portal
VOLUME ["/data"]
EXPOSE 4321
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4321) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini is PID 1: it reaps zombies and passes SIGTERM/SIGINT straight to node, which shuts down gracefully.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/app/server/main.js"]
