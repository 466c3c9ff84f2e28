package sweep

import "slices"

// Rank returns the indices of scores from best to worst, cmp(a, b) being negative when a
// ranks before b. Ties keep the order of scores (the plan's order), so that a ranking never
// depends on how the runs were scheduled.
func Rank[S any](scores []S, cmp func(a, b *S) int) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp(&scores[a], &scores[b]) })
	return idx
}
