# poolkeeper's container image: the compiled command on Node 24 slim, production dependencies only, run as a
# non-root user with `poolkeeper` as the entrypoint. test/charts/dockerfile.test.ts checks that the build context
# (.dockerignore) holds everything these COPY lines and the build read.
#
#   docker build -t poolkeeper:0.1.0 .
#   docker run --rm poolkeeper:0.1.0 check pools/

# Compiles the TypeScript sources to dist/ (the package's own build).
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY data/ec2-instance-types.json data/
COPY api/ api/
COPY scheduling/ scheduling/
COPY cloudprovider/ cloudprovider/
COPY runtime/ runtime/
COPY cli/ cli/
COPY policies/ policies/
COPY webhook/ webhook/
COPY gitops/ gitops/
COPY controller/ controller/
COPY adapters/ adapters/
COPY sim/ sim/
RUN npx tsc -p tsconfig.build.json

# The production dependencies alone, from the lockfile (no install scripts: none of them needs one).
FROM node:24-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
# package.json makes dist/ ES modules; bin/poolkeeper.js runs dist/ when there are no sources.
COPY package.json ./
COPY bin/poolkeeper.js bin/
COPY --from=production-dependencies /app/node_modules node_modules/
COPY --from=build /src/dist dist/
# The image's `node` user, by number, so that runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["node", "/app/bin/poolkeeper.js"]
CMD ["--help"]
