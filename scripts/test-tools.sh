#!/usr/bin/env bash
# Tools two tests need besides the services, installed when missing (idempotent, skipped when present):
#   chromium      Debian's package: test/e2e/web-ui.test.ts drives it headless against the Temporal
#                 Web UI (Playwright's own browser download is not used)
#   compose-spec  compose-go's validator, built from its Go module into .chsync/tools/: the loader
#                 behind `docker compose config`, for test/integration/services/docker-compose.test.ts
#                 without a Docker engine or the compose plugin
# The test setup runs this after `scripts/services.sh up`; `bash scripts/test-tools.sh path` prints
# where compose-spec is.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=services/common.sh
source "$here/services/common.sh"

# Later tags need a newer Go than Debian's or the machine's.
COMPOSE_GO_VERSION="${CHSYNC_COMPOSE_GO_VERSION:-v2.16.2}"
compose_spec="$repo_root/.chsync/tools/compose-spec-$COMPOSE_GO_VERSION"

install_chromium() {
  [ -x "${CHSYNC_CHROMIUM:-/usr/bin/chromium}" ] && return 0
  apt_install chromium
}

install_compose_spec() {
  [ -x "$compose_spec" ] && return 0
  command -v go >/dev/null || die "no Go toolchain to build compose-spec (install golang-go, or Go from go.dev)"
  local bin
  bin="$(mktemp -d)"
  say "go install github.com/compose-spec/compose-go/v2/cmd@$COMPOSE_GO_VERSION"
  GOBIN="$bin" go install "github.com/compose-spec/compose-go/v2/cmd@$COMPOSE_GO_VERSION" ||
    die "go install of compose-go's validator failed"
  mkdir -p "$(dirname "$compose_spec")"
  mv "$bin/cmd" "$compose_spec"
  rmdir "$bin"
}

case "${1:-install}" in
  install)
    install_chromium
    install_compose_spec
    ;;
  path) echo "$compose_spec" ;;
  *)
    echo "usage: $0 [install|path]" >&2
    exit 2
    ;;
esac
