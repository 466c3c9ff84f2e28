package reports

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"testing"
)

// TestFormulasDocumented keeps the two written forms of every formula in step: the metrics
// table (which the report and stats.json use) and the doc comments of the Stats fields.
func TestFormulasDocumented(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "stats.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{} // field name → its doc comment, whitespace collapsed
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Stats" {
			return true
		}
		for _, fld := range ts.Type.(*ast.StructType).Fields.List {
			for _, name := range fld.Names {
				docs[name.Name] = strings.Join(strings.Fields(fld.Doc.Text()), " ")
			}
		}
		return false
	})
	if len(docs) == 0 {
		t.Fatal("found no Stats fields in stats.go")
	}

	// get returns a value, not a field name: find each metric's field by poking a distinct
	// value into one field at a time and seeing which metric reads it.
	var s Stats
	v := reflect.ValueOf(&s).Elem()
	fieldOf := map[string]string{}
	for i := range v.NumField() {
		fv := v.Field(i)
		old := reflect.ValueOf(fv.Interface())
		switch fv.Kind() {
		case reflect.Float64:
			fv.SetFloat(12345.678)
		case reflect.Int:
			fv.SetInt(12345)
		default: // time.Time
			continue
		}
		for _, m := range metrics {
			if got := m.get(&s); got == fv.Interface() {
				fieldOf[m.Key] = v.Type().Field(i).Name
			}
		}
		fv.Set(old)
	}
	fieldOf["start"], fieldOf["end"] = "Start", "End"

	seen := map[string]bool{}
	for _, m := range metrics {
		if seen[m.Key] {
			t.Errorf("key %q appears twice in the metrics table", m.Key)
		}
		seen[m.Key] = true
		field, ok := fieldOf[m.Key]
		if !ok {
			t.Errorf("metric %q reads no Stats field of its own", m.Key)
			continue
		}
		want := strings.Join(strings.Fields(m.Name+": "+m.Formula), " ")
		if docs[field] != want {
			t.Errorf("doc comment of Stats.%s differs from the conventions table:\n got: %s\nwant: %s", field, docs[field], want)
		}
	}
	if n := v.NumField(); len(metrics) != n {
		t.Errorf("%d metrics for %d Stats fields: every field needs a row in the table", len(metrics), n)
	}
}

// Every rankable statistic says which way is better in the metrics table itself; the rest
// cannot be ranked by.
func TestCheckRank(t *testing.T) {
	for _, k := range []string{"sharpe", "cagr", "total_return", "sortino", "calmar", "max_drawdown", "volatility"} {
		if err := CheckRank(k); err != nil {
			t.Errorf("CheckRank(%q): %v", k, err)
		}
	}
	for _, k := range []string{"", "start", "trades", "beta", "nope", "Sharpe"} {
		if err := CheckRank(k); err == nil || !strings.Contains(err.Error(), "sharpe") {
			t.Errorf("CheckRank(%q) = %v, want an error listing the valid keys", k, err)
		}
	}
	for _, m := range metrics {
		if d := RankDirection(m.Key); d != m.better || d.String() == "" {
			t.Errorf("RankDirection(%q) = %v, want %v", m.Key, d, m.better)
		}
	}
	if got, want := RankDirection("max_drawdown").String(), "nearer zero is better"; got != want {
		t.Errorf("max_drawdown: %q, want %q", got, want)
	}
}
