package main

import (
	"os"
	"testing"

	"portal/models/store/storetest"
)

// TestMain removes the template databases the tests were copied from.
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
