// Package docs carries voipsec's documentation into the binary, so that a
// user who ran 'go install' reads the same text as one with the source:
// 'voipsec help plan' prints [Plan], 'voipsec help access' [Access], and 'voipsec demo --write-plan DIR'
// writes [ExamplePlan] with certificates beside it.
package docs

import _ "embed"

// Plan is docs/plan.md: the plan file format for 'voipsec check'.
//
//go:embed plan.md
var Plan string

// Access is docs/access.md: the plan's access section, the AD and RBAC
// exports and how 'voipsec roles' reads Table 1 ('voipsec help access').
//
//go:embed access.md
var Access string

// ExamplePlan is docs/example-plan.yaml, a copy of
// testdata/plans/example.yaml (a test keeps them equal): a complete plan of
// a Contoso deployment whose certificate files live in pki/ beside it.
//
//go:embed example-plan.yaml
var ExamplePlan string

// ExamplePlanFiles are the files ExamplePlan names, relative to its folder.
var ExamplePlanFiles = []string{"pki/ca.pem", "pki/probe.pem", "pki/probe-key.pem", "pki/um01.pem", "pki/med01.pem"}
