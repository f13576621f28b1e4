#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) for the integration and e2e tests,
# outside the extension's own dependencies. Idempotent. Needs root for apt; see ../README / REAL-VSCODE notes.
set -euo pipefail

VERSION=4.100.3
TOOLS_DIR="${RLM_TOOLS_DIR:-$HOME/.cache/rlm-tools}"
PREFIX="$TOOLS_DIR/code-server"
BIN="$PREFIX/node_modules/.bin/code-server"

if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "^$VERSION"; then
  echo "code-server $VERSION already installed at $PREFIX"
  exit 0
fi

# System packages: kerberos headers (a native module builds from source), ripgrep (seeds the
# @vscode/ripgrep download that would otherwise go to GitHub), chromium (drives the workbench).
export DEBIAN_FRONTEND=noninteractive
need_apt=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v rg >/dev/null || need_apt+=(ripgrep)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v make >/dev/null || need_apt+=(build-essential)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}"
fi

TMP_WORK="$(mktemp -d)"
trap 'rm -rf "$TMP_WORK"' EXIT
export TMPDIR="$TMP_WORK"
RG_CACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE"
tar czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg

mkdir -p "$PREFIX"
cd "$PREFIX"
[ -f package.json ] || echo '{"name":"rlm-code-server","private":true}' > package.json
# A postinstall runs `npx node-gyp`; this machine's npm config says no to prompts.
npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm "code-server@$VERSION"

"$BIN" --version
echo "code-server installed at $PREFIX"
