package admin

// ET holds the entitlements page's user-visible strings.
var ET = struct {
	Title, Intro, Link, ColUser, ColKind, ColRoles, NoRoles, Grant, ChooseRole   string
	Revoke, Empty, Staff, Admin, UnknownUser, UnknownBank, Gone, ChooseRoleError string
	TableLabel, Revoked                                                          string
	Granted                                                                      func(role string) string
	AlreadyHeld                                                                  func(role string) string
	RevokeLabel                                                                  func(role, user string) string
	GrantLabel                                                                   func(user string) string
	AtBank                                                                       func(bank string) string
}{
	Title:           "Entitlements",
	Intro:           "Roles decide what bank staff may do beyond the reply queue, in the portal and through the OBP API. Changes apply at the user's next request and are audited.",
	Link:            "Entitlements",
	ColUser:         "User",
	ColKind:         "Kind",
	ColRoles:        "Roles",
	NoRoles:         "No roles",
	Grant:           "Grant",
	ChooseRole:      "Choose a role…",
	Revoke:          "Revoke",
	Empty:           "There are no staff or administrator accounts.",
	Staff:           "Staff",
	Admin:           "Administrator",
	UnknownUser:     "That user no longer exists. The list below is current.",
	UnknownBank:     "That bank does not exist.",
	Gone:            "That role had already been revoked. The list below is current.",
	ChooseRoleError: "Choose a role to grant.",
	TableLabel:      "Staff and administrators with their roles",
	Revoked:         "The role was revoked.",
	Granted:         func(role string) string { return "Role " + role + " granted." },
	AlreadyHeld:     func(role string) string { return "The user already holds " + role + "." },
	RevokeLabel:     func(role, user string) string { return "Revoke " + role + " from " + user },
	GrantLabel:      func(user string) string { return "Role to grant to " + user },
	AtBank:          func(bank string) string { return "at " + bank },
}
