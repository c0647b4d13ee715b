// Package plan reads voipsec's pre-cutover plan: a version-controlled YAML
// file describing an OCS 2007 R2 / Lync / Exchange UM voice deployment (its
// trust material, UM dial plans and servers, the clients' encryption level,
// the Mediation Servers with their internal edge, external edge and gateway,
// the media port range and IPsec) and what each endpoint must satisfy. It
// checks the plan statically against the rules, and live against every
// endpoint it names.
//
// The file format is documented in docs/plan.md; testdata/plans/example.yaml
// is a complete example.
//
// # Loading
//
// [Load] reads and validates a plan. Every problem is an [*Error] that
// starts with file:line:col and names the field path, for example
//
//	prod.yaml:14:18: mediation_servers[0].gateway.transport: unknown transport "tsl" (accepted: udp, tcp, tls)
//
// Loading goes on after a problem, and [ErrorList] holds all of them. The
// loader walks YAML nodes (go.yaml.in/yaml/v3) rather than decoding into
// structs, so unknown fields, wrong kinds and wrong enum values are reported
// at the exact key or value, and a hostile file is bounded by [MaxFileSize]
// and a node budget that counts alias expansion.
//
// # Checks
//
// [Static] runs the rules that need no network: dial plans not Unsecured,
// each dial plan against the client and server encryption levels, the
// gateway leg over TLS, the two Mediation Server edges on different
// addresses, the IPsec exception covering a small media port range, and the
// certificates the plan names (unexpired, trusted by the plan's CA, valid for
// the server's FQDN, with the EKUs mutual TLS needs). A plan that declares
// nothing to check does not load.
//
// [Live] probes every endpoint concurrently, calling the number the plan
// gives for it ([Plan.CallTo]: call_to, or the dial plan's pilot_number),
// and judges what each probe observed once, with [sipcheck.Judge]: the
// endpoint's role decides what it must enforce ([Role.Matrix]), and what
// the plan says of it are inputs to that judgement ([Plan.Expectations]).
// What the facts cannot decide (an offer the edge never evaluated, a run
// that was interrupted, an endpoint that could not be reached) is
// inconclusive, never a pass or a failure.
//
// Every finding carries a [report.Location] pointing at the plan line it
// comes from.
//
// # Access
//
// The access section (plan/access.go, docs/access.md) names the AD group
// membership and Lync RBAC role exports and the operators of the cutover
// with their Table 1 tasks; [AccessChecks] judges them with package
// access, and [Static] includes those findings. A plan may hold only this
// section.
package plan
