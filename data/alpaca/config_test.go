package alpaca

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		EnvKeyID:     " FAKEKEYID ",
		EnvSecretKey: "FAKESECRET",
		EnvDataURL:   "http://127.0.0.1:9/",
		"OTHER":      "x",
	}
	c := ConfigFromEnv(func(k string) string { return env[k] })
	if c.KeyID != "FAKEKEYID" || c.SecretKey != "FAKESECRET" || c.BaseURL != "http://127.0.0.1:9/" {
		t.Fatalf("ConfigFromEnv = %+v", c)
	}
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg.BaseURL != "http://127.0.0.1:9" || s.Feed() != "sip" || s.cfg.RPM != 0 || s.cfg.MaxRetries != 8 || !s.HasKeys() {
		t.Errorf("defaults not applied: %+v", s.cfg)
	}
	empty := ConfigFromEnv(func(string) string { return "" })
	if s, err := New(empty); err != nil || s.cfg.BaseURL != DefaultBaseURL || s.HasKeys() {
		t.Errorf("empty env: %v, %+v", err, empty)
	}
}

func TestLoadEnvFile(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    map[string]string
		wantErr string
	}{
		{"plain", "APCA_API_KEY_ID=FAKEKEYID\nAPCA_API_SECRET_KEY=FAKESECRET\n",
			map[string]string{"APCA_API_KEY_ID": "FAKEKEYID", "APCA_API_SECRET_KEY": "FAKESECRET"}, ""},
		{"comments, blanks, export, spaces", "# keys\n\n  export A = 1 # note\nexport\tB=2\n",
			map[string]string{"A": "1", "B": "2"}, ""},
		{"quotes", "A=\"x y # not a comment\"\nB='lit\\n $x'\nC=\"a\\nb\\\"c\" # c\nD=\n",
			map[string]string{"A": "x y # not a comment", "B": `lit\n $x`, "C": "a\nb\"c", "D": ""}, ""},
		{"hash inside value", "A=abc#def\r\n", map[string]string{"A": "abc#def"}, ""},
		{"bom", "\ufeffA=1\n", map[string]string{"A": "1"}, ""},
		{"no equals", "A=1\nFAKESECRET\n", nil, "line 2"},
		{"bad key", "1A=x\n", nil, "line 1"},
		{"unterminated", "A=1\nB=\"FAKESECRET\n", nil, "line 2 (B): unterminated"},
		{"junk after quote", "B='FAKESECRET' tail\n", nil, "text after closing quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".env")
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			got, warning, err := LoadEnvFile(path)
			if warning != "" {
				t.Errorf("warning for a 0600 file: %s", warning)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "FAKESECRET") {
					t.Errorf("error shows a value: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadEnvFileWarnsWhenReadable(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o400, 0o640, 0o604, 0o644} {
		path := filepath.Join(t.TempDir(), ".env")
		if err := os.WriteFile(path, []byte("APCA_API_SECRET_KEY=FAKESECRET\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // umask may have narrowed it
			t.Fatal(err)
		}
		_, warning, err := LoadEnvFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if (warning != "") != (mode&0o077 != 0) {
			t.Errorf("mode %04o: warning %q", mode, warning)
		}
		if strings.Contains(warning, "FAKESECRET") {
			t.Errorf("warning shows the secret")
		}
	}
	if _, _, err := LoadEnvFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("no error for a missing file")
	}
}
