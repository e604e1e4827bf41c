package processes_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"portal/components"
	"portal/components/processes"
	"portal/models"
)

// BenchmarkRenderList renders the process list page with 20 rows; the
// baseline is the same page with no rows, so the ratio is the cost of the
// table itself.
func BenchmarkRenderList(b *testing.B) {
	user := &models.Principal{Name: "Ana Silva", Kind: models.KindBroker, FirmName: "Lisboa Crédito, Lda"}
	page := components.Page{Title: "Processes", User: user, Active: "processes"}
	var rows []models.ProcessSummary
	now := time.Now()
	for i := 0; i < 20; i++ {
		rows = append(rows, models.ProcessSummary{UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), ProcessNumber: int64(100000 + i),
			KeyBorrowerName: "Mariana Oliveira Rodrigues", LoanAmountCents: 25_000_000, StatusID: i%8 + 1, LastActionAt: now})
	}
	for _, c := range []struct {
		name string
		rows []models.ProcessSummary
	}{{"baseline-empty", nil}, {"rows-20", rows}} {
		v := processes.ListView{Page: page, Result: &models.ProcessPage{Items: c.rows, Total: 30, NextCursor: "x"}}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := processes.ListPage(v).Render(context.Background(), io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
