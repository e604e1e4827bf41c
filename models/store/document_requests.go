package store

import (
	"context"

	"portal/models"
)

// RequestDocuments implements models.DocumentService.
func (s *Store) RequestDocuments(ctx context.Context, processUUID string, in models.DocumentRequestInput) (*models.DocumentRequest, error) {
	return nil, models.Internal(nil)
}

// ReviewDocument implements models.DocumentService.
func (s *Store) ReviewDocument(ctx context.Context, processUUID, documentUUID string, in models.DocumentReview) (*models.Document, error) {
	return nil, models.Internal(nil)
}

// Checklist implements models.DocumentService.
func (s *Store) Checklist(ctx context.Context, processUUID string) (*models.DocumentChecklist, error) {
	return nil, models.Internal(nil)
}
