package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"portal/models"
)

// A process's borrowers and property (models.ProcessWorkService). A child
// is looked up within its process (process_id in the WHERE), so a child of
// another process answers like a missing one.

// ListBorrowers implements models.ProcessWorkService: key borrower first.
func (s *Store) ListBorrowers(ctx context.Context, processUUID string) ([]models.Borrower, error) {
	db := s.conn(ctx)
	p, err := s.scopedProcess(ctx, db, processUUID, false)
	if err != nil {
		return nil, err
	}
	out := []models.Borrower{}
	if err := db.Where("process_id = ?", p.ID).Order("borrower_type_id, id").Find(&out).Error; err != nil {
		return nil, translate(err, "borrowers")
	}
	utcBorrowers(out)
	return out, nil
}

func utcBorrowers(bs []models.Borrower) {
	for i := range bs {
		bs[i].UUID = strings.ToLower(bs[i].UUID)
		bs[i].CreatedAt, bs[i].UpdatedAt = bs[i].CreatedAt.UTC(), bs[i].UpdatedAt.UTC()
	}
}

// borrowerOf is borrower borrowerUUID of process p, CodeNotFound when it is
// not one of p's.
func borrowerOf(db *gorm.DB, p *models.Process, borrowerUUID string) (*models.Borrower, error) {
	if !validUUID(borrowerUUID) {
		return nil, models.NotFound("borrower")
	}
	var b models.Borrower
	if err := db.Where("process_id = ? AND uuid = ?", p.ID, strings.ToLower(borrowerUUID)).Take(&b).Error; err != nil {
		return nil, translate(err, "borrower")
	}
	bs := []models.Borrower{b}
	utcBorrowers(bs)
	return &bs[0], nil
}

// GetBorrower implements models.ProcessWorkService.
func (s *Store) GetBorrower(ctx context.Context, processUUID, borrowerUUID string) (*models.Borrower, error) {
	db := s.conn(ctx)
	p, err := s.scopedProcess(ctx, db, processUUID, false)
	if err != nil {
		return nil, err
	}
	return borrowerOf(db, p, borrowerUUID)
}

// setBorrower copies the input onto b (every field: PUT semantics), all
// but the type.
func setBorrower(b *models.Borrower, in models.BorrowerInput) {
	b.KeyBorrowerRelationID = in.KeyBorrowerRelationID
	if b.IsKey() {
		b.KeyBorrowerRelationID = nil // the key borrower has no relation to themselves
	}
	b.Name, b.BirthDate, b.TaxID = in.Name, in.BirthDate, in.TaxID
	b.IDDocumentTypeID, b.IDDocumentNumber, b.IDDocumentExpiry = in.IDDocumentTypeID, in.IDDocumentNumber, in.IDDocumentExpiry
	b.NationalityID, b.GenderID, b.MaritalStatusID = in.NationalityID, in.GenderID, in.MaritalStatusID
	b.MatrimonialRegimeID, b.ResidenceTypeID = in.MatrimonialRegimeID, in.ResidenceTypeID
	b.Mobile, b.Email, b.Address, b.ZipCode, b.ZipCodeLocal = in.Mobile, in.Email, in.Address, in.ZipCode, in.ZipCodeLocal
	b.ProfessionID, b.EmploymentSituationID, b.EmploymentContractTypeID = in.ProfessionID, in.EmploymentSituationID, in.EmploymentContractTypeID
	b.EmployerName, b.EmployedSince = in.EmployerName, in.EmployedSince
	b.IncomeWagesPensionsCents, b.IncomeGreenReceiptsCents = in.IncomeWagesPensionsCents, in.IncomeGreenReceiptsCents
	b.IncomeRentsCents, b.IncomeOthersCents = in.IncomeRentsCents, in.IncomeOthersCents
	b.InstallmentHousingCents, b.InstallmentPersonalCents = in.InstallmentHousingCents, in.InstallmentPersonalCents
	b.InstallmentAutoLeasingCents, b.InstallmentCreditCardCents = in.InstallmentAutoLeasingCents, in.InstallmentCreditCardCents
	b.InstallmentBankOverdraftCents, b.InstallmentOtherCents = in.InstallmentBankOverdraftCents, in.InstallmentOtherCents
	b.HasSocialSecurityDebt = in.HasSocialSecurityDebt
}

// withFields is invalid (a CodeInvalid error or nil) with the field errors
// of v added.
func withFields(invalid error, v models.Validation) error {
	if invalid != nil {
		e := models.AsError(invalid)
		v.Fields = append(append([]models.FieldError{}, e.Fields...), v.Fields...)
	}
	return v.Err()
}

// hasField reports whether err is invalid input with an error for field.
func hasField(err error, field string) bool {
	if err == nil {
		return false
	}
	_, ok := models.AsError(err).Field(field)
	return ok
}

// CreateBorrower implements models.ProcessWorkService.
func (s *Store) CreateBorrower(ctx context.Context, processUUID string, in models.BorrowerInput) (*models.Borrower, error) {
	who, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate(t, s.today())
	var out *models.Borrower
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.editable(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		var keys int64
		if err := tx.Model(&models.Borrower{}).Where("process_id = ? AND borrower_type_id = ?", p.ID, models.BorrowerTypeKey).
			Count(&keys).Error; err != nil {
			return err
		}
		var v models.Validation
		typ := in.BorrowerTypeID
		switch {
		case typ == 0 && keys == 0:
			typ = models.BorrowerTypeKey
		case typ == 0:
			typ = models.BorrowerTypeOther
		case typ == models.BorrowerTypeKey && keys > 0:
			v.Add("borrowerTypeId", "borrower.one_key", nil)
		}
		if err := withFields(invalid, v); err != nil {
			return err
		}
		now := s.now()
		b := models.Borrower{UUID: newUUID(), ProcessID: p.ID, BorrowerTypeID: typ, CreatedAt: now, UpdatedAt: now}
		setBorrower(&b, in)
		if err := tx.Create(&b).Error; err != nil {
			return err
		}
		var key *models.Borrower
		if b.IsKey() {
			key = &b
		}
		if err := s.edited(tx, p, who, models.EditBorrowerAdded, b.Name, key, now); err != nil {
			return err
		}
		out = &b
		return nil
	})
	if err != nil {
		return nil, translate(err, "borrower")
	}
	return out, nil
}

// UpdateBorrower implements models.ProcessWorkService. BorrowerTypeID 0
// keeps the borrower's type; a key borrower stays key and another stays
// other (field borrowerTypeId).
func (s *Store) UpdateBorrower(ctx context.Context, processUUID, borrowerUUID string, in models.BorrowerInput) (*models.Borrower, error) {
	who, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate(t, s.today())
	var out *models.Borrower
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.editable(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		b, err := borrowerOf(tx, p, borrowerUUID)
		if err != nil {
			return err
		}
		var v models.Validation
		if in.BorrowerTypeID != 0 && in.BorrowerTypeID != b.BorrowerTypeID && !hasField(invalid, "borrowerTypeId") {
			v.Add("borrowerTypeId", "borrower.type_change", nil)
		}
		if err := withFields(invalid, v); err != nil {
			return err
		}
		now := s.now()
		setBorrower(b, in)
		b.UpdatedAt = now
		if err := tx.Model(&models.Borrower{}).Where("id = ?", b.ID).Select("*").Omit("id", "uuid", "process_id", "created_at").
			Updates(b).Error; err != nil {
			return err
		}
		var key *models.Borrower
		if b.IsKey() {
			key = b
		}
		if err := s.edited(tx, p, who, models.EditBorrowerUpdated, b.Name, key, now); err != nil {
			return err
		}
		out = b
		return nil
	})
	if err != nil {
		return nil, translate(err, "borrower")
	}
	return out, nil
}

// DeleteBorrower implements models.ProcessWorkService.
func (s *Store) DeleteBorrower(ctx context.Context, processUUID, borrowerUUID string) error {
	who, err := editor(ctx)
	if err != nil {
		return err
	}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.editable(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		b, err := borrowerOf(tx, p, borrowerUUID)
		if err != nil {
			return err
		}
		if b.IsKey() {
			return models.KeyBorrowerUndeletable()
		}
		if err := tx.Exec("DELETE FROM borrowers WHERE id = ?", b.ID).Error; err != nil {
			return err
		}
		return s.edited(tx, p, who, models.EditBorrowerRemoved, b.Name, nil, s.now())
	})
	return translate(err, "borrower")
}

// ListProperties implements models.ProcessWorkService.
func (s *Store) ListProperties(ctx context.Context, processUUID string) ([]models.Property, error) {
	db := s.conn(ctx)
	p, err := s.scopedProcess(ctx, db, processUUID, false)
	if err != nil {
		return nil, err
	}
	out := []models.Property{}
	if err := db.Where("process_id = ?", p.ID).Order("id").Find(&out).Error; err != nil {
		return nil, translate(err, "properties")
	}
	for i := range out {
		utcProperty(&out[i])
	}
	return out, nil
}

func utcProperty(pr *models.Property) {
	pr.UUID = strings.ToLower(pr.UUID)
	pr.CreatedAt, pr.UpdatedAt = pr.CreatedAt.UTC(), pr.UpdatedAt.UTC()
}

// UpdateProperty implements models.ProcessWorkService.
func (s *Store) UpdateProperty(ctx context.Context, processUUID, propertyUUID string, in models.PropertyInput) (*models.Property, error) {
	who, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate(t, s.today())
	var out *models.Property
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.editable(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		if !validUUID(propertyUUID) {
			return models.NotFound("property")
		}
		var pr models.Property
		if err := tx.Where("process_id = ? AND uuid = ?", p.ID, strings.ToLower(propertyUUID)).Take(&pr).Error; err != nil {
			return translate(err, "property")
		}
		if invalid != nil {
			return invalid
		}
		now := s.now()
		pr.PropertyTypologyID, pr.GrossBuiltArea, pr.YearBuilt = in.PropertyTypologyID, in.GrossBuiltArea, in.YearBuilt
		pr.AcquisitionAmountCents, pr.AcquisitionDate = in.AcquisitionAmountCents, in.AcquisitionDate
		pr.Address, pr.DoorNumber, pr.Floor = in.Address, in.DoorNumber, in.Floor
		pr.DistrictID, pr.CountyID, pr.ParishID = in.DistrictID, in.CountyID, in.ParishID
		pr.ZipCode, pr.ZipCodeLocal, pr.UpdatedAt = in.ZipCode, in.ZipCodeLocal, now
		if err := tx.Model(&models.Property{}).Where("id = ?", pr.ID).Select("*").Omit("id", "uuid", "process_id", "created_at").
			Updates(&pr).Error; err != nil {
			return err
		}
		if err := s.edited(tx, p, who, models.EditPropertyUpdated, "", nil, now); err != nil {
			return err
		}
		utcProperty(&pr)
		out = &pr
		return nil
	})
	if err != nil {
		return nil, translate(err, "property")
	}
	return out, nil
}
