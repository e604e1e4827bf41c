package store

import (
	"context"
	"sync"
	"sync/atomic"

	"portal/models"
)

// The migration that loads the lists (migrations/*/00003_taxonomy.sql) is
// generated from the data files; a test keeps it in step with them.
//go:generate go run ./taxonomydata/gen

// taxonomyCache keeps the reference lists in memory once read: they change
// only by migration, so every instance of the same build serves the same
// lists and none needs to notice changes made elsewhere.
type taxonomyCache struct {
	mu     sync.Mutex // one loader at a time; waiting callers reuse its result
	loaded atomic.Pointer[models.Taxonomy]
}

// Taxonomy implements models.TaxonomyService.
func (s *Store) Taxonomy(ctx context.Context) (*models.Taxonomy, error) {
	if t := s.taxonomy.loaded.Load(); t != nil {
		return t, nil
	}
	s.taxonomy.mu.Lock()
	defer s.taxonomy.mu.Unlock()
	if t := s.taxonomy.loaded.Load(); t != nil {
		return t, nil
	}
	t, err := s.loadTaxonomy(ctx)
	if err != nil {
		return nil, err
	}
	s.taxonomy.loaded.Store(t)
	return t, nil
}

func (s *Store) loadTaxonomy(ctx context.Context) (*models.Taxonomy, error) {
	var lists []struct {
		Name, Parent, TitlePT, TitleEN string
	}
	db := s.conn(ctx)
	if err := db.Raw(`SELECT name, COALESCE(parent, '') AS parent, title_pt, title_en FROM taxonomies ORDER BY position`).
		Scan(&lists).Error; err != nil {
		return nil, translate(err, "taxonomy")
	}
	var items []struct {
		Taxonomy, Code, DescriptionPT, DescriptionEN string
		ID, ParentID                                 int
	}
	if err := db.Raw(`SELECT taxonomy, id, code, description_pt, description_en, COALESCE(parent_id, 0) AS parent_id
		FROM taxonomy_items ORDER BY taxonomy, position`).Scan(&items).Error; err != nil {
		return nil, translate(err, "taxonomy")
	}
	byName := make(map[string]*models.TaxonomyList, len(lists))
	out := make([]*models.TaxonomyList, 0, len(lists))
	for _, l := range lists {
		tl := &models.TaxonomyList{Name: l.Name, Parent: l.Parent, TitlePT: l.TitlePT, TitleEN: l.TitleEN}
		byName[l.Name] = tl
		out = append(out, tl)
	}
	for _, it := range items {
		if l := byName[it.Taxonomy]; l != nil {
			l.Items = append(l.Items, models.TaxonomyItem{ID: it.ID, Code: it.Code, ParentID: it.ParentID, PT: it.DescriptionPT, EN: it.DescriptionEN})
		}
	}
	t, err := models.NewTaxonomy(out)
	if err != nil {
		return nil, models.Internal(err)
	}
	return t, nil
}
