package xmatch

import (
	"fmt"
	"math"
)

// Join selects which rows a two-table match outputs, as STILTS tmatch2's
// join parameter does.
type Join int

// The join modes.
const (
	// Join1And2 outputs the matched pairs only.
	Join1And2 Join = iota
	// Join1Or2 outputs the pairs, then the unmatched rows of both tables.
	Join1Or2
	// JoinAll1 outputs every row of table 1, with its matches if any.
	JoinAll1
	// JoinAll2 outputs every row of table 2, with its matches if any.
	JoinAll2
	// Join1Not2 outputs the rows of table 1 without a match.
	Join1Not2
	// Join2Not1 outputs the rows of table 2 without a match.
	Join2Not1
	// Join1Xor2 outputs the unmatched rows of both tables.
	Join1Xor2
)

var joinNames = []string{"1and2", "1or2", "all1", "all2", "1not2", "2not1", "1xor2"}

// String returns the STILTS name of the join.
func (j Join) String() string {
	if int(j) >= 0 && int(j) < len(joinNames) {
		return joinNames[j]
	}
	return fmt.Sprintf("Join(%d)", int(j))
}

// ParseJoin maps a STILTS join name ("1and2", "1or2", "all1", "all2",
// "1not2", "2not1", "1xor2") to a Join.
func ParseJoin(s string) (Join, error) {
	for i, n := range joinNames {
		if s == n {
			return Join(i), nil
		}
	}
	return 0, fmt.Errorf("unknown join %q (want one of %v)", s, joinNames)
}

// Row is one output row of a join: a row of table 1 and a row of table 2,
// either being -1 when absent, and the separation in degrees (NaN when one
// side is absent).
type Row = Pair

// JoinRows turns the pairs of a match of tables of nA and nB rows (pairs
// ordered by A row, as Match returns them) into the rows of the given join.
// Rows come in table-1 order, a table-1 row followed by its pairs; rows of
// table 2 only come last, in table-2 order.
func JoinRows(pairs []Pair, nA, nB int, join Join) ([]Row, error) {
	if int(join) < 0 || int(join) >= len(joinNames) {
		return nil, fmt.Errorf("unknown join %v", join)
	}
	wantPairs := join == Join1And2 || join == Join1Or2 || join == JoinAll1 || join == JoinAll2
	wantLoneA := join == Join1Or2 || join == JoinAll1 || join == Join1Not2 || join == Join1Xor2
	wantLoneB := join == Join1Or2 || join == JoinAll2 || join == Join2Not1 || join == Join1Xor2
	if join == Join1And2 {
		return pairs, nil
	}
	matchedB := make([]bool, nB)
	for _, p := range pairs {
		if p.A < 0 || int(p.A) >= nA || p.B < 0 || int(p.B) >= nB {
			return nil, fmt.Errorf("pair (%d, %d) is outside tables of %d and %d rows", p.A, p.B, nA, nB)
		}
		matchedB[p.B] = true
	}
	var out []Row
	k := 0
	nan := math.NaN()
	for i := range nA {
		if k < len(pairs) && int(pairs[k].A) < i {
			return nil, fmt.Errorf("pairs are not ordered by table-1 row")
		}
		if k < len(pairs) && int(pairs[k].A) == i {
			for k < len(pairs) && int(pairs[k].A) == i {
				if wantPairs {
					out = append(out, pairs[k])
				}
				k++
			}
			continue
		}
		if wantLoneA {
			out = append(out, Row{A: int32(i), B: -1, Sep: nan})
		}
	}
	if wantLoneB {
		for j, m := range matchedB {
			if !m {
				out = append(out, Row{A: -1, B: int32(j), Sep: nan})
			}
		}
	}
	return out, nil
}
