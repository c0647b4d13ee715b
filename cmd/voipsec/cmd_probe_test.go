package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestProbeUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"probe"}, "at least one target"},
		{[]string{"probe", "sip:host;transport=sctp"}, `"sip:host;transport=sctp"`},
		{[]string{"probe", "host:99999"}, `"host:99999"`},
		{[]string{"probe", "--voip-security", "Semi", "host"}, "--voip-security"},
		{[]string{"probe", "--encryption", "maybe", "host"}, "--encryption"},
		{[]string{"probe", "--offer", "nope", "host"}, "--offer"},
		{[]string{"probe", "--internal", "a:5061", "host"}, "--external"},
		{[]string{"probe", "--cert", "x.pem", "host"}, "--key"},
		{[]string{"probe", "-j", "0", "host"}, "--jobs"},
		{[]string{"probe", "--format", "yaml", "host"}, "--format"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errOut, code := runVoipsec(t, c.args...)
			if code != exitError || out != "" || !strings.Contains(errOut, c.want) {
				t.Fatalf("code %d stdout %q stderr %q, want exit 2 naming %s", code, out, errOut, c.want)
			}
		})
	}
}

func TestProbeHelp(t *testing.T) {
	out, _, code := runVoipsec(t, "probe", "--help")
	for _, want := range []string{"Examples:", "--media-seconds", "--voip-security", "--internal", "Exit status:"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if code != 0 {
		t.Fatal(code)
	}
}

func TestProbeClosedPort(t *testing.T) {
	out, _, code := runVoipsec(t, "probe", "--step-timeout", "1s", "sip:127.0.0.1:1;transport=tcp", "--format", "json")
	if code != exitFindings {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var doc struct {
		Verdict  string `json:"verdict"`
		Findings []struct {
			Check string `json:"check"`
		} `json:"findings"`
		Data struct {
			Probe struct {
				Targets []struct {
					Name   string `json:"name"`
					Status string `json:"status"`
				} `json:"targets"`
			} `json:"probe"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err, out)
	}
	if doc.Verdict != "fail" || len(doc.Data.Probe.Targets) != 1 || doc.Data.Probe.Targets[0].Status != "connection-refused" {
		t.Fatalf("%+v", doc)
	}
}
