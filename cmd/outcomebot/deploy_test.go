package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// deployDir holds the container image build and the Kubernetes manifests.
const deployDir = "../../manifests/deploy"

// runtimeEnv are environment variables the Deployment may set that are not
// outcomebot settings: the Go runtime's own.
var runtimeEnv = []string{"GOMEMLIMIT"}

// k8sObject is the part of a Kubernetes object the checks read.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Resources  []string          `yaml:"resources"` // Kustomization
	Spec       struct {
		Replicas                      *int           `yaml:"replicas"`
		MinAvailable                  any            `yaml:"minAvailable"`
		Selector                      map[string]any `yaml:"selector"`
		VolumeClaimTemplates          []any          `yaml:"volumeClaimTemplates"`
		TerminationGracePeriodSeconds int            `yaml:"terminationGracePeriodSeconds"`
		Template                      struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               struct {
		RunAsNonRoot *bool `yaml:"runAsNonRoot"`
		RunAsUser    int   `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	Containers []container `yaml:"containers"`
}

type container struct {
	Name string `yaml:"name"`
	Env  []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom any    `yaml:"valueFrom"`
	} `yaml:"env"`
	EnvFrom []struct {
		SecretRef    *struct{ Name string } `yaml:"secretRef"`
		ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
	} `yaml:"envFrom"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
	} `yaml:"httpGet"`
	Exec any `yaml:"exec"`
}

// readManifests parses every YAML document under deployDir.
func readManifests(t *testing.T) map[string][]k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "*", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests under %s: %v", deployDir, err)
	}
	out := map[string][]k8sObject{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(false)
		for {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.APIVersion == "" || o.Kind == "" || (o.Metadata.Name == "" && o.Kind != "Kustomization") {
				t.Errorf("%s: a document without apiVersion, kind or name: %+v", f, o)
			}
			out[filepath.Base(f)] = append(out[filepath.Base(f)], o)
		}
	}
	return out
}

// find returns the object of kind and name, from any file.
func find(all map[string][]k8sObject, kind, name string) (k8sObject, bool) {
	for _, objs := range all {
		for _, o := range objs {
			if o.Kind == kind && o.Metadata.Name == name {
				return o, true
			}
		}
	}
	return k8sObject{}, false
}

// settingNamed returns the setting of an environment variable.
func settingNamed(env string) (setting, bool) {
	for _, s := range settings {
		if s.env == env {
			return s, true
		}
	}
	return setting{}, false
}

// TestDeployManifests parses every manifest and checks that the bot's
// environment (env and the Secrets it reads with envFrom) names only
// settings the config knows, that secret settings never appear as plain
// values, and the properties the deployment promises: three replicas,
// probes on /readyz and /healthz, resources, a restrictive security
// context, a grace period longer than the shutdown, a PDB, a Service and
// Redis with AOF always on a persistent volume.
func TestDeployManifests(t *testing.T) {
	all := readManifests(t)
	dep, ok := find(all, "Deployment", "outcomebot")
	if !ok {
		t.Fatal("no Deployment outcomebot")
	}
	var bot *container
	for i := range dep.Spec.Template.Spec.Containers {
		if dep.Spec.Template.Spec.Containers[i].Name == "outcomebot" {
			bot = &dep.Spec.Template.Spec.Containers[i]
		}
	}
	if bot == nil {
		t.Fatal("the Deployment has no outcomebot container")
	}
	checkBotEnv(t, all, bot)
	if r := dep.Spec.Replicas; r == nil || *r != 3 {
		t.Errorf("replicas = %v, want 3", r)
	}
	if p := bot.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" {
		t.Error("readiness probe is not GET /readyz")
	}
	if p := bot.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
		t.Error("liveness probe is not GET /healthz")
	}
	checkResourcesAndSecurity(t, "outcomebot", dep.Spec.Template.Spec, bot)
	checkGracePeriod(t, dep.Spec.Template.Spec, bot)
	if pdb, ok := find(all, "PodDisruptionBudget", "outcomebot"); !ok || pdb.Spec.MinAvailable == nil {
		t.Error("no PodDisruptionBudget outcomebot with minAvailable")
	}
	if _, ok := find(all, "Service", "outcomebot"); !ok {
		t.Error("no Service outcomebot")
	}
	checkRedis(t, all)
	checkKustomization(t, all)
}

// checkBotEnv checks the bot container's environment against settings.
func checkBotEnv(t *testing.T, all map[string][]k8sObject, bot *container) {
	t.Helper()
	for _, e := range bot.Env {
		s, known := settingNamed(e.Name)
		switch {
		case !known && !slices.Contains(runtimeEnv, e.Name):
			t.Errorf("the Deployment sets %s, which is no setting in config.go", e.Name)
		case known && s.secret && e.ValueFrom == nil:
			t.Errorf("secret setting %s has a plain value in the Deployment; read it from a Secret", e.Name)
		}
	}
	for _, from := range bot.EnvFrom {
		var kind, name string
		switch {
		case from.SecretRef != nil:
			kind, name = "Secret", from.SecretRef.Name
		case from.ConfigMapRef != nil:
			kind, name = "ConfigMap", from.ConfigMapRef.Name
		default:
			continue
		}
		src, ok := find(all, kind, name)
		if !ok {
			t.Errorf("envFrom names %s %s, which no manifest defines (not even as an example)", kind, name)
			continue
		}
		for key := range mergeMaps(src.Data, src.StringData) {
			if _, known := settingNamed(key); !known {
				t.Errorf("%s %s holds %s, which is no setting in config.go", kind, name, key)
			}
		}
	}
}

func mergeMaps(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// checkResourcesAndSecurity checks requests, a memory limit and a
// restrictive security context.
func checkResourcesAndSecurity(t *testing.T, name string, pod podSpec, c *container) {
	t.Helper()
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("%s: resources lack cpu/memory requests or a memory limit: %+v", name, c.Resources)
	}
	sc := c.SecurityContext
	if nonRoot := pod.SecurityContext.RunAsNonRoot; nonRoot == nil || !*nonRoot || pod.SecurityContext.RunAsUser == 0 {
		t.Errorf("%s: pod does not run as a non-root user", name)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: allowPrivilegeEscalation is not false", name)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: root filesystem is not read-only", name)
	}
	if !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("%s: capabilities not dropped", name)
	}
}

// checkGracePeriod: Kubernetes waits longer than the drain delay plus the
// shutdown timeout before it kills the pod.
func checkGracePeriod(t *testing.T, pod podSpec, c *container) {
	t.Helper()
	var drain, shutdown time.Duration
	for _, e := range c.Env {
		switch e.Name {
		case "OUTCOMEBOT_DRAIN_DELAY":
			drain, _ = time.ParseDuration(e.Value)
		case "OUTCOMEBOT_SHUTDOWN_TIMEOUT":
			shutdown, _ = time.ParseDuration(e.Value)
		}
	}
	if shutdown == 0 {
		s, _ := settingNamed("OUTCOMEBOT_SHUTDOWN_TIMEOUT")
		shutdown, _ = time.ParseDuration(s.def)
	}
	grace := time.Duration(pod.TerminationGracePeriodSeconds) * time.Second
	if grace == 0 {
		grace = 30 * time.Second // Kubernetes' default
	}
	if grace <= drain+shutdown {
		t.Errorf("terminationGracePeriodSeconds %v is not above drain %v + shutdown %v", grace, drain, shutdown)
	}
}

// checkRedis: a StatefulSet with a volume claim and AOF with fsync always.
func checkRedis(t *testing.T, all map[string][]k8sObject) {
	t.Helper()
	ss, ok := find(all, "StatefulSet", "outcomebot-redis")
	if !ok || len(ss.Spec.VolumeClaimTemplates) == 0 {
		t.Fatal("no StatefulSet outcomebot-redis with a volume claim template")
	}
	checkResourcesAndSecurity(t, "outcomebot-redis", ss.Spec.Template.Spec, &ss.Spec.Template.Spec.Containers[0])
	cm, ok := find(all, "ConfigMap", "outcomebot-redis")
	conf := cm.Data["redis.conf"]
	for _, want := range []string{`(?m)^appendonly yes$`, `(?m)^appendfsync always$`, `(?m)^maxmemory-policy noeviction$`} {
		if !ok || !regexp.MustCompile(want).MatchString(conf) {
			t.Errorf("redis.conf lacks %s", want)
		}
	}
}

// checkKustomization: every resource listed exists, and the Secret
// example is not among them.
func checkKustomization(t *testing.T, all map[string][]k8sObject) {
	t.Helper()
	k, ok := all["kustomization.yaml"]
	if !ok || len(k) != 1 {
		t.Fatal("no kustomization.yaml")
	}
	for _, r := range k[0].Resources {
		if _, ok := all[r]; !ok {
			t.Errorf("kustomization lists %s, which does not exist", r)
		}
		if strings.Contains(r, "example") {
			t.Errorf("kustomization applies %s", r)
		}
	}
}

// TestDockerfile reads the image build, which cannot run here: a
// multi-stage build of a static binary, an empty final image with CA
// certificates and time-zone data, and a non-root user.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("not a multi-stage build: %v", froms)
	}
	final := df[strings.LastIndex(df, "\nFROM "):]
	for _, want := range []string{"CGO_ENABLED=0", "./cmd/outcomebot", "-trimpath"} {
		if !strings.Contains(df, want) {
			t.Errorf("the build lacks %s", want)
		}
	}
	for _, want := range []string{"ca-certificates.crt", "/usr/share/zoneinfo", `ENTRYPOINT ["/outcomebot"]`} {
		if !strings.Contains(final, want) {
			t.Errorf("the final image lacks %s", want)
		}
	}
	user := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindStringSubmatch(final)
	if user == nil || strings.HasPrefix(user[1], "0") || strings.HasPrefix(user[1], "root") {
		t.Errorf("the final image does not switch to a non-root user: %v", user)
	}
	if !strings.Contains(froms[0][1], "golang:1.26") {
		t.Errorf("build stage %s is not Go 1.26 (go.mod asks for 1.26)", froms[0][1])
	}
}
