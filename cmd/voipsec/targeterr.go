package main

import (
	"github.com/voipsec/voipsec/plan"
	"github.com/voipsec/voipsec/report"
	"github.com/voipsec/voipsec/sipcheck"
)

// targetError is a target that could not be probed at all (its name does
// not resolve, nothing accepts a connection): an operational error of that
// target, not a finding about its security. Reports list it in
// data.probe.errors (probe) and data.errors (check).
type targetError struct {
	Target   string           `json:"target"`             // what could not be probed (check: the plan component)
	Status   sipcheck.Status  `json:"status"`             // dns-error, connection-refused, no-route, config-error
	Error    string           `json:"error"`              // what was tried on what, and what happened
	Hint     string           `json:"hint"`               // what to do about it
	Location *report.Location `json:"location,omitempty"` // check: the plan line of the endpoint's address
}

func newTargetError(res *sipcheck.Result, target string, loc *report.Location) targetError {
	return targetError{Target: target, Status: res.Status, Error: res.Error, Hint: plan.NotProbedHint(res.Status), Location: loc}
}
