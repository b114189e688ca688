# The SageMaker Processing container: the binary `make build` produced plus OpenBLAS on a slim
# Debian. One stage: the binary is self-contained (bun build --compile), so nothing is compiled
# or fetched from npm inside the image, and no certificate of the build machine enters it.
#   x86_64:  make docker                (builds dist/active-sampling first)
#   arm64:   make build && docker buildx build --platform linux/arm64 \
#              --build-arg BINARY=dist/active-sampling-linux-arm64 -t active-sampling:arm64 .
# `make docker-smoke` builds it and runs it as SageMaker does (scripts/docker-smoke.sh).
# Several instances: each reads /opt/ml/config/resourceconfig.json and writes under
# <output>/<current_host>/; a failure's reason goes to /opt/ml/output/message (README).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libopenblas0-pthread \
    && rm -rf /var/lib/apt/lists/*
ARG BINARY=dist/active-sampling
COPY ${BINARY} /usr/local/bin/active-sampling
# SageMaker passes `--job_type <label>` (ProcessingStep arguments) after the entrypoint.
ENTRYPOINT ["/usr/local/bin/active-sampling"]
