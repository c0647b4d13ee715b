// Package access checks who may perform the deployment tasks of an OCS
// 2007 R2 / Lync voice deployment, and least privilege under Lync Server
// 2013 role-based access control (RBAC).
//
// # The rules as data
//
// [Tasks] is Table 1 of the OCS 2007 R2 security requirements,
// "Administrative Credentials Required for Deployment Tasks", whole: every
// section and procedure (and the sub-steps the source bullets), each with
// the credentials cell exactly as written ([Task.Says]), what it needs as
// a formula over [Credential]s ([Task.Need]: "and", "or", conditions), the
// reading of the text where it is not plain ([Task.Reading]), and its
// lines in the source. [Credentials] says where the evidence for each
// credential comes from: an AD group the membership export shows, a local
// right, a right outside AD, or a condition. [Roles] is the Lync Server
// 2013 predefined RBAC roles table. The source texts are in testdata/, and
// the tests walk them and fail on any procedure or role missing from the
// data.
//
// # Facts, then judgment
//
// [ReadMembers] parses the group membership export (Get-ADGroupMember
// -Recursive, as CSV) and [ReadAdminRoles] the RBAC roles export
// (Get-CsAdminRole | ConvertTo-Json), in the encodings Windows PowerShell
// 5.1 and PowerShell 7 write; their errors name the file and line. [Judge]
// is a pure function of those facts and the plan's expectations (the
// operators, their tasks and scopes): it returns the findings CRED-MISSING,
// CRED-EXCESS, RBAC-GLOBAL-SCOPE, RBAC-CSADMIN-BROAD, RBAC-ROLE-INVALID and
// RBAC-SCRIPT-PATH.
//
// Evidence has four grades ([Holding]): the export shows the operator
// holds a credential, or shows they lack it (an exported group they are
// not in); the plan attests a right AD cannot show; or nothing shows
// either. A need is judged in that logic: "and" takes the weakest part,
// "or" the strongest. A task met only by attestation is info; one that
// depends on something unknown is inconclusive, never passed.
package access
