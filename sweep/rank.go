package sweep

import (
	"cmp"
	"slices"
)

// Rank returns the indices of scores from best to worst, cmp(a, b) being negative when a
// ranks before b. Ties keep the order of scores (the plan's order), so that a ranking never
// depends on how the runs were scheduled.
func Rank[S any](scores []S, cmp func(a, b *S) int) []int {
	return RankGroups(scores, cmp, func(*S) int { return 0 })
}

// RankGroups ranks as Rank does within groups and puts the groups in order, group(s) being
// each score's: so a ranking can lead with the results that count (enough trades) and leave
// thin ones, and runs that made no trade, after them rather than among them.
func RankGroups[S any](scores []S, better func(a, b *S) int, group func(*S) int) []int {
	idx := make([]int, len(scores))
	groups := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
		groups[i] = group(&scores[i])
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := cmp.Compare(groups[a], groups[b]); c != 0 {
			return c
		}
		return better(&scores[a], &scores[b])
	})
	return idx
}
