package alpaca

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

var validCases = []string{
	``, ` `, `{}`, `[]`, `{"a":1}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a"}`, `{"a":}`, `{1:2}`,
	`"x"`, `"x`, `"\u12"`, `"\u12g4"`, `"\u00e9"`, `"\q"`, "\"a\x01\"", "\"\xff\xfe\"", `"\/"`,
	`0`, `-0`, `01`, `-`, `1.`, `1.e5`, `1e`, `1e+`, `1E-7`, `-12.5e+3`, `.5`, `+1`, `1 2`,
	`true`, `tru`, `truex`, `false`, `null`, `nul`, `[true,false,null]`, " \t\r\n[ 1 , 2 ] \n",
	`{"a":[{"b":{}}]}`, `{"a":[}`, `[{]}`, `]`, `}`, `[1}`, `{"a":1]`, `{"a" : 1 , "b" : [ ] }`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
	`{"bars":{"AAPL":[{"t":"2024-01-02T14:30:00Z","o":1,"h":2,"l":0.5,"c":1.5,"v":100,"n":3,"vw":1.2}]},"next_page_token":null}`,
}

func TestValidJSONMatchesEncodingJSON(t *testing.T) {
	for _, c := range validCases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.60q) = %v, json.Valid says %v", c, got, want)
		}
	}
	// Every prefix of a page is a truncated body: all but the whole one are invalid.
	page := `{"bars":{"AAPL":[{"t":"2024-01-02T14:30:00Z","o":1,"h":2.25,"l":0.5,"c":1.5e2,"v":100,"n":3,"vw":-1.2}],"B":[]},"next_page_token":"x\"y"}`
	for n := 0; n <= len(page); n++ {
		if got, want := validJSON([]byte(page[:n])), json.Valid([]byte(page[:n])); got != want {
			t.Errorf("prefix %d %q: validJSON %v, json.Valid %v", n, page[:n], got, want)
		}
	}
}

// FuzzValidJSON holds validJSON, which decides whether a body is retried, equal to json.Valid.
func FuzzValidJSON(f *testing.F) {
	for _, c := range validCases {
		if len(c) < 1000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}

func BenchmarkValidJSON(b *testing.B) {
	page := []byte(`{"bars":{"AAPL":[` + strings.Repeat(`{"t":"2024-01-02T14:30:00Z","o":187.15,"h":187.2,"l":186.99,"c":187.01,"v":12345,"n":87,"vw":187.0712},`, 9999) +
		`{"t":"2024-01-02T14:30:00Z","o":187.15,"h":187.2,"l":186.99,"c":187.01,"v":12345,"n":87,"vw":187.0712}]},"next_page_token":null}`)
	b.Run("validJSON", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			if !validJSON(page) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			if !json.Valid(page) {
				b.Fatal("invalid")
			}
		}
	})
}

// TestPooledBody checks that a body gives its buffer back once read to the end or closed,
// and reads as empty afterwards, so a later response in the same buffer never shows through.
func TestPooledBody(t *testing.T) {
	for _, closeFirst := range []bool{false, true} {
		buf := append(getBuf(16), `{"a":1}`...)
		p := &pooledBody{buf: buf, r: bytes.NewReader(buf)}
		if closeFirst {
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
		} else if got, err := io.ReadAll(p); err != nil || string(got) != `{"a":1}` {
			t.Fatalf("ReadAll = %q, %v", got, err)
		}
		copy(buf, "XXXXXXX") // the buffer's next user
		if n, err := p.Read(make([]byte, 8)); n != 0 || err != io.EOF {
			t.Fatalf("Read after release = %d, %v; want 0, EOF", n, err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
