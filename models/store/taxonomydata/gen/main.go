// Command gen writes the taxonomy migration for both dialects from the CSV
// files of package taxonomydata. Run from models/store (go generate does).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"portal/models/store/taxonomydata"
)

func main() {
	sql, err := taxonomydata.MigrationSQL()
	if err != nil {
		fmt.Fprintln(os.Stderr, "taxonomy data:", err)
		os.Exit(1)
	}
	for _, dialect := range []string{"postgres", "sqlite"} {
		path := filepath.Join("migrations", dialect, taxonomydata.MigrationFile)
		if err := os.WriteFile(path, sql, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
