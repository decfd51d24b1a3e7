# poolkeeper's container image: the bundled command (scripts/bundle.ts: the program and its dependencies in one
# directory of minified ES modules, no node_modules) on Node 24 slim, run as a non-root user with `poolkeeper` as the
# entrypoint. test/charts/dockerfile.test.ts checks that the build context (.dockerignore) holds everything these
# COPY lines and the build read.
#
#   docker build -t poolkeeper:0.1.0 .
#   docker run --rm poolkeeper:0.1.0 check pools/

# Bundles the TypeScript sources and their dependencies into dist/bundle/ (the package's own build, less tsc's dist/:
# the image runs the bundle alone).
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/bundle.ts scripts/
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
RUN node scripts/bundle.ts

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
# package.json makes the bundle's files ES modules; bin/poolkeeper.js runs dist/bundle/ when there are no sources.
# The bundle holds its dependencies (and their licences, THIRD-PARTY-LICENSES.txt): no node_modules.
COPY package.json ./
COPY bin/poolkeeper.js bin/
COPY --from=build /src/dist/bundle dist/bundle/
# The image's `node` user, by number, so that runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["node", "/app/bin/poolkeeper.js"]
CMD ["--help"]
