package xmatch

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/voagent/voagent/vo/votable"
)

// TableOptions tune MatchTables.
type TableOptions struct {
	Options
	// Join selects the rows output (Join1And2 by default).
	Join Join
	// A and B locate the positions of the two tables.
	A, B Coords
}

// MatchResult is a two-table match.
type MatchResult struct {
	// Pairs are the matches, by A row.
	Pairs []Pair
	// Rows are the output rows (pairs and, by join, unmatched rows).
	Rows []Row
	// Output is the joined table: the columns of table 1 (names clashing
	// with table 2 get the suffix _1), of table 2 (suffix _2), then
	// Separation (arcsec; null for unmatched rows), row_1 and row_2 (the
	// 1-based row numbers of the inputs, null when absent).
	Output *Output
}

// MatchTables cross-matches two tables.
func MatchTables(ctx context.Context, a, b *votable.Table, opt TableOptions) (*MatchResult, error) {
	// The positions in the tables' own storage when possible (no copy).
	pa, err := tableBlocks(a, opt.A)
	if err != nil {
		return nil, fmt.Errorf("table 1: %w", err)
	}
	pb, err := tableBlocks(b, opt.B)
	if err != nil {
		return nil, fmt.Errorf("table 2: %w", err)
	}
	// pa and pb are not used below, so that they can be collected once
	// indexed.
	pairs, err := Match(ctx, pa, pb, opt.Options)
	if err != nil {
		return nil, fmt.Errorf("matching: %w", err)
	}
	rows, err := JoinRows(pairs, a.Rows(), b.Rows(), opt.Join)
	if err != nil {
		return nil, err
	}
	out, err := joinedOutput(a, b, rows)
	if err != nil {
		return nil, err
	}
	out.Description = fmt.Sprintf("Sky cross-match of %s and %s: find=%v join=%v radius=%g arcsec",
		a.Label(), b.Label(), opt.Find, opt.Join, opt.Radius*3600)
	return &MatchResult{Pairs: pairs, Rows: rows, Output: out}, nil
}

func fieldNames(t *votable.Table) []string {
	out := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		out[i] = f.Name
	}
	return out
}

func joinedOutput(a, b *votable.Table, rows []Row) (*Output, error) {
	ga, err := newTableGather(a)
	if err != nil {
		return nil, err
	}
	gb, err := newTableGather(b)
	if err != nil {
		return nil, err
	}
	names := uniqueNames([][]string{fieldNames(a), fieldNames(b), {"Separation", "row_1", "row_2"}}, suffixNumber)
	var fields []*votable.Field
	for i, f := range a.Fields {
		fields = append(fields, copyField(f, names[0][i]))
	}
	for i, f := range b.Fields {
		fields = append(fields, copyField(f, names[1][i]))
	}
	fields = append(fields,
		&votable.Field{Name: names[2][0], Datatype: votable.Double, Unit: "arcsec", UCD: "pos.angDistance",
			Description: "Angular separation of the matched positions"},
		&votable.Field{Name: names[2][1], Datatype: votable.Int, UCD: "meta.number",
			Description: "Row of table 1 (1-based)"},
		&votable.Field{Name: names[2][2], Datatype: votable.Int, UCD: "meta.number",
			Description: "Row of table 2 (1-based)"})
	na, nb := len(a.Fields), len(b.Fields)
	ia := make([]int32, 0, 1024)
	ib := make([]int32, 0, 1024)
	sep := make([]float64, 0, 1024)
	out := &Output{Name: "xmatch", Fields: fields, n: len(rows)}
	out.fill = func(cols []votable.Column, from, to int) error {
		ia, ib, sep = ia[:0], ib[:0], sep[:0]
		for _, r := range rows[from:to] {
			ia, ib, sep = append(ia, r.A), append(ib, r.B), append(sep, r.Sep*3600)
		}
		if err := ga.gather(cols[:na], ia); err != nil {
			return err
		}
		if err := gb.gather(cols[na:na+nb], ib); err != nil {
			return err
		}
		if err := appendFloats(cols[na+nb], sep); err != nil {
			return err
		}
		if err := appendRowNumbers(cols[na+nb+1], ia); err != nil {
			return err
		}
		return appendRowNumbers(cols[na+nb+2], ib)
	}
	return out, nil
}

// ClusterOptions tune ClusterTables.
type ClusterOptions struct {
	Options
	// Coords locate the positions of each table (missing entries: found
	// by UCD or name).
	Coords []Coords
	// MinCatalogues drops clusters spanning fewer catalogues (0 or 1 keeps
	// every cluster, singletons included).
	MinCatalogues int
	// Labels name the catalogues (default: the tables' names, else
	// "cat1", "cat2" ...).
	Labels []string
}

// ClusterResult is a clustering of tables.
type ClusterResult struct {
	Clusters *Clusters
	// Kept lists the clusters output, in order.
	Kept []int32
	// Output has one row per kept cluster: cluster_id, ra, dec (mean
	// position), n_members, n_catalogues, ambiguous (some catalogue has
	// several members), then for each catalogue k all of its columns for
	// its member nearest the mean position (null when none; names clashing
	// between catalogues get the suffix _k). One GROUP per catalogue, named
	// by its label, lists its columns (vo/sed uses it).
	Output *Output
}

// ClusterTables clusters N tables (course workflow 10).
func ClusterTables(ctx context.Context, tabs []*votable.Table, opt ClusterOptions) (*ClusterResult, error) {
	if len(tabs) < 2 {
		return nil, fmt.Errorf("clustering needs at least 2 tables, got %d", len(tabs))
	}
	cats := make([]Positions, len(tabs))
	gathers := make([]*tableGather, len(tabs))
	for k, t := range tabs {
		var c Coords
		if k < len(opt.Coords) {
			c = opt.Coords[k]
		}
		var err error
		if cats[k], err = tableBlocks(t, c); err != nil {
			return nil, fmt.Errorf("table %d: %w", k+1, err)
		}
		if gathers[k], err = newTableGather(t); err != nil {
			return nil, err
		}
	}
	cl, err := Cluster(ctx, cats, opt.Options)
	if err != nil {
		return nil, err
	}
	kept := cl.kept(opt.MinCatalogues)
	head := []string{"cluster_id", "ra", "dec", "n_members", "n_catalogues", "ambiguous"}
	groups := [][]string{head}
	for _, t := range tabs {
		groups = append(groups, fieldNames(t))
	}
	names := uniqueNames(groups, func(k int) string {
		if k == 0 {
			return "_cluster"
		}
		return "_" + strconv.Itoa(k)
	})
	fields := []*votable.Field{
		{Name: names[0][0], Datatype: votable.Int, UCD: "meta.id;meta.main", Description: "Cluster number"},
		{Name: names[0][1], Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.ra;meta.main", Description: "Mean right ascension of the members"},
		{Name: names[0][2], Datatype: votable.Double, Unit: "deg", UCD: "pos.eq.dec;meta.main", Description: "Mean declination of the members"},
		{Name: names[0][3], Datatype: votable.Int, UCD: "meta.number", Description: "Number of member rows"},
		{Name: names[0][4], Datatype: votable.Short, UCD: "meta.number", Description: "Number of catalogues with members"},
		{Name: names[0][5], Datatype: votable.Boolean, UCD: "meta.code", Description: "True when a catalogue has several members; its columns show the member nearest the mean position"},
	}
	var vgroups []*votable.Group
	ids := map[string]bool{}
	start := make([]int, len(tabs)+1)
	for k, t := range tabs {
		label := t.Name
		if k < len(opt.Labels) && opt.Labels[k] != "" {
			label = opt.Labels[k]
		}
		if label == "" {
			label = "cat" + strconv.Itoa(k+1)
		}
		g := &votable.Group{Name: label, Description: fmt.Sprintf("Columns of catalogue %d (%s)", k+1, t.Label())}
		start[k] = len(fields)
		for i, f := range t.Fields {
			nf := copyField(f, names[k+1][i])
			// Only the cluster position is the main one.
			nf.UCD = strings.ReplaceAll(strings.ReplaceAll(nf.UCD, ";meta.main", ""), ";META.MAIN", "")
			// The ID is the name (astropy names columns by ID), made a
			// valid XML ID when the name is not one.
			nf.ID = xmlID(nf.Name, ids)
			g.FieldRefs = append(g.FieldRefs, &votable.FieldRef{Ref: nf.ID})
			fields = append(fields, nf)
		}
		vgroups = append(vgroups, g)
	}
	start[len(tabs)] = len(fields)
	out := &Output{Name: "clusters", Fields: fields, Groups: vgroups, n: len(kept),
		Description: fmt.Sprintf("Clusters of %d catalogues linked by pairwise best matches within %g arcsec",
			len(tabs), opt.Radius*3600)}
	// The summaries are computed batch by batch, as the rows are filled.
	rows := make([]int32, 0, 1024)
	var sc summaryScratch
	var sums []Summary
	var reps []int32
	out.fill = func(cols []votable.Column, from, to int) error {
		sums = sums[:0]
		reps = slices.Grow(reps[:0], (to-from)*len(cats))[:(to-from)*len(cats)]
		for i := from; i < to; i++ {
			k := (i - from) * len(cats)
			sums = append(sums, cl.summarize(int(kept[i]), cats, &sc, reps[k:k+len(cats)]))
		}
		id := cols[0].(*votable.Scalar[int32])
		ra := cols[1].(*votable.Scalar[float64])
		dec := cols[2].(*votable.Scalar[float64])
		nm := cols[3].(*votable.Scalar[int32])
		nc := cols[4].(*votable.Scalar[int16])
		amb := cols[5].(*votable.Scalar[bool])
		for i := from; i < to; i++ {
			s := sums[i-from]
			id.Append(kept[i]+1, false)
			ra.Append(s.RA, s.RA != s.RA)
			dec.Append(s.Dec, s.Dec != s.Dec)
			nm.Append(int32(s.Members), false)
			nc.Append(int16(s.Catalogues), false)
			amb.Append(s.Ambiguous, false)
		}
		for k, g := range gathers {
			rows = rows[:0]
			for _, s := range sums {
				rows = append(rows, s.Rep[k])
			}
			if err := g.gather(cols[start[k]:start[k+1]], rows); err != nil {
				return err
			}
		}
		return nil
	}
	return &ClusterResult{Clusters: cl, Kept: kept, Output: out}, nil
}

// xmlID is name as an XML ID (an NCName: a letter or _ first, then
// letters, digits, '.', '-', '_'), other characters replaced by '_' and a
// leading '_' added when it starts otherwise; unique within used (a
// suffix _2, _3 ... when taken), which it is added to.
func xmlID(name string, used map[string]bool) string {
	var b strings.Builder
	for i, r := range name {
		ok := r == '_' || unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || r == '.' || r == '-'))
		switch {
		case ok:
			b.WriteRune(r)
		case i == 0 && (unicode.IsDigit(r) || r == '.' || r == '-'):
			b.WriteByte('_')
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	id := b.String()
	if id == "" {
		id = "_"
	}
	for n, base := 2, id; used[id]; n++ {
		id = base + "_" + strconv.Itoa(n)
	}
	used[id] = true
	return id
}
