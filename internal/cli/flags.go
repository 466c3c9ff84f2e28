package cli

import (
	"flag"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// PrintFlags writes every flag of fs as flag.PrintDefaults does, but spelled with the double
// dash the README and the error messages use (--store, not -store): Go's flag package accepts
// both, and a user copying from --help should see the form the documentation shows.
func PrintFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		var b strings.Builder
		b.WriteString("  --" + f.Name)
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			b.WriteString(" " + name)
		}
		// One line when it is short, as PrintDefaults does for one-letter flags.
		if b.Len() <= 4 {
			b.WriteString("\t")
		} else {
			b.WriteString("\n    \t")
		}
		b.WriteString(strings.ReplaceAll(usage, "\n", "\n    \t"))
		if !isZeroValue(f) {
			if isStringFlag(f) {
				fmt.Fprintf(&b, " (default %q)", f.DefValue)
			} else {
				fmt.Fprintf(&b, " (default %v)", f.DefValue)
			}
		}
		fmt.Fprintln(w, b.String())
	})
}

// isStringFlag reports whether f was made by StringVar, whose default PrintDefaults quotes.
func isStringFlag(f *flag.Flag) bool {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	_, ok = g.Get().(string)
	return ok
}

// isZeroValue reports whether f's default is its type's zero value, which --help leaves
// unsaid; the way flag.PrintDefaults decides it.
func isZeroValue(f *flag.Flag) (zero bool) {
	defer func() {
		if recover() != nil {
			zero = false
		}
	}()
	typ := reflect.TypeOf(f.Value)
	var z reflect.Value
	if typ.Kind() == reflect.Pointer {
		z = reflect.New(typ.Elem())
	} else {
		z = reflect.Zero(typ)
	}
	return f.DefValue == z.Interface().(flag.Value).String()
}

// FlagError turns an error of fs.Parse into a usage error naming flags with the double dash
// and, for a flag fs does not define, the nearest one it does ("did you mean --store?").
// name is the command's, for the pointer to its --help.
func FlagError(fs *flag.FlagSet, name string, err error) error {
	msg := err.Error()
	if bad, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		bad = strings.TrimLeft(bad, "-")
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		msg = "unknown flag --" + bad
		if s := Suggest(bad, names); s != "" {
			msg += "; did you mean --" + s + "?"
		}
		return Usagef("%s (see %s --help)", msg, name)
	}
	// The flag package names flags with one dash: "invalid value "x" for flag -cash: ...".
	for _, p := range []string{"flag -", "flag needs an argument: -"} {
		msg = strings.Replace(msg, p, strings.TrimSuffix(p, "-")+"--", 1)
	}
	return Usage(fmt.Errorf("%s (see %s --help)", msg, name))
}

// PrintVersion writes what --version prints: the command's name and the build's Version.
func PrintVersion(w io.Writer, name string) {
	fmt.Fprintf(w, "%s %s\n", name, Version())
}

// DidYouMean is "; did you mean X?" for the candidate nearest word, or "" when none is near
// enough to be a likely typo.
func DidYouMean(word string, candidates []string) string {
	if s := Suggest(word, candidates); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

// Suggest returns the candidate nearest word by edit distance, ignoring case (so a word that
// differs only in case is nearest), or "" when even the nearest is too far to be a typo of
// it: more than a third of word's length, at least one edit allowed, at most three. Ties go
// to the earlier candidate.
func Suggest(word string, candidates []string) string {
	w := strings.ToLower(word)
	limit := min(max(1, len([]rune(w))/3), 3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := editDistance(w, lc)
		// A word that is a prefix of a candidate ("list" of "list-strategies") is a likely
		// abbreviation whatever the distance.
		if strings.HasPrefix(lc, w) && len([]rune(w)) >= 3 {
			d = min(d, limit)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b: the insertions,
// deletions, substitutions and transpositions of adjacent runes that turn one into the other
// (Levenshtein's distance, counting a swap such as "stroe" for "store" as one typo rather
// than two). A library (agnivade/levenshtein) gives plain Levenshtein; these lines are not
// worth a dependency for the few short words compared.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows of the dynamic-programming table: i-2, i-1 and i.
	prev2, prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
