package main

import (
	"strings"
	"testing"
)

// A mistyped flag gets the closest accepted one as a hint, like a mistyped
// command does.
func TestFlagTypoSuggestion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		hint string
	}{
		{[]string{"matrix", "--voipsecurity", "Secured"}, "did you mean --voip-security?"},
		{[]string{"matrix", "--no-colour"}, "did you mean --no-color?"},
		{[]string{"check", "--ofline", "p.yaml"}, "did you mean --offline?"},
		{[]string{"probe", "--enumarate", "x:5061"}, "did you mean --enumerate?"},
		{[]string{"simulate", "--tls-prot=0"}, "did you mean --tls-port?"},
		{[]string{"demo", "--formt", "json"}, "did you mean --format?"},
		{[]string{"matrix", "--zzzzzz"}, "run 'voipsec help matrix' for the flags"},
	} {
		_, errOut, code := runVoipsec(t, tc.args...)
		if code != exitError || !strings.Contains(errOut, "voipsec: hint: "+tc.hint+"\n") {
			t.Errorf("%v: exit %d %q", tc.args, code, errOut)
		}
	}
}

// The documentation travels in the binary: the plan format, the catalog
// and each check.
func TestHelpTopics(t *testing.T) {
	out, _, code := runVoipsec(t, "help", "plan")
	if code != 0 || !strings.HasPrefix(out, "# The voipsec plan") || !strings.Contains(out, "mtls_required") {
		t.Errorf("help plan: exit %d %.200q", code, out)
	}
	out, _, code = runVoipsec(t, "help", "checks")
	if code != 0 || !strings.Contains(out, "  MTLS-NOT-REQUIRED           fail  server requires a client certificate\n") {
		t.Errorf("help checks: exit %d\n%s", code, out)
	}
	for _, id := range []string{"SRTP-MEDIA-AUTH-FAILED", "srtp-media-auth-failed"} {
		out, _, code = runVoipsec(t, "help", id)
		for _, want := range []string{"SRTP-MEDIA-AUTH-FAILED: peer's SRTP media authenticates\n", "Problem: SRTP media failed authentication", "Why:", "Fix:", "Rule:    RFC 3711 §3.4"} {
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("help %s: exit %d, lacks %q\n%s", id, code, want, out)
			}
		}
	}
	for _, tc := range []struct{ topic, hint string }{
		{"plna", "did you mean 'voipsec help plan'?"},
		{"GW-NO-TSL", "did you mean 'voipsec help GW-NO-TLS'?"},
		{"chek", "did you mean 'voipsec help check'?"},
	} {
		out, errOut, code := runVoipsec(t, "help", tc.topic)
		if code != exitError || out != "" || !strings.Contains(errOut, `no command, topic or check named "`+tc.topic+`"`) || !strings.Contains(errOut, tc.hint) {
			t.Errorf("help %s: exit %d %q", tc.topic, code, errOut)
		}
	}
	out, _, _ = runVoipsec(t, "help")
	if !strings.Contains(out, "voipsec help CHECK-ID") {
		t.Errorf("top help does not mention the topics:\n%s", out)
	}
}
