# One image recipe for every crh service: docker build --build-arg SERVICE=ingest ...
# Node 24 runs the TypeScript sources directly (type stripping), so there is no
# build step for the services; `turbo prune` keeps each image to the workspaces
# its service uses. The browser pages a service serves (the gateway: GraphiQL)
# are built with Vite in the `web` stage, and only their dist/ goes on.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS prune
ARG SERVICE
WORKDIR /app
COPY . .
# The turbo the lock file pins, so the pruned lock file is what CI checks.
RUN npx --yes turbo@2.11.11 prune @crh/${SERVICE} --docker

FROM ${NODE_IMAGE} AS web
ARG SERVICE
WORKDIR /app
# The context has no dist/ (.dockerignore): every page is built from its sources.
COPY . .
# The pages each service serves, built with their own dependencies only (Vite,
# React, …, which stay in this stage); for other services nothing, and /out is empty.
RUN case "$SERVICE" in \
      gateway) pages="@crh/graphiql @crh/dashboard" ;; \
      *) pages="" ;; \
    esac; \
    mkdir -p /out; \
    if [ -n "$pages" ]; then \
      npm ci $(printf ' -w %s' $pages) --ignore-scripts --no-audit --no-fund && \
      node scripts/build-web.mjs $pages && \
      for dist in services/*/dist; do mkdir -p "/out/$dist" && cp -R "$dist/." "/out/$dist/"; done; \
    fi

FROM ${NODE_IMAGE} AS install
WORKDIR /app
COPY --from=prune /app/out/json/ .
# Exactly the pruned lock file's versions. Install scripts are not needed at
# run time (the embedded PostgreSQL and the pinned Node are development
# conveniences).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=prune /app/out/full/ .

FROM ${NODE_IMAGE}
ARG SERVICE
# Containers listen on every interface of their own network namespace (the
# default, loopback, would be unreachable from outside the container).
ENV NODE_ENV=production SERVICE=${SERVICE} HOST=0.0.0.0 CRH_DATA_DIR=/data
WORKDIR /app
COPY --from=install /app .
# Where CRH_GRAPHIQL_DIR and CRH_DASHBOARD_DIR look by default (services/*/dist under /app).
COPY --from=web /out/ /app/
# The local signing key goes to /data/auth, the master key to /data/keys
# (docs/operations.md). Owned by the user the services run as, so a new
# volume mounted there inherits the owner.
RUN mkdir -p /data/auth /data/keys /data/metrics && chown -R node:node /data && chmod 700 /data/auth /data/keys
USER node
# The tracing preload loads nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set
# (docs/operations.md#traces); it must come before the service's modules load.
CMD ["sh", "-c", "exec node --import ./packages/observability/src/tracing/tracing-preload.ts services/${SERVICE}/src/main.ts"]
