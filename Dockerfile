# The SageMaker Processing container: the compiled binary plus OpenBLAS on a slim Debian.
# Builds for the architecture it runs on (x86_64 or arm64/Graviton); `make docker` builds it.
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
