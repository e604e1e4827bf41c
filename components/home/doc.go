// Package home holds the start pages of staff, admins and customers.
package home
