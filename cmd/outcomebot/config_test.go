package main

import (
	"strings"
	"testing"
)

// TestDefaultZoneWarning: an OUTCOMEBOT_TZ that ignores daylight saving
// (EST) still starts, with a warning naming the Area/City zone to use; an
// Area/City zone or UTC gives none.
func TestDefaultZoneWarning(t *testing.T) {
	for tz, want := range map[string]string{"EST": "America/New_York", "CET": "Europe/Berlin", "Europe/Berlin": "", "UTC": ""} {
		t.Run(tz, func(t *testing.T) {
			e := newToolEnv(t)
			e.env["OUTCOMEBOT_TZ"] = tz
			_, stderr, err := e.run("export", "--workspace", e.ws)
			if err != nil {
				t.Fatalf("export with OUTCOMEBOT_TZ=%s: %v", tz, err)
			}
			warned := strings.Contains(stderr, `"level":"WARN"`) && strings.Contains(stderr, "OUTCOMEBOT_TZ")
			if warned != (want != "") || !strings.Contains(stderr, want) {
				t.Errorf("OUTCOMEBOT_TZ=%s: warned=%v, want a warning naming %q; stderr:\n%s", tz, warned, want, stderr)
			}
		})
	}
}
