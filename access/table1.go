package access

import (
	"fmt"
	"strings"
)

// SourceTable1 names the document Table 1 comes from.
const SourceTable1 = "Office Communications Server 2007 R2 security requirements, Table 1. Administrative Credentials Required for Deployment Tasks"

// Section is a section of Table 1: the server role or feature its
// procedures deploy.
type Section struct {
	ID    string  // the prefix of its tasks' IDs, e.g. "SE"
	Name  string  // as the source writes it, e.g. "Standard Edition"
	Line  int     // the heading's line in the source (access/testdata/ocs2007r2-security-requirements.txt)
	Tasks []*Task // its procedures in source order
}

// Task is one procedure of Table 1, or one sub-step of a procedure the
// source breaks into bullets ("Create Enterprise pool: ..."), with the
// credentials it needs.
type Task struct {
	ID        string   // short and stable: "SE-5", "EVPBX-1a"
	Section   *Section // the section it is in
	Procedure string   // as the source writes it
	Step      string   // for a sub-step, its name as the source writes it; else ""
	// Says is the credentials cell as the source writes it, one line per
	// element, typography included.
	Says []string
	// Need is what the task requires, modelled from Says. A procedure with
	// Steps needs all of them.
	Need Need
	// Delegable marks tasks that deploy or activate a server (or create a
	// pool) and need Domain Admins: by the note above Table 1, a group
	// given the subset of those permissions with the setup delegation
	// wizard may stand in for Domain Admins.
	Delegable bool
	// Reading documents how Need was read from Says where the text is not
	// a single plain credential.
	Reading string
	// Lines is the task's first and last line in the source.
	Lines [2]int
	// Steps are the sub-steps of a procedure the source breaks into
	// bullets; Parent is the procedure of a sub-step.
	Steps  []*Task
	Parent *Task
	// OrNext marks a procedure the source joins to the next one with "OR":
	// the two are alternatives and share the next one's credentials cell.
	OrNext bool

	sameAs []string // Need is any of these tasks' needs (Device Update Service)
}

// Name is the task's full name: "Section / Procedure", or "Section /
// Procedure / Step" for a sub-step. Plans name tasks this way.
func (t *Task) Name() string {
	s := t.Section.Name + " / " + t.Procedure
	if t.Step != "" {
		s += " / " + t.Step
	}
	return s
}

// Requirement is the task's need in words, for listings: for a procedure
// with sub-steps, the steps' IDs (each listed on its own); for a task that
// needs what other tasks need, their IDs with the need.
func (t *Task) Requirement() string {
	if len(t.Steps) > 0 {
		ids := make([]string, len(t.Steps))
		for i, st := range t.Steps {
			ids[i] = st.ID
		}
		return "every sub-step: " + strings.Join(ids, ", ")
	}
	if len(t.sameAs) > 0 {
		return "what " + strings.Join(t.sameAs, " or ") + " needs: " + t.Need.String()
	}
	return t.Need.String()
}

// Ref cites the task's place in the source: the table, the section, the
// row and the procedure (and sub-step). [Task.Lines] has its lines in the
// source text.
func (t *Task) Ref() string {
	row := 0
	for i, x := range t.Section.Tasks {
		if x == t || x == t.Parent {
			row = i + 1
		}
	}
	where := fmt.Sprintf(`%s: %s, row %d "%s"`, SourceTable1, t.Section.Name, row, t.Procedure)
	if t.Step != "" {
		where += fmt.Sprintf(`, sub-step "%s"`, t.Step)
	}
	return where
}

// Why the lists of Table 1 are read as they are. Table 1 has two columns:
// the procedure, and the credentials it needs. Where the credentials cell
// holds several lines, this model reads them as all needed (AllOf), and
// only the source's own "or" as alternatives (AnyOf). The source supports
// this: the Archiving Server's "Install prerequisite software" row writes
// "Administrators group and Domain Admins group (to install Message
// Queuing ...)" on one line, and the Monitoring Server's identical
// procedure writes the same two groups on two lines, so two lines mean
// "and". Where the source writes "or", within a line, it is an
// alternative; the one "OR" between two procedures (Dial-in Conferencing)
// makes the procedures alternatives, not their credentials.
//
// "Administrators group", "Local Administrator", "local Administrators"
// and "Local Administrator credentials" are read as one right: membership
// of the local Administrators group on the computer the task runs on.

// table1 is Table 1, whole, in source order. Line numbers are those of
// access/testdata/ocs2007r2-security-requirements.txt; TestTable1MatchesSource
// walks that text and fails on any difference.
var table1 = []*Section{
	{ID: "SE", Name: "Standard Edition", Line: 14, Tasks: []*Task{
		{Procedure: "Install prerequisite software", Lines: [2]int{18, 22},
			Says: []string{"RTCUniversalServerAdmins group", "Domain Admins group"},
			Need: allOf(has(RTCUniversalServerAdmins), has(DomainAdmins))},
		{Procedure: "Prepare Active Directory Domain Services (AD\u00a0DS)", Lines: [2]int{24, 30},
			Says: []string{
				"Member of Schema Admins group and Administrator rights on the schema master",
				"Member of EnterpriseAdmins group for the forest root domain",
				"Member of EnterpriseAdmins or DomainAdmins group",
			},
			Need:    prepareADDS,
			Reading: readingPrepareADDS},
		{Procedure: "Prepare Windows for setup", Lines: [2]int{32, 34},
			Says: []string{"Administrators group"},
			Need: has(LocalAdministrators)},
		{Procedure: "Create and verify DNS records", Lines: [2]int{36, 38},
			Says: []string{"DNS Admins group"},
			Need: has(DNSAdmins)},
		{Procedure: "Deploy and activate Standard Edition server and applications", Lines: [2]int{40, 44},
			Says:      []string{"RTCUniversalServerAdmins group", "Domain Admins group"},
			Need:      allOf(has(RTCUniversalServerAdmins), has(DomainAdmins)),
			Delegable: true},
		{Procedure: "Configure Standard Edition server", Lines: [2]int{46, 48},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Configure certificates for Office Communications Server", Lines: [2]int{50, 54},
			Says: []string{"Administrators group", "RTCUniversalServerAdmins group"},
			Need: allOf(has(LocalAdministrators), has(RTCUniversalServerAdmins))},
		{Procedure: "Start the services", Lines: [2]int{56, 58},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Validate server configuration", Lines: [2]int{60, 62},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Optionally, configure A/V and Web conferencing", Lines: [2]int{64, 66},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
	}},
	{ID: "EE", Name: "Enterprise Edition, Consolidated Topology", Line: 68, Tasks: []*Task{
		{Procedure: "Install prerequisite software", Lines: [2]int{72, 76},
			Says: []string{"RTCUniversalServerAdmins group", "Domain Admins group"},
			Need: allOf(has(RTCUniversalServerAdmins), has(DomainAdmins))},
		{Procedure: "Prepare AD\u00a0DS", Lines: [2]int{78, 84},
			Says: []string{
				"Member of the Schema Admins group and Administrator rights on the schema master",
				"Member of the EnterpriseAdmins group for the forest root domain",
				"Member of the EnterpriseAdmins or DomainAdmins group",
			},
			Need:    prepareADDS,
			Reading: readingPrepareADDS},
		{Procedure: "Prepare Windows for setup", Lines: [2]int{86, 88},
			Says: []string{"Administrators group"},
			Need: has(LocalAdministrators)},
		{Procedure: "Install SQL Server", Lines: [2]int{90, 92},
			Says: []string{"Local Administrator"},
			Need: has(LocalAdministrators)},
		{Procedure: "Configure SQL Server for Office Communications Server", Lines: [2]int{94, 98},
			Says: []string{"SQL Server administrator", "Local administrator"},
			Need: allOf(has(SQLServerAdministrator), has(LocalAdministrators))},
		{Procedure: "Optionally, configure a load balancer for the pool", Lines: [2]int{100, 102},
			Says: []string{"Load balancer administrator"},
			Need: has(LoadBalancerAdministrator)},
		{Procedure: "Create and verify DNS records", Lines: [2]int{104, 106},
			Says: []string{"DNS Admins group"},
			Need: has(DNSAdmins)},
		{Procedure: "Create the pool", Lines: [2]int{108, 112},
			Says:      []string{"RTCUniversalServerAdmins group", "Domain Admins group"},
			Need:      allOf(has(RTCUniversalServerAdmins), has(DomainAdmins)),
			Delegable: true,
			Reading:   "creating the pool is what the Enterprise Voice sections call \"Create Enterprise pool: RTCUniversalServerAdmins and Domain Admins or equivalent credentials\"; it is delegable like them"},
		{Procedure: "Configure the pool and applications", Lines: [2]int{114, 116},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Add servers to the pool", Lines: [2]int{118, 124},
			Says:      []string{"Administrators group", "RTCUniversalServerAdmins group", "Domain Admins group"},
			Need:      allOf(has(LocalAdministrators), has(RTCUniversalServerAdmins), has(DomainAdmins)),
			Delegable: true,
			Reading:   "adding a server to the pool deploys and activates it"},
		{Procedure: "Configure certificates for Office Communications Server", Lines: [2]int{126, 130},
			Says: []string{"Administrators group", "RTCUniversalServerAdmins group"},
			Need: allOf(has(LocalAdministrators), has(RTCUniversalServerAdmins))},
		{Procedure: "Start the services", Lines: [2]int{132, 134},
			Says: []string{"RTCUniversalServerAdmins"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Validate the server and pool configuration", Lines: [2]int{136, 138},
			Says: []string{"RTCUniversalServerAdmins"},
			Need: has(RTCUniversalServerAdmins)},
	}},
	{ID: "DIAL", Name: "Dial-in Conferencing", Line: 140, Tasks: []*Task{
		installActivateOCS(144),
		{Procedure: "Activate Conferencing Attendant and Conferencing Announcement Service applications", Lines: [2]int{152, 156},
			Says:      []string{"RTCUniversalServerAdmins group", "Domain Admins group"},
			Need:      allOf(has(RTCUniversalServerAdmins), has(DomainAdmins)),
			Delegable: true,
			Reading:   readingActivateApp},
		{Procedure: "Install, activate, and configure the 2007 R2 version of Microsoft Office Communicator Web Access server", Lines: [2]int{158, 162},
			Says:      []string{"Administrators group", "Domain Admins group"},
			Need:      allOf(has(LocalAdministrators), has(DomainAdmins)),
			Delegable: true},
		{Procedure: "Optionally, enable remote user access to Communicator Web Access", Lines: [2]int{164, 168},
			Says:    []string{"Administrators group", "Domain Admins group"},
			Need:    allOf(has(LocalAdministrators), has(DomainAdmins)),
			Reading: "enabling remote access configures a deployed server; it neither deploys nor activates one, so the setup delegation note does not apply"},
		{Procedure: "Test the Dial-in Conferencing Web page", Lines: [2]int{170, 172},
			Says: []string{"Office Communications Server 2007 R2 user"},
			Need: has(OCSUser)},
		{Procedure: "Create one or more location profiles", Lines: [2]int{174, 176},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Configure a global policy to support dial-in conferencing", Lines: [2]int{178, 180},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Deploy a Mediation Server", Lines: [2]int{182, 184},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Deploy a third-party basic media gateway", Lines: [2]int{186, 194},
			OrNext: true,
			Need:   hasFor(RTCUniversalServerAdmins, "to configure Mediation Server"),
			Reading: "the source joins this procedure and \"Configure the Mediation Server to perform SIP trunking\" with \"OR\" and gives one credentials cell for both: " +
				"\"RTCUniversalServerAdmins group (to configure Mediation Server)\" applies to either alternative, since both configure the Mediation Server's next hop; " +
				"\"Administrator of the SIP trunking provider\" belongs to SIP trunking only"},
		{Procedure: "Configure the Mediation Server to perform SIP trunking", Lines: [2]int{190, 194},
			Says: []string{"RTCUniversalServerAdmins group (to configure Mediation Server)", "Administrator of the SIP trunking provider"},
			Need: allOf(hasFor(RTCUniversalServerAdmins, "to configure Mediation Server"), has(SIPTrunkingProviderAdministrator)),
			Reading: "the alternative to \"Deploy a third-party basic media gateway\" (the source's \"OR\"); both lines of the cell are needed, " +
				"the Mediation Server side in AD and the provider's side outside it"},
	}},
	{ID: "RGS", Name: "Response Group Service", Line: 196, Tasks: []*Task{
		installActivateOCS(200),
		{Procedure: "Activate the Response Group Service application", Lines: [2]int{208, 212},
			Says:      []string{"RTCUniversalServerAdmins group", "Domain Admins group"},
			Need:      allOf(has(RTCUniversalServerAdmins), has(DomainAdmins)),
			Delegable: true,
			Reading:   readingActivateApp},
		{Procedure: "Add agents, create agent groups, and create queues for the server pool", Lines: [2]int{214, 216},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Create the workflows", Lines: [2]int{218, 220},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Configure the Response Group tab", Lines: [2]int{222, 224},
			Says:    []string{"Domain Admins group"},
			Need:    has(DomainAdmins),
			Reading: "configuring the Communicator tab neither deploys nor activates a server, so the setup delegation note does not apply"},
	}},
	{ID: "ARCH", Name: "Archiving Server", Line: 226, Tasks: []*Task{
		{Procedure: "Install prerequisite software", Lines: [2]int{230, 232},
			Says:    []string{"Administrators group and Domain Admins group (to install Message Queuing with Active Directory integration enabled)"},
			Need:    allOf(has(LocalAdministrators), hasFor(DomainAdmins, "to install Message Queuing with Active Directory integration enabled")),
			Reading: readingMSMQ},
		{Procedure: "Install and activate Archiving Server", Lines: [2]int{234, 238},
			Says:      []string{"Administrators group", "Domain Admins or RTCUniversalServerAdmins group"},
			Need:      allOf(has(LocalAdministrators), anyOf(has(DomainAdmins), has(RTCUniversalServerAdmins))),
			Delegable: true},
		{Procedure: "Configure Archiving Server associations", Lines: [2]int{240, 242},
			Says: []string{"Administrators group"},
			Need: has(LocalAdministrators)},
		{Procedure: "Configure users for archiving", Lines: [2]int{244, 246},
			Says: []string{"RTCUniversalUserAdmins group"},
			Need: has(RTCUniversalUserAdmins)},
		{Procedure: "Start the archiving services", Lines: [2]int{248, 250},
			Says:    []string{"RTCUniversalUserAdmins Group"},
			Need:    has(RTCUniversalUserAdmins),
			Reading: "the source names the user administrators' group for starting services (elsewhere RTCUniversalServerAdmins or Administrators); modelled as written"},
	}},
	{ID: "MON", Name: "Monitoring Server", Line: 252, Tasks: []*Task{
		{Procedure: "Install prerequisite software", Lines: [2]int{256, 260},
			Says:    []string{"Administrators group", "Domain Admins group (to install Message Queuing with Active Directory integration enabled)"},
			Need:    allOf(has(LocalAdministrators), hasFor(DomainAdmins, "to install Message Queuing with Active Directory integration enabled")),
			Reading: readingMSMQ + "; the Archiving Server's identical row joins the same two groups with \"and\""},
		{Procedure: "Install and activate Monitoring Server", Lines: [2]int{262, 266},
			Says:      []string{"Administrators group", "Domain Admins or RTCUniversalServerAdmins group"},
			Need:      allOf(has(LocalAdministrators), anyOf(has(DomainAdmins), has(RTCUniversalServerAdmins))),
			Delegable: true},
		{Procedure: "Start the services", Lines: [2]int{268, 270},
			Says: []string{"Administrators group"},
			Need: has(LocalAdministrators)},
		{Procedure: "Deploy Monitoring Server reports", Lines: [2]int{272, 274},
			Says: []string{"Administrators group"},
			Need: has(LocalAdministrators)},
		{Procedure: "Configure Monitoring Server associations", Lines: [2]int{276, 278},
			Says: []string{"Administrators group"},
			Need: has(LocalAdministrators)},
	}},
	{ID: "CWA", Name: "Communicator Web Access", Line: 280, Tasks: []*Task{
		{Procedure: "Install and activate", Lines: [2]int{284, 286},
			Says:      []string{"Domain Admins"},
			Need:      has(DomainAdmins),
			Delegable: true},
		cwaSetting("Create virtual server", 288, "Domain Admins, or RTCUniversalServerAdmins and local Administrators"),
		cwaSetting("Publish Communicator Web Access URLs", 292, "Domain Admins, or RTCUniversalServerAdmins and local administrators"),
		cwaSetting("Manage Communicator Web Access settings", 296, "Domain Admins, or RTCUniversalServerAdmins and local administrators"),
	}},
	{ID: "GC", Name: "Group Chat", Line: 300, Tasks: []*Task{
		{Procedure: "Create SQL Server database", Lines: [2]int{304, 306},
			Says: []string{"Database administrator"},
			Need: has(DatabaseAdministrator)},
		localAdminTask("Set up Group Chat accounts and permissions", 308, "Administrators group"),
		localAdminTask("Obtain certificates for Group Chat", 312, "Administrators group"),
		localAdminTask("Install Group Chat", 316, "Administrators group"),
		localAdminTask("Configure Web site settings in IIS", 320, "Administrators group"),
		{Procedure: "Connect the Group Chat Administration Tool to Group Chat", Lines: [2]int{324, 328},
			Says: []string{"Administrators group", "Channel service administrator"},
			Need: allOf(has(LocalAdministrators), has(ChannelServiceAdministrator))},
		localAdminTask("Configure Group Chat user access", 330, "Administrators group"),
		{Procedure: "Deploy archiving and compliance support", Lines: [2]int{334, 338},
			Says: []string{"Database administrator", "Administrators group"},
			Need: allOf(has(DatabaseAdministrator), has(LocalAdministrators))},
	}},
	{ID: "TOOLS", Name: "Administrative Tools", Line: 340, Tasks: []*Task{
		{Procedure: "Install Administrative Tools on a centralized administrative console that is not running Office Communications Server", Lines: [2]int{344, 348},
			Says:    []string{"Administrators group", "Domain Admins group"},
			Need:    allOf(has(LocalAdministrators), has(DomainAdmins)),
			Reading: "the console runs no Office Communications Server, so no server is deployed or activated and the setup delegation note does not apply"},
		{Procedure: "Configure user account settings", Lines: [2]int{350, 352},
			Says: []string{"RTCUniversalUserAdmins"},
			Need: has(RTCUniversalUserAdmins)},
		{Procedure: "Configure all other settings (other than user account settings)", Lines: [2]int{354, 356},
			Says: []string{"RTCUniversalServerAdmins"},
			Need: has(RTCUniversalServerAdmins)},
	}},
	{ID: "EDGE", Name: "Edge Server", Line: 358, Tasks: []*Task{
		localAdminTask("Set up the infrastructure for Edge Servers", 362, "Administrators group"),
		edgeTask("Set up Edge Servers", 366),
		edgeTask("Configure the environment", 372),
		edgeTask("Validate edge configuration", 378),
	}},
	{ID: "CMWM", Name: "Communicator Mobile for Windows Mobile", Line: 384, Tasks: []*Task{
		mobileTask("Install prerequisites", 388),
		mobileTask("Install Communicator Mobile for Windows Mobile", 392),
		mobileTask("Install self-signed certificates", 396),
		mobileTask("Configure the client", 400),
		mobileTask("Test IM and presence", 404),
	}},
	{ID: "CMJ", Name: "Communicator Mobile for Java", Line: 408, Tasks: []*Task{
		mobileTask("Verify that prerequisites and dependencies are met", 412),
		mobileTask("Deploy the Communicator Mobile component", 416),
		mobileTask("Install Communicator Mobile for Java client software", 420),
		mobileTask("Configure and use the client", 424),
		mobileTask("Test IM and presence", 428),
	}},
	{ID: "OVC", Name: "Outside Voice Control", Line: 432, Tasks: []*Task{
		installActivateOCS(436),
		{Procedure: "Activate Outside Voice Control application", Lines: [2]int{444, 448},
			Says:      []string{"RTCUniversalServerAdmins group", "Domain Admins group"},
			Need:      allOf(has(RTCUniversalServerAdmins), has(DomainAdmins)),
			Delegable: true,
			Reading:   readingActivateApp},
		{Procedure: "Start the application", Lines: [2]int{450, 452},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Test Outside Voice dialing on a supported mobile client", Lines: [2]int{454, 456},
			Says: []string{"Office Communications Server 2007 R2 user"},
			Need: has(OCSUser)},
	}},
	{ID: "EVPBX", Name: "Enterprise Voice with PBX Coexistence", Line: 458, Tasks: []*Task{
		deployOCSSteps("Deploy Office Communications Server, including Mediation Server that connects to the PBX", 462, "Create Enterprise pool"),
		deployCommunicator(476),
		{Procedure: "Enable users for IM and presence", Lines: [2]int{480, 482},
			Says: []string{"RTCUniversalUserAdmins group"},
			Need: has(RTCUniversalUserAdmins)},
		{Procedure: "Configure Communications Server for Enterprise Voice", Lines: [2]int{484, 486},
			Says: []string{"RTCUniversalServerAdmins group"},
			Need: has(RTCUniversalServerAdmins)},
		{Procedure: "Configure PBX to fork calls to Office Communications Server", Lines: [2]int{488, 490},
			Says:    []string{"RTCUniversalServerAdmins (to get information from AD\u00a0DS to convert an extension into the correct telephone URI)"},
			Need:    hasFor(RTCUniversalServerAdmins, "to get information from AD\u00a0DS to convert an extension into the correct telephone URI"),
			Reading: "the source names only the OCS side; whatever the PBX's own administration requires is not in Table 1"},
		deployMediaGateways("Deploy media gateways (if required)", 492),
		{Procedure: "Deploy RCC gateway (if required)", Lines: [2]int{496, 498},
			Says:    []string{"RCC gateways are external systems their own authentication and authorization schemes. You must be at least a member of the RTCUniversalServerAdmins group to create the required trusted service entries."},
			Need:    allOf(has(RCCGatewayAdministrator), hasFor(RTCUniversalServerAdmins, "to create the required trusted service entries")),
			Reading: "an RCC gateway is administered in its own scheme, outside AD, and its trusted service entries always need RTCUniversalServerAdmins (unlike a media gateway's, which are needed only if it requires them)"},
		{Procedure: "Enable users for Enterprise Voice and PBX integration", Lines: [2]int{500, 502},
			Says: []string{"RTCUniversalUserAdmins group"},
			Need: has(RTCUniversalUserAdmins)},
	}},
	{ID: "EV", Name: "Enterprise Voice stand-alone (no PBX coexistence)", Line: 504, Tasks: []*Task{
		deployOCSSteps("Deploy Office Communications Server", 508, "Create enterprise pool"),
		deployCommunicator(522),
		{Procedure: "Configure Office Communications Server for Enterprise Voice", Lines: [2]int{526, 528},
			Says: []string{"RTCUniversalUserAdmins group"},
			Need: has(RTCUniversalUserAdmins),
			Reading: "the source names the user administrators' group here, while the same procedure with PBX coexistence names RTCUniversalServerAdmins; " +
				"modelled as written (it may be an error in the source)"},
		{Procedure: "Deploy Exchange Server 2007 Unified Messaging and configure to integrate with Office Communications Server", Lines: [2]int{530, 537},
			Steps: []*Task{
				{Step: "For Office Communications Server", Lines: [2]int{532, 532},
					Says: []string{"RTCUniversalServerAdmins group"},
					Need: has(RTCUniversalServerAdmins)},
				{Step: "For Exchange Server", Lines: [2]int{534, 537},
					Says: []string{
						"Exchange Organization Administrators permissions are sufficient when Office Communications Server and Exchange Server are running in the same forest.",
						"Note:",
						"The user account used to configure Exchange Unified Messaging must have READ access to Office Communications Server pools in AD\u00a0DS and READ/WRITE access on the Exchange configuration containers (First Organization\\UM Dial Plan Container, UM IP Gateway Container, UM Auto Attendant Container, and so on).",
					},
					Need: anyOf(allOf(has(ExchangeOrganizationAdministrators), has(SameForest)), has(UMContainerAccess)),
					Reading: "the note says what the account must have (READ on the OCS pools, READ/WRITE on the UM containers); " +
						"Exchange Organization Administrators is \"sufficient\" only when OCS and Exchange share a forest, so it is one way to have it, under that condition"},
			}},
		deployMediaGateways("Deploy media gateways", 539),
		{Procedure: "Enable users for Enterprise Voice", Lines: [2]int{543, 545},
			Says: []string{"RTCUniversalUserAdmins group"},
			Need: has(RTCUniversalUserAdmins)},
	}},
	{ID: "DUS", Name: "Device Update Service", Line: 547, Tasks: []*Task{
		{Procedure: "Deployment", Lines: [2]int{551, 553},
			Says:      []string{"Device Update Service is automatically installed on the Web Components Server. There are no specific deployment permissions needed outside those required to deploy Standard Edition or Enterprise Edition."},
			sameAs:    []string{"SE-5", "EE-10"},
			Delegable: true,
			Reading: "\"those required to deploy Standard Edition or Enterprise Edition\": the need of \"Deploy and activate Standard Edition server and applications\" (SE-5) " +
				"or of \"Add servers to the pool\" (EE-10), which installs the Web Components Server of a consolidated pool"},
	}},
}

// The need of Prepare AD DS, in both editions.
var prepareADDS = allOf(
	allOf(has(SchemaAdmins), has(SchemaMasterAdministrators)),
	has(EnterpriseAdmins),
	anyOf(has(EnterpriseAdmins), has(DomainAdmins)),
)

const (
	readingPrepareADDS = "the three lines are the schema, forest and domain preparation steps in that order; one operator performing the procedure needs all three lines. " +
		"\"EnterpriseAdmins group for the forest root domain\" is the Enterprise Admins group (it exists only in the forest root). " +
		"The source does not name the steps, so they are not separate tasks"
	readingMSMQ        = "Domain Admins here installs Message Queuing with AD integration, a prerequisite, not an OCS server: the setup delegation note does not apply"
	readingActivateApp = "activating an application creates its objects in AD like activating a server; the setup delegation note is read to apply"
)

func installActivateOCS(line int) *Task {
	return &Task{Procedure: "Install and activate Office Communications Server 2007 R2", Lines: [2]int{line, line + 6},
		Says:      []string{"Administrators group", "RTCUniversalServerAdmins group", "Domain Admins group"},
		Need:      allOf(has(LocalAdministrators), has(RTCUniversalServerAdmins), has(DomainAdmins)),
		Delegable: true}
}

func cwaSetting(procedure string, line int, says string) *Task {
	return &Task{Procedure: procedure, Lines: [2]int{line, line + 2},
		Says:    []string{says},
		Need:    anyOf(has(DomainAdmins), allOf(has(RTCUniversalServerAdmins), has(LocalAdministrators))),
		Reading: "\"A, or B and C\": the comma before \"or\" makes Domain Admins one alternative and RTCUniversalServerAdmins with local Administrators the other"}
}

func localAdminTask(procedure string, line int, says string) *Task {
	return &Task{Procedure: procedure, Lines: [2]int{line, line + 2}, Says: []string{says}, Need: has(LocalAdministrators)}
}

func edgeTask(procedure string, line int) *Task {
	return &Task{Procedure: procedure, Lines: [2]int{line, line + 4},
		Says: []string{"Administrators group", "Domain Admins or RTCUniversalServerAdmins group"},
		Need: allOf(has(LocalAdministrators), anyOf(has(DomainAdmins), has(RTCUniversalServerAdmins))),
		Reading: "Edge Servers sit in the perimeter and are not, as a rule, joined to the domain; the setup delegation note (servers joined to an AD domain) " +
			"is not applied, and the row already offers RTCUniversalServerAdmins instead of Domain Admins"}
}

func mobileTask(procedure string, line int) *Task {
	return &Task{Procedure: procedure, Lines: [2]int{line, line + 2}, Says: []string{"Administrator"}, Need: has(Administrator)}
}

func deployCommunicator(line int) *Task {
	return &Task{Procedure: "Deploy Office Communicator 2007", Lines: [2]int{line, line + 2},
		Says: []string{"Administrator on the computer on which Office Communicator is being installed"},
		Need: has(ClientComputerAdministrator)}
}

// deployOCSSteps is the bulleted "Deploy Office Communications Server"
// procedure of the two Enterprise Voice sections; pool is how the section
// capitalises its first step.
func deployOCSSteps(procedure string, line int, pool string) *Task {
	step := func(name string, i int, says string, need Need) *Task {
		return &Task{Step: name, Lines: [2]int{line + 2 + 2*i, line + 2 + 2*i}, Says: []string{says}, Need: need}
	}
	create := step(pool, 0, "RTCUniversalServerAdmins and Domain Admins or equivalent credentials",
		allOf(has(RTCUniversalServerAdmins), has(DomainAdmins)))
	create.Delegable = true
	create.Reading = "\"RTCUniversalServerAdmins and Domain Admins or equivalent credentials\" is read as RTCUniversalServerAdmins and (Domain Admins or equivalent credentials), " +
		"as the Enterprise Edition's \"Create the pool\" needs both groups; the equivalent credentials are the group the setup delegation wizard gives " +
		"Domain Admins' deployment permissions (the note above Table 1), named in the plan as access.setup_delegation_group"
	return &Task{Procedure: procedure, Lines: [2]int{line, line + 12}, Steps: []*Task{
		create,
		step("Configure pool", 1, "RTCUniversalServerAdmins", has(RTCUniversalServerAdmins)),
		step("Add server to pool", 2, "RTCUniversalServerAdmins", has(RTCUniversalServerAdmins)),
		step("Configure certificate", 3, "RTCUniversalServerAdmins", has(RTCUniversalServerAdmins)),
		step("Configure Web Components Server certificate", 4, "Local Administrator credentials", has(LocalAdministrators)),
		step("Validate server and pool functionality", 5, "RTCUniversalServerAdmins", has(RTCUniversalServerAdmins)),
	}}
}

func deployMediaGateways(procedure string, line int) *Task {
	return &Task{Procedure: procedure, Lines: [2]int{line, line + 2},
		Says: []string{"Media gateways are external systems their own authentication and authorization schemes. If the media gateway requires creation of trusted service entries, you must be at least a member of the RTCUniversalServerAdmins group."},
		Need: allOf(has(MediaGatewayAdministrator), anyOf(hasFor(RTCUniversalServerAdmins, "to create trusted service entries"), has(NoTrustedServiceEntries))),
		Reading: "the gateway is administered in its own scheme, outside AD; RTCUniversalServerAdmins is needed only if the gateway requires trusted service entries, " +
			"modelled as RTCUniversalServerAdmins or the condition that it requires none"}
}

var (
	tasks    []*Task          // every task and sub-step, in source order
	taskByID map[string]*Task // by upper-case ID
)

func init() {
	taskByID = map[string]*Task{}
	for _, s := range table1 {
		for i, t := range s.Tasks {
			t.Section = s
			t.ID = fmt.Sprintf("%s-%d", s.ID, i+1)
			tasks = append(tasks, t)
			taskByID[t.ID] = t
			if len(t.Steps) == 0 {
				continue
			}
			parts := make([]Need, len(t.Steps))
			for j, st := range t.Steps {
				st.Section, st.Parent, st.Procedure = s, t, t.Procedure
				st.ID = t.ID + string(rune('a'+j))
				parts[j] = st.Need
				tasks = append(tasks, st)
				taskByID[strings.ToUpper(st.ID)] = st
				t.Delegable = t.Delegable || st.Delegable
			}
			t.Need = allOf(parts...)
		}
	}
	for _, t := range tasks {
		if len(t.sameAs) == 0 {
			continue
		}
		parts := make([]Need, len(t.sameAs))
		for i, id := range t.sameAs {
			parts[i] = taskByID[id].Need
		}
		t.Need = anyOf(parts...)
	}
}

// Sections returns Table 1's sections in source order. The entries are
// shared; do not modify them.
func Sections() []*Section { return table1 }

// Tasks returns every task of Table 1 in source order: each procedure,
// followed by its sub-steps when the source gives them. The entries are
// shared; do not modify them.
func Tasks() []*Task { return tasks }

// TaskByID returns the task with the short ID id ("SE-5", "evpbx-1a"),
// case-insensitively.
func TaskByID(id string) (*Task, bool) {
	t, ok := taskByID[strings.ToUpper(strings.TrimSpace(id))]
	return t, ok
}
