# The shipped image: one static musl binary and the CA bundle, nothing else.
#
# The build stage runs scripts/build-static, the same script as `make
# static`, so the binary in the image is built exactly as on a developer's
# machine. The dependency prefix is its own layer (only scripts/build-static
# and the zlib allocator it builds in are copied before it), so editing src/
# rebuilds just the program.
# Locally `make image` provides debian:bookworm-slim from debootstrap (no
# registry here); on GitHub the same line pulls the official image.
FROM debian:bookworm-slim AS build
WORKDIR /src
COPY scripts/build-static scripts/zlib-zcalloc.c scripts/
RUN scripts/build-static --deps-only
COPY . .
RUN scripts/build-static

# No shell, no libc, no user database: the runner starts the entrypoint
# directly (exec form, so no shell can stand between it and the binary)
# with its own --workdir and environment.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /src/build/static/release-train /release-train
ENTRYPOINT ["/release-train"]
