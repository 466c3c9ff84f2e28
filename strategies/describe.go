package strategies

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Describe writes a table of the registered strategies and their parameters (name, default,
// range, description), for backtest --list-strategies.
func Describe(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STRATEGY\tPARAMETER\tDEFAULT\tRANGE\tDESCRIPTION")
	for i, name := range Names() {
		s, _ := Lookup(name)
		if i > 0 {
			fmt.Fprintln(tw, "\t\t\t\t")
		}
		fmt.Fprintf(tw, "%s\t\t\t\t%s\n", name, s.Description)
		for _, p := range s.Params {
			kind := ""
			if p.Integer {
				kind = " (integer)"
			}
			fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s%s\n", p.Name, FormatValue(p.Default), p.Range(), p.Description, kind)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("describe strategies: %w", err)
	}
	return nil
}
