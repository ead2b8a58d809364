// Command strict-decode reads rendered Kubernetes manifests (multi-document
// YAML on stdin) and decodes every document of a built-in kind into its Go
// API type with strict decoding: an unknown or misspelt field, a duplicate
// field or a value of the wrong type fails, as the API server would refuse
// it. It works offline, from the same API types the cluster serves, where
// schema-based validators need schemas downloaded at run time.
//
// Kinds outside the scheme (custom resources such as ServiceMonitor) are
// listed as skipped; the caller checks those another way.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigyaml "sigs.k8s.io/yaml"
)

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

func main() {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme,
		appsv1.AddToScheme,
		autoscalingv2.AddToScheme,
		networkingv1.AddToScheme,
		policyv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			fail("scheme: %v", err)
		}
	}
	decoder := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()

	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	decoded, problems := 0, 0
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail("reading YAML: %v", err)
		}
		if strings.TrimSpace(stripComments(string(doc))) == "" {
			continue
		}
		var h header
		if err := sigyaml.Unmarshal(doc, &h); err != nil {
			fmt.Printf("INVALID: not a YAML object: %v\n", err)
			problems++
			continue
		}
		name := fmt.Sprintf("%s %s (%s)", h.Kind, h.Metadata.Name, h.APIVersion)
		if h.Kind == "" || h.APIVersion == "" {
			fmt.Printf("INVALID: %s: apiVersion and kind are required\n", name)
			problems++
			continue
		}
		if _, _, err := decoder.Decode(doc, nil, nil); err != nil {
			if runtime.IsNotRegisteredError(err) {
				fmt.Printf("skipped: %s: kind not in the built-in API\n", name)
				continue
			}
			fmt.Printf("INVALID: %s: %v\n", name, err)
			problems++
			continue
		}
		decoded++
	}
	fmt.Printf("strict-decode: %d documents decoded, %d invalid\n", decoded, problems)
	if problems > 0 {
		os.Exit(1)
	}
}

func stripComments(doc string) string {
	var kept []string
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "strict-decode: "+format+"\n", args...)
	os.Exit(2)
}
