# The SageMaker Processing container: the compiled binary plus OpenBLAS on a slim Debian.
# Builds for the architecture it runs on (x86_64 or arm64/Graviton): `npm ci` installs bun's
# runtime for that CPU (@oven/bun-linux-x64 or @oven/bun-linux-aarch64, both pinned in
# package-lock.json), `bun build --compile` targets the CPU it runs on, and Debian's
# libopenblas0-pthread exists for both (ffi/load.ts looks in /usr/lib/aarch64-linux-gnu too).
#   x86_64:  make docker
#   arm64:   docker buildx build --platform linux/arm64 -t active-sampling:arm64 .
#            (native on an arm64 host; on x86_64 buildx emulates the build with qemu/binfmt)
# `make arm64-smoke` checks that the arm64 binary selects byte for byte what the x86_64 one does.
# Several instances: each reads /opt/ml/config/resourceconfig.json and writes under
# <output>/<current_host>/; a failure's reason goes to /opt/ml/output/message (README).
FROM debian:bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm make ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN ./node_modules/.bin/bun build --compile --minify src/main.ts --outfile /active-sampling

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libopenblas0-pthread \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /active-sampling /usr/local/bin/active-sampling
# SageMaker passes `--job_type <strategy>` (ProcessingStep arguments) after the entrypoint.
ENTRYPOINT ["/usr/local/bin/active-sampling"]
