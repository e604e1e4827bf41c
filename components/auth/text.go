// Package auth holds the sign-in views.
package auth

// T holds the sign-in page's user-visible strings.
var T = struct {
	Title, Intro, Email, Password, Submit, SignedOut, Required string
}{
	Title:     "Sign in",
	Intro:     "Brokers, bank staff and customers sign in with their e-mail address.",
	Email:     "E-mail address",
	Password:  "Password",
	Submit:    "Sign in",
	SignedOut: "You have been signed out.",
	Required:  "Enter your e-mail address and password.",
}
