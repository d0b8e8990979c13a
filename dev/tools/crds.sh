#!/usr/bin/env bash
# The CustomResourceDefinitions of the cluster add-ons, for the end-to-end test that applies the
# program's ClusterSecretStore, ExternalSecret, IngressClassParams and Ingress to a real API
# server. They come from the Go module proxy (reachable from CI, unlike the chart repositories):
# a module zip holds its repository's files, CRD manifests included. Each module is pinned to the
# release whose chart cluster-addons-plan.ts installs:
# - External Secrets Operator v1.3.2: config/crds/bases (chart external-secrets 1.3.2).
# - AWS Load Balancer Controller v3.2.2: config/crd/bases. Its v2+ tags are not valid versions of
#   the module path `sigs.k8s.io/aws-load-balancer-controller` (no /vN suffix), so the proxy
#   serves the release commit as a pseudo-version under the GitHub path; its version.txt reads 3.2.2.
# Copied into .tools/crds/<addon>/ (git-ignored; fetched code is never committed) and kept until
# the pins change.
set -euo pipefail
cd "$(dirname "$0")/../.."
ESO_MODULE=github.com/external-secrets/external-secrets@v1.3.2
LBC_MODULE=github.com/kubernetes-sigs/aws-load-balancer-controller@v0.0.0-20260423195125-93ff3b5fdaad
LBC_VERSION=3.2.2
OUT=.tools/crds
STAMP="$(echo "$ESO_MODULE $LBC_MODULE" | sha256sum | cut -c1-16)"

if [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$STAMP" ]; then
  echo "crds (cached)"
  exit 0
fi
start=$SECONDS
dir_of() {
  # -json prints where the module was extracted (the module cache, shared with every Go tool here).
  go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}
rm -rf "$OUT" && mkdir -p "$OUT/external-secrets" "$OUT/aws-load-balancer-controller"
eso="$(dir_of "$ESO_MODULE")"
lbc="$(dir_of "$LBC_MODULE")"
if [ "$(cat "$lbc/version.txt")" != "$LBC_VERSION" ]; then
  echo "crds: $LBC_MODULE is $(cat "$lbc/version.txt"), not $LBC_VERSION" >&2
  exit 1
fi
for crd in clustersecretstores externalsecrets secretstores; do
  cp "$eso/config/crds/bases/external-secrets.io_${crd}.yaml" "$OUT/external-secrets/"
done
cp "$lbc"/config/crd/bases/elbv2.k8s.aws_*.yaml "$OUT/aws-load-balancer-controller/"
chmod -R u+w "$OUT"
echo "$STAMP" > "$OUT/.stamp"
echo "setup-tools: crds ready in $((SECONDS - start))s"
