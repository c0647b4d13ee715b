// Package report holds voipsec's one result model, the check catalog and the
// renderers that format results for people and machines.
//
// Every check, live or offline, ends as a [Finding]: a stable check ID from the
// catalog ([Lookup], [Checks]), a [Severity], the target that was looked at, a
// one-line summary, the evidence, and the rule it enforces. Renderers only
// format findings; they never decide anything.
//
// # Formats
//
//   - text: an aligned table grouped by target ([WriteText])
//   - json: the documented "voipsec/v1" schema ([WriteJSON], docs/json-schema.md)
//   - junit: JUnit XML, one testsuite per target and one testcase per check ([WriteJUnit])
//
// # Exit status
//
// [ExitCode] maps findings to the process exit status: 0 when nothing is at or
// above the --fail-on threshold, 1 when something is. Status 2 (usage or
// operational error) is decided by the command, not here.
package report
