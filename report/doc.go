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
//   - text: the verdict, what needs attention per target, how many checks
//     passed, what to do next ([WriteText]; [TextOptions.Verbose] adds the passes)
//   - json: the documented "voipsec/v1" schema ([WriteJSON], docs/json-schema.md)
//   - junit: JUnit XML, one testsuite per target and one testcase per check,
//     named by the property it tests ([WriteJUnit])
//   - sarif: SARIF 2.1.0 ([WriteSARIF])
//   - html: one self-contained page for a change ticket ([WriteHTML]), with
//     the run's [Param]s and the [MatrixCell]s a command supplies
//
// Every catalog entry ([Check]) names both the problem (Title) and the
// property the check tests (Property); reports list checks by property and ID.
//
// # Exit status
//
// [ExitCode] maps findings to the process exit status: 0 when nothing is at or
// above the --fail-on threshold, 1 when something is, 3 when nothing is but
// a check was inconclusive. Status 2 (usage or operational error) is
// decided by the command, not here.
package report
