// pulumi-resource-kubernetes, built from the provider's Go module with a main of our own.
//
// Upstream's cmd/pulumi-resource-kubernetes/main.go embeds schema-embed.json and
// terraform-mapping-embed.json, files its `go generate` writes from the committed schema.json with
// the release version set; a module zip does not carry them, so that main cannot be built in place.
// dev/tools/kubernetes-provider.sh writes the same two files beside this one from the module's
// schema.json and terraform-mapping.json (the version set, as generate.go does) and links the
// version into pkg/version, so the plugin reports the release it was cut from.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
