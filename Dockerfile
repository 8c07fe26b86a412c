# litekv in a container: the server and the cleanup binary, built from source.
#   docker build -t litekv .
#   docker run -e LITEKV_TOKEN=... -p 8000:8000 -p 6379:6379 -v litekv-data:/data litekv

# Build with the toolchain the crate asks for (rust-version in Cargo.toml).
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
# The same command as the README's "Running without a container".
RUN cargo build --release --locked --bin litekv-server --bin litekv-cleanup

# SQLite is compiled in, so the runtime needs only glibc, and curl for the healthcheck.
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data litekv \
    && mkdir /data \
    && chown litekv:litekv /data
COPY --from=build /src/target/release/litekv-server /src/target/release/litekv-cleanup /usr/local/bin/
USER 10001:10001
WORKDIR /data
VOLUME /data
# Listening beyond loopback, the server refuses to start without a token: pass LITEKV_TOKEN
# (or a token file, or --allow-anonymous for a private network).
ENV LITEKV_BIND=0.0.0.0:8000 \
    LITEKV_RESP_BIND=0.0.0.0:6379 \
    DATABASE_URL=sqlite:///data/db.sqlite3 \
    LITEKV_LOG_FORMAT=json
EXPOSE 8000 6379
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
    CMD ["sh", "-c", "curl --fail --silent --show-error http://127.0.0.1:8000/health || exit 1"]
CMD ["litekv-server"]
