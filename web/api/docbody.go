package api

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"portal/models"
	"portal/web/wire"
)

// The body of Document Create and Update: a JSON object whose "content" is
// the file in Base64 (standard alphabet), up to the per-document limit. It
// is read as a stream: the content string goes through a Base64 decoder as
// it arrives and only the decoded bytes are kept (never the Base64 text,
// never the whole body); decoding stops, and the answer is 413, as soon as
// they pass the limit. The other fields are gathered into a small JSON
// object decoded as strictly as every other body (decodeStrict).

// documentBody is what readDocumentBody found.
type documentBody struct {
	fields  []byte  // the object without "content", for decodeStrict
	content *chunks // decoded; nil when absent or null
	present bool    // "content" was a string
}

// maxFieldBytes bounds what the fields other than content may take
// together (the body limit allows for them beside the content).
const maxFieldBytes = maxBody

// errSyntax is a body that is not one well-formed JSON object;
// errNotBase64 a content string with a character Base64 has not.
var (
	errSyntax    = errors.New("malformed JSON")
	errNotBase64 = errors.New("not Base64")
)

// bodyReadError is a failure to read the request body itself.
type bodyReadError struct{ err error }

func (e bodyReadError) Error() string { return e.err.Error() }
func (e bodyReadError) Unwrap() error { return e.err }

// readDocumentBody reads r to its end. maxContent is the limit of the
// decoded content (more is models.CodeTooLarge, answered before the rest
// of the body is read); sizeHint, the body's declared length (or -1),
// sizes the content's buffer once.
func readDocumentBody(r io.Reader, maxContent, sizeHint int64) (documentBody, error) {
	p := &docParser{r: bufio.NewReaderSize(r, 32<<10)}
	out, err := p.object(maxContent, sizeHint)
	if err != nil {
		var re bodyReadError
		if errors.As(err, &re) {
			return documentBody{}, wire.BodyError(re.err)
		}
		if errors.Is(err, errSyntax) || errors.Is(err, io.ErrUnexpectedEOF) {
			return documentBody{}, &models.Error{Code: models.CodeInvalid, Message: "The body must be a JSON object with the documented fields: malformed JSON."}
		}
		return documentBody{}, err
	}
	return out, nil
}

type docParser struct {
	r      *bufio.Reader
	fields bytes.Buffer
}

func (p *docParser) readByte() (byte, error) {
	b, err := p.r.ReadByte()
	if err == io.EOF {
		return 0, io.ErrUnexpectedEOF
	}
	if err != nil {
		return 0, bodyReadError{err}
	}
	return b, nil
}

// next is the next byte that is not JSON white space.
func (p *docParser) next() (byte, error) {
	for {
		b, err := p.readByte()
		if err != nil || !isSpace(b) {
			return b, err
		}
	}
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func (p *docParser) object(maxContent, sizeHint int64) (documentBody, error) {
	var out documentBody
	b, err := p.next()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return out, &models.Error{Code: models.CodeInvalid, Message: "The body must be a JSON object with the documented fields: the body is empty."}
	}
	if err != nil {
		return out, err
	}
	if b != '{' {
		return out, errSyntax
	}
	p.fields.WriteByte('{')
	seen := false // a field other than content was written
	for first := true; ; first = false {
		b, err := p.next()
		if err != nil {
			return out, err
		}
		if b == '}' && first {
			break
		}
		if b != '"' {
			return out, errSyntax
		}
		rawKey, err := p.rawString(1 << 10)
		if err != nil {
			return out, err
		}
		var key string
		if err := json.Unmarshal(rawKey, &key); err != nil {
			return out, errSyntax
		}
		if b, err := p.next(); err != nil || b != ':' {
			return out, errOr(err, errSyntax)
		}
		b, err = p.next()
		if err != nil {
			return out, err
		}
		if strings.EqualFold(key, "content") {
			if out.present {
				return out, &models.Error{Code: models.CodeInvalid, Message: "The body must name content once."}
			}
			switch b {
			case '"':
				out.content, err = p.content(maxContent, sizeHint)
				if err != nil {
					return out, err
				}
				out.present = true
			case 'n':
				if err := p.literal("ull"); err != nil {
					return out, err
				}
			default:
				return out, models.Invalid("content", "field.json_type", models.Args{"Field": "content", "Type": "string"})
			}
		} else {
			if seen {
				p.fields.WriteByte(',')
			}
			seen = true
			p.fields.Write(rawKey)
			p.fields.WriteByte(':')
			if err := p.rawValue(b, 0); err != nil {
				return out, err
			}
			if p.fields.Len() > maxFieldBytes {
				return out, &models.Error{Code: models.CodeInvalid, Message: fmt.Sprintf("The fields other than content are limited to %d bytes.", maxFieldBytes)}
			}
		}
		b, err = p.next()
		if err != nil {
			return out, err
		}
		if b == '}' {
			break
		}
		if b != ',' {
			return out, errSyntax
		}
	}
	p.fields.WriteByte('}')
	// Only white space may follow.
	for {
		b, err := p.r.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, bodyReadError{err}
		}
		if !isSpace(b) {
			return out, &models.Error{Code: models.CodeInvalid, Message: "The body must hold one JSON object."}
		}
	}
	out.fields = p.fields.Bytes()
	return out, nil
}

func errOr(err, other error) error {
	if err != nil {
		return err
	}
	return other
}

func (p *docParser) literal(rest string) error {
	for i := 0; i < len(rest); i++ {
		b, err := p.readByte()
		if err != nil {
			return err
		}
		if b != rest[i] {
			return errSyntax
		}
	}
	return nil
}

// rawString reads a string whose opening quote is read, returning it with
// its quotes, as written; at most max bytes.
func (p *docParser) rawString(max int) ([]byte, error) {
	out := []byte{'"'}
	for {
		b, err := p.readByte()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
		if len(out) > max {
			return nil, &models.Error{Code: models.CodeInvalid, Message: fmt.Sprintf("The fields other than content are limited to %d bytes.", maxFieldBytes)}
		}
		switch {
		case b == '"':
			return out, nil
		case b == '\\':
			e, err := p.readByte()
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		case b < 0x20:
			return nil, errSyntax
		}
	}
}

// rawValue copies the JSON value starting with b to the fields, checking
// only its nesting and strings (decodeStrict checks the rest).
func (p *docParser) rawValue(b byte, depth int) error {
	if depth > 32 {
		return errSyntax
	}
	switch b {
	case '"':
		s, err := p.rawString(maxFieldBytes)
		if err != nil {
			return err
		}
		p.fields.Write(s)
		return nil
	case '{', '[':
		end := byte('}')
		if b == '[' {
			end = ']'
		}
		p.fields.WriteByte(b)
		for first := true; ; first = false {
			c, err := p.next()
			if err != nil {
				return err
			}
			if c == end && first {
				p.fields.WriteByte(end)
				return nil
			}
			if end == '}' {
				if c != '"' {
					return errSyntax
				}
				k, err := p.rawString(1 << 10)
				if err != nil {
					return err
				}
				p.fields.Write(k)
				if c, err := p.next(); err != nil || c != ':' {
					return errOr(err, errSyntax)
				}
				p.fields.WriteByte(':')
				if c, err = p.next(); err != nil {
					return err
				}
			}
			if err := p.rawValue(c, depth+1); err != nil {
				return err
			}
			if p.fields.Len() > maxFieldBytes {
				return &models.Error{Code: models.CodeInvalid, Message: fmt.Sprintf("The fields other than content are limited to %d bytes.", maxFieldBytes)}
			}
			c, err = p.next()
			if err != nil {
				return err
			}
			if c == end {
				p.fields.WriteByte(end)
				return nil
			}
			if c != ',' {
				return errSyntax
			}
			p.fields.WriteByte(',')
		}
	}
	// A number or a literal: up to the next delimiter.
	p.fields.WriteByte(b)
	for {
		c, err := p.r.Peek(1)
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return bodyReadError{err}
		}
		if isSpace(c[0]) || c[0] == ',' || c[0] == '}' || c[0] == ']' {
			return nil
		}
		if c[0] == '"' || c[0] == '{' || c[0] == '[' || c[0] == ':' {
			return errSyntax
		}
		_, _ = p.r.ReadByte()
		p.fields.WriteByte(c[0])
		if p.fields.Len() > maxFieldBytes {
			return &models.Error{Code: models.CodeInvalid, Message: fmt.Sprintf("The fields other than content are limited to %d bytes.", maxFieldBytes)}
		}
	}
}

// content decodes the content string (its opening quote read) through
// Base64 into memory, up to maxContent bytes.
func (p *docParser) content(maxContent, sizeHint int64) (*chunks, error) {
	s := &jsonStringReader{r: p.r}
	dec := base64.NewDecoder(base64.StdEncoding, s)
	var buf chunks
	if sizeHint > 0 {
		buf.first = min(sizeHint/4*3+3, maxContent+1) // one allocation, the size the body says
	}
	got, err := io.Copy(&buf, io.LimitReader(dec, maxContent+1))
	switch {
	case errors.Is(s.err, errNotBase64):
		return nil, models.Invalid("content", "field.base64", models.Args{"Field": "content"})
	case s.err != nil && !errors.Is(s.err, io.EOF):
		return nil, s.err // the JSON string, or the body, failed
	case err != nil:
		return nil, models.Invalid("content", "field.base64", models.Args{"Field": "content"})
	case got > maxContent:
		return nil, models.DocumentTooLarge(maxContent)
	}
	// The decoder may stop at the padding without reading the closing
	// quote; nothing but the quote may follow.
	if !s.done {
		var one [1]byte
		if k, _ := s.Read(one[:]); k > 0 || !s.done {
			if s.err != nil && !errors.Is(s.err, io.EOF) {
				return nil, s.err
			}
			return nil, models.Invalid("content", "field.base64", models.Args{"Field": "content"})
		}
	}
	return &buf, nil
}

// chunks collects the decoded content without the copies of a growing
// buffer: chunks of 1 MiB, or one of the size the body's length implies.
type chunks struct {
	first int64
	list  [][]byte
}

const chunkSize = 1 << 20

func (c *chunks) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(c.list) == 0 || len(c.list[len(c.list)-1]) == cap(c.list[len(c.list)-1]) {
			size := int64(chunkSize)
			if len(c.list) == 0 && c.first > 0 {
				size = c.first
			}
			c.list = append(c.list, make([]byte, 0, size))
		}
		last := &c.list[len(c.list)-1]
		k := min(len(p), cap(*last)-len(*last))
		*last = append(*last, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// reader reads the content (without copying it).
func (c *chunks) reader() io.Reader {
	rs := make([]io.Reader, 0, len(c.list))
	for _, b := range c.list {
		rs = append(rs, bytes.NewReader(b))
	}
	return io.MultiReader(rs...)
}

// jsonStringReader reads the characters of a JSON string, unescaped, up
// to its closing quote (then io.EOF). Base64 needs only ASCII; other
// characters pass through as UTF-8 (the decoder refuses them).
type jsonStringReader struct {
	r    *bufio.Reader
	done bool
	err  error
}

func (s *jsonStringReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n := 0
	for n < len(p) {
		// The fast path: a run of plain characters straight from the
		// buffer.
		if buf, _ := s.r.Peek(min(s.r.Buffered(), len(p)-n)); len(buf) > 0 {
			k := 0
			for k < len(buf) && buf[k] != '"' && buf[k] != '\\' && buf[k] >= 0x20 {
				k++
			}
			if k > 0 {
				copy(p[n:], buf[:k])
				_, _ = s.r.Discard(k)
				n += k
				continue
			}
		}
		b, err := s.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			} else {
				err = bodyReadError{err}
			}
			s.err = err
			return n, s.error(n)
		}
		switch {
		case b == '"':
			s.done, s.err = true, io.EOF
			return n, s.error(n)
		case b < 0x20:
			s.err = errSyntax
			return n, s.error(n)
		case b != '\\':
			p[n] = b
			n++
			continue
		}
		e, err := s.r.ReadByte()
		if err != nil {
			s.err = bodyReadError{err}
			if err == io.EOF {
				s.err = io.ErrUnexpectedEOF
			}
			return n, s.error(n)
		}
		var r rune
		switch e {
		case '"', '\\', '/':
			r = rune(e)
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		case 'n':
			r = '\n'
		case 'r':
			r = '\r'
		case 't':
			r = '\t'
		case 'u':
			var hex [4]byte
			for i := range hex {
				if hex[i], err = s.r.ReadByte(); err != nil {
					s.err = errSyntax
					return n, s.error(n)
				}
			}
			var v uint64
			if _, err := fmt.Sscanf(string(hex[:]), "%04x", &v); err != nil {
				s.err = errSyntax
				return n, s.error(n)
			}
			r = rune(v)
		default:
			s.err = errSyntax
			return n, s.error(n)
		}
		if r >= utf8.RuneSelf { // no Base64 character
			s.err = errNotBase64
			return n, s.error(n)
		}
		p[n] = byte(r)
		n++
	}
	return n, nil
}

// error is what Read returns with n bytes: nil while there are bytes
// (the error comes on the next call).
func (s *jsonStringReader) error(n int) error {
	if n > 0 {
		return nil
	}
	return s.err
}
