package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// The demo's documents: a few processes with a request of the bank and
// the broker's uploads in each state (README "Demo data"). Contents are
// small PDFs and PNGs made here, the same bytes every time.

// demoDocPlan is a demo process's request and documents.
type demoDocPlan struct {
	firm, index int // the process: demoFirms index, index in the firm's list
	broker      string
	note        string
	items       []demoDocItem
	// usual are documents that answer no request.
	usual []demoDoc
}

type demoDocItem struct {
	typ  int
	key  bool // for the key borrower; else the process as a whole
	note string
	doc  *demoDoc
}

type demoDoc struct {
	typ    int
	key    bool
	file   string
	state  models.DocumentState
	reason string
	png    bool
}

// demoDocPlans: Lisboa's 100007 (pending documents) waits for the broker
// (one upload to review, one rejected); Lisboa's 100005 (in analysis) has
// its request resolved; Porto's 100008 (pending documents) has a request
// nobody has answered yet.
var demoDocPlans = []demoDocPlan{
	{firm: 0, index: 3, broker: "ana.silva@lisboa-credito.example", note: "Para concluir a análise do processo.",
		items: []demoDocItem{
			{typ: models.DocTypePayslips, key: true, note: "Os três últimos meses.",
				doc: &demoDoc{file: "recibos-vencimento.pdf", state: models.DocumentUploaded}},
			{typ: models.DocTypeIRSReturn, key: true,
				doc: &demoDoc{file: "declaracao-irs.pdf", state: models.DocumentRejected,
					reason: "Falta a nota de liquidação: envie a declaração completa."}},
		},
		usual: []demoDoc{{typ: models.DocTypeIDDocument, key: true, file: "cartao-cidadao.png", state: models.DocumentAccepted, png: true}},
	},
	{firm: 0, index: 2, broker: "ana.silva@lisboa-credito.example",
		items: []demoDocItem{
			{typ: models.DocTypePropertyTax, doc: &demoDoc{file: "caderneta-predial.pdf", state: models.DocumentAccepted}},
		},
	},
	{firm: 1, index: 3, broker: "rui.pereira@porto-hipotecas.example", note: "Necessária para a avaliação.",
		items: []demoDocItem{{typ: models.DocTypeLandRegistry}},
	},
}

// demoPDF is a one-page PDF saying text (ASCII).
func demoPDF(text string) []byte {
	text = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(text)
	content := fmt.Sprintf("BT /F1 16 Tf 72 760 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// demoPNG is a small card-shaped picture, its colours from seed.
func demoPNG(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 86, 54))
	for y := 0; y < 54; y++ {
		for x := 0; x < 86; x++ {
			c := color.RGBA{R: uint8(40 + seed*30), G: uint8(90 + y), B: uint8(160 + x/2), A: 255}
			if y > 10 && y < 44 && x > 8 && x < 30 {
				c = color.RGBA{R: 230, G: 230, B: 230, A: 255} // the photo
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // a bytes.Buffer does not fail
	return b.Bytes()
}

// seedDemoDocuments adds the demo requests and documents of processes
// that have none yet.
func (s *Store) seedDemoDocuments(ctx context.Context, tx *gorm.DB, userIDs map[string]int64) error {
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return err
	}
	marta := userIDs["marta.santos@bank.example"]
	for pi, plan := range demoDocPlans {
		number := int64(100001 + plan.index*len(demoFirms) + plan.firm)
		puuid := demoUUID(fmt.Sprintf("process/%d", number))
		var p models.Process
		if err := tx.Where("uuid = ?", puuid).Take(&p).Error; err != nil {
			return err
		}
		var key models.Borrower
		if err := tx.Where("uuid = ?", demoUUID(puuid+"/b1")).Take(&key).Error; err != nil {
			return err
		}
		// Request, uploads and reviews fall between the process's creation
		// and its last action.
		span := p.LastActionAt.Sub(p.CreatedAt)
		at := func(q int) time.Time { return p.CreatedAt.Add(span * time.Duration(q) / 8).UTC().Truncate(time.Second) }
		req := models.DocumentRequest{UUID: demoUUID(puuid + "/request/1"), ProcessID: p.ID, Note: plan.note,
			RequestedByID: &marta, RequestedByName: "Marta Santos", CreatedAt: at(2)}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&req)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			continue // already there, with its items and documents
		}
		broker := userIDs[plan.broker]
		brokerName := ""
		for _, u := range DemoUsers {
			if u.Email == plan.broker {
				brokerName = u.Name
			}
		}
		write := func(n int, d demoDoc, item *int64) error {
			var data []byte
			typ := "application/pdf"
			if d.png {
				data, typ = demoPNG(pi+n), "image/png"
			} else {
				data = demoPDF(fmt.Sprintf("Demo %d: %s", number, t.Description(models.TaxonomyDocumentTypes, d.typ, models.LangEN)))
			}
			sum := sha256.Sum256(data)
			hash := hex.EncodeToString(sum[:])
			if err := s.contentStore().Put(ctx, hash, typ, data); err != nil {
				return err
			}
			doc := models.Document{UUID: demoUUID(fmt.Sprintf("%s/document/%d", puuid, n)), ProcessID: p.ID, DocumentTypeID: d.typ,
				RequestItemID: item, FileName: d.file, ContentSHA256: hash, ContentType: typ, Size: int64(len(data)),
				State: d.state, RejectReason: d.reason, UploadedByID: &broker, UploadedByName: brokerName,
				CreatedAt: at(4), UpdatedAt: at(4)}
			if d.key {
				doc.BorrowerID = &key.ID
			}
			if d.state != models.DocumentUploaded {
				reviewed := at(6)
				doc.ReviewedByName, doc.ReviewedAt, doc.UpdatedAt = "Marta Santos", &reviewed, reviewed
			}
			return tx.Create(&doc).Error
		}
		resolved := len(plan.items) > 0
		n := 0
		for j, it := range plan.items {
			item := models.DocumentRequestItem{UUID: demoUUID(fmt.Sprintf("%s/request/1/item/%d", puuid, j)), RequestID: req.ID,
				DocumentTypeID: it.typ, Note: it.note}
			if it.key {
				item.BorrowerID = &key.ID
			}
			if err := tx.Create(&item).Error; err != nil {
				return err
			}
			if it.doc == nil {
				resolved = false
				continue
			}
			d := *it.doc
			d.typ, d.key = it.typ, it.key
			n++
			if err := write(n, d, &item.ID); err != nil {
				return err
			}
			resolved = resolved && d.state == models.DocumentAccepted
		}
		for _, d := range plan.usual {
			n++
			if err := write(n, d, nil); err != nil {
				return err
			}
		}
		if resolved {
			if err := tx.Exec("UPDATE document_requests SET resolved_at = ? WHERE id = ?", at(6), req.ID).Error; err != nil {
				return err
			}
		}
	}
	return nil
}
