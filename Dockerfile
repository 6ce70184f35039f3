# syntax=docker/dockerfile:1
# Union Hall's container image: the static binary that scripts/release
# builds for the machine's own architecture, on Debian slim, run as an
# unprivileged user with its database in the /data volume.
#
#   docker build -t unionhall \
#     --build-arg VERSION="$(git describe --tags --always)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" .
#   docker run -d --name unionhall --env-file unionhall.env \
#     -v unionhall-data:/data unionhall
#
# See docs/install.md, "Container".

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# The build context has no .git: the version and commit come from here
# (empty: the version in cmd/unionhall/version.go, commit unknown).
ARG VERSION
ARG COMMIT
ARG BUILD_DATE
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	VERSION="$VERSION" COMMIT="$COMMIT" BUILD_DATE="$BUILD_DATE" scripts/release --no-deb native \
	&& cp "dist/unionhall-linux-$(go env GOARCH)" /unionhall

FROM debian:bookworm-slim
# ca-certificates: TLS to Slack and Discord; curl: the health check.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates curl \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin unionhall \
	&& mkdir -p /data \
	&& chown unionhall:unionhall /data
COPY --from=build /unionhall /usr/local/bin/unionhall
COPY polls/units.example.yaml /usr/share/unionhall/examples/units.example.yaml
COPY reminders/deadlines.yaml /usr/share/unionhall/examples/deadlines.example.yaml

ENV UNIONHALL_DB=/data/unionhall.db \
	UNIONHALL_HTTP_ADDR=0.0.0.0:8080
VOLUME /data
WORKDIR /data
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
	CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/unionhall"]
CMD ["run"]
