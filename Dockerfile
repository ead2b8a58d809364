# syntax=docker/dockerfile:1
#
# Two stages: a Rust toolchain of the minimum supported version builds the
# release binary; the runtime image holds only that binary, glibc and CA
# certificates (distroless, no shell, no package manager).
#
#   docker build -t nextcloud-mcp .
#   docker run --rm -p 8000:8000 -v nextcloud-mcp-state:/var/lib/nextcloud-mcp \
#     -e NEXTCLOUD_HOST=https://cloud.example.com -e NEXTCLOUD_USERNAME=alice \
#     -e NEXTCLOUD_PASSWORD=xxxxx-xxxxx-xxxxx-xxxxx-xxxxx nextcloud-mcp
#
# Both base images can be swapped (a mirror, a pinned digest, a locally built
# base) with --build-arg RUST_IMAGE=... / RUNTIME_IMAGE=...; the runtime must
# be Debian 12 based (or newer) so the builder's glibc is not newer than its
# (glibc 2.36 also reads the packed relocations build.rs asks the linker for).

ARG RUST_IMAGE=docker.io/library/rust:1.90-slim-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${RUST_IMAGE} AS builder
WORKDIR /src
# Only what the build reads: the benches are listed in Cargo.toml, so cargo
# wants their files even though it does not build them here.
COPY Cargo.toml Cargo.lock build.rs ./
COPY migrations ./migrations
COPY benches ./benches
COPY src ./src
ARG CARGO_FEATURES=""
RUN cargo build --release --locked --bin nextcloud-mcp ${CARGO_FEATURES:+--features "$CARGO_FEATURES"} \
 && install -D -m 0755 target/release/nextcloud-mcp /out/usr/local/bin/nextcloud-mcp \
 && install -d -m 0700 /out/var/lib/nextcloud-mcp

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="nextcloud-mcp" \
      org.opencontainers.image.description="MCP server for Nextcloud: notes, files, calendar and more, as the calling user" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"
COPY --from=builder /out/usr/local/bin/nextcloud-mcp /usr/local/bin/nextcloud-mcp
# The state directory belongs to the unprivileged user the process runs as
# (65532 is distroless' "nonroot"; numeric, so any base without that user
# name works too).
COPY --from=builder --chown=65532:65532 /out/var/lib/ /var/lib/
USER 65532:65532
# The SQLite store (webhook registrations, audit log, sealed grants) lives on
# a volume so it survives a new container; DATABASE_URL=postgres://... wins
# over it for deployments with several replicas.
# Listening beyond loopback: basic mode then also needs
# NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE=true and NEXTCLOUD_MCP_BASIC_TOKEN (it refuses to start otherwise).
ENV NEXTCLOUD_MCP_LISTEN=0.0.0.0:8000 \
    TOKEN_STORAGE_DB=/var/lib/nextcloud-mcp/store.db \
    HOME=/var/lib/nextcloud-mcp
VOLUME ["/var/lib/nextcloud-mcp"]
# 8000: MCP at /mcp, /healthz, /readyz. 9464: /metrics, only when
# NEXTCLOUD_MCP_METRICS_LISTEN is set (e.g. 0.0.0.0:9464).
EXPOSE 8000 9464
# The image has no curl: the binary checks its own /healthz. Change the URL
# together with NEXTCLOUD_MCP_LISTEN's port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/nextcloud-mcp", "health", "--url", "http://127.0.0.1:8000/healthz"]
ENTRYPOINT ["/usr/local/bin/nextcloud-mcp"]
CMD ["serve"]
