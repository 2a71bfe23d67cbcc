package votable

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
)

// bigTableData is a TABLEDATA document of n rows (long enough for the
// reader to cut chunks of rows), with row i rendered by row(i) (nil: the
// default row), the tags with prefix pfx.
func bigTableData(n int, pfx string, row func(i int) string) []byte {
	var b bytes.Buffer
	ns := ""
	if pfx != "" {
		ns = fmt.Sprintf(` xmlns:%s="http://www.ivoa.net/xml/VOTable/v1.3"`, strings.TrimSuffix(pfx, ":"))
	}
	fmt.Fprintf(&b, `<%sVOTABLE%s><%sRESOURCE><%sTABLE name="t">`, pfx, ns, pfx, pfx)
	for _, f := range []string{`name="id" datatype="long"`, `name="x" datatype="double"`, `name="m" datatype="float"`, `name="s" datatype="char" arraysize="*"`, `name="v" datatype="short" arraysize="2"`} {
		fmt.Fprintf(&b, "<%sFIELD %s/>\n", pfx, f)
	}
	fmt.Fprintf(&b, "<%sDATA><%sTABLEDATA>\n", pfx, pfx)
	for i := 0; i < n; i++ {
		if row != nil {
			if r := row(i); r != "" {
				b.WriteString(r)
				continue
			}
		}
		fmt.Fprintf(&b, "  <%[1]sTR>\n    <%[1]sTD>%[2]d</%[1]sTD><%[1]sTD>%.10[3]f</%[1]sTD><%[1]sTD>%.4[4]f</%[1]sTD><%[1]sTD>s%[2]d</%[1]sTD><%[1]sTD>%[2]d %[5]d</%[1]sTD>\n  </%[1]sTR>\n",
			pfx, i, float64(i)*1.25e-3-7, 12+float64(i%800)/100, i%300)
	}
	fmt.Fprintf(&b, "</%sTABLEDATA></%sDATA></%sTABLE></%sRESOURCE></%sVOTABLE>\n", pfx, pfx, pfx, pfx, pfx)
	return b.Bytes()
}

// readBoth reads doc with the chunked TABLEDATA reader and with chunking
// off (one scanning goroutine, as before), at once and one byte at a time.
func readBoth(t *testing.T, doc []byte) (chunked, plain *Document, errChunked, errPlain error) {
	t.Helper()
	chunked, errChunked = Read(bytes.NewReader(doc))
	tdChunking = false
	defer func() { tdChunking = true }()
	plain, errPlain = Read(bytes.NewReader(doc))
	slow, errSlow := Read(iotest.OneByteReader(bytes.NewReader(doc)))
	if (errSlow == nil) != (errPlain == nil) {
		t.Fatalf("one byte at a time: %v; at once: %v", errSlow, errPlain)
	}
	if errPlain == nil {
		sameValues(t, "one byte at a time", plain, slow)
	}
	return
}

func sameValues(t *testing.T, what string, a, b *Document) {
	t.Helper()
	ta, tb := a.Tables(), b.Tables()
	if len(ta) != len(tb) {
		t.Fatalf("%s: %d tables, then %d", what, len(ta), len(tb))
	}
	for k := range ta {
		if ta[k].Rows() != tb[k].Rows() {
			t.Fatalf("%s: table %d: %d rows, then %d", what, k, ta[k].Rows(), tb[k].Rows())
		}
		for j, c := range ta[k].Columns {
			d := tb[k].Columns[j]
			for i := 0; i < c.Len(); i++ {
				// %v: NaN equals NaN, -0 differs from 0, floats exact.
				if fmt.Sprintf("%v", c.Value(i)) != fmt.Sprintf("%v", d.Value(i)) {
					t.Fatalf("%s: table %d row %d column %d: %v, then %v", what, k, i, j, c.Value(i), d.Value(i))
				}
			}
		}
	}
}

func TestTableDataChunksMatchOneScanner(t *testing.T) {
	const n = 20000 // about 3 MB: many chunks
	for _, tc := range []struct {
		name string
		pfx  string
		row  func(i int) string
		err  string // the error both readers give, "" for none
	}{
		{"plain", "", nil, ""},
		{"namespace prefix", "v:", nil, ""},
		{"nulls, entities, attributes", "", func(i int) string {
			switch i % 1000 {
			case 1:
				return "<TR><TD/><TD></TD><TD>NaN</TD><TD>a&amp;b &lt;&#x41;</TD><TD>1 2</TD></TR>\n"
			case 2:
				return `<TR ><TD ID="x">7</TD><TD >1e300</TD><TD>-0</TD><TD>&quot;</TD><TD>-3 0x7f</TD></TR >` + "\n"
			case 3: // signs, blanks, exponents: the cells the in-line parsers leave to the textParsers
				return "<TR><TD>-42</TD><TD> 1.5 </TD><TD>+2.5e-3</TD><TD>x</TD><TD>007 -1</TD></TR>\n"
			case 4: // too many digits for the in-line parsers
				return "<TR><TD>1234567890123456789</TD><TD>1234567890.1234567890123</TD><TD>1e-50</TD><TD>y</TD><TD>1 1</TD></TR>\n"
			case 5:
				return "<TR><TD>0x1F</TD><TD>inf</TD><TD>-Infinity</TD><TD></TD><TD>2 3</TD></TR>\n"
			}
			return ""
		}, ""},
		{"rows the fast scanner leaves to the general one", "", func(i int) string {
			// Each differs from the common form (fastRows) at another
			// place; the rows around them are of the common form. A
			// comment or CDATA section stops the cutting of chunks
			// around it, so there is one of each only.
			switch i {
			case 10006:
				return "<TR><TD>1</TD><!-- between --><TD>2</TD><TD>3</TD><TD>s</TD><TD>1 2</TD></TR>\n"
			case 15009:
				return "<TR><TD>1</TD><TD>2</TD><TD>3</TD><TD><![CDATA[x]]></TD><TD>1 2</TD></TR>\n"
			}
			switch i % 500 {
			case 1:
				return "<TR>\t<TD>1</TD>\r\n<TD>2.5</TD> <TD>3</TD><TD>a>b</TD><TD>1 2</TD></TR>\n"
			case 2:
				return "<TR><TD>1</TD><TD>2</TD><TD ID=\"c\">3</TD><TD>s</TD><TD>1 2</TD></TR>\n"
			case 3:
				return "<TR><TD>1</TD><TD>2</TD><TD>3</TD><TD>s</TD><TD>1&#32;2</TD></TR>\n"
			case 4:
				return "<TR><TD>1</TD><TD/><TD>3</TD><TD>s</TD><TD>1 2</TD></TR>\n"
			case 5:
				return "<TR><TD>1</TD><TD>2</TD><TD>3</TD><TD>s</TD><TD>1 2</TD></TR >\n"
			case 7:
				return "<TR ID=\"r\"><TD>1</TD><TD>2</TD><TD>3</TD><TD>s</TD><TD>1 2</TD></TR>\n"
			case 8:
				return "<TR><TD>1</TD><TD>2</TD><TD>3</TD><TD>s</TD><TD>1 2</TD ></TR>\n"
			}
			return ""
		}, ""},
		{"indentation that changes from row to row", "", func(i int) string {
			// fastRows compares the white space and <TD of a cell with
			// those of the cell before.
			ind := []string{"\n    ", "\n\t", "\r\n ", "\n        ", "", " "}[i%6]
			return fmt.Sprintf("  <TR>%[1]s<TD>%[2]d</TD>%[1]s<TD>%[2]d.5</TD>%[1]s<TD>1.25</TD>%[1]s<TD>s</TD>%[1]s<TD>1 2</TD>\n  </TR>\n", ind, i)
		}, ""},
		{"an element like TD after cells indented alike", "", func(i int) string {
			if i == 11111 {
				return "  <TR>\n    <TD>1</TD>\n    <TD>2</TD>\n    <TDX>3</TDX>\n    <TD>s</TD>\n    <TD>1 2</TD>\n  </TR>\n"
			}
			return "  <TR>\n    <TD>1</TD>\n    <TD>2</TD>\n    <TD>3</TD>\n    <TD>s</TD>\n    <TD>1 2</TD>\n  </TR>\n"
		}, `votable: table "t", TABLEDATA row 11112: unexpected element "<TDX>3</TDX>`},
		{"a sixth cell late", "", func(i int) string {
			if i == 13001 {
				return "<TR><TD>1</TD><TD>2</TD><TD>3</TD><TD>s</TD><TD>1 2</TD><TD>6</TD></TR>\n"
			}
			return ""
		}, `votable: table "t", TABLEDATA row 13002: more cells than the 5 fields`},
		{"comments and CDATA here and there", "", func(i int) string {
			switch i {
			case 3000:
				return "<!-- a comment with </TR> in it -->\n"
			case 9000:
				return "<TR><TD>1</TD><TD>2</TD><TD>3</TD><TD><![CDATA[</TR></TABLEDATA>]]></TD><TD>4 5</TD></TR>\n"
			case 15000:
				return "<?pi </TR>?>"
			}
			return ""
		}, ""},
		{"bad number late", "", func(i int) string {
			if i == 12345 {
				return "<TR><TD>1</TD><TD>x1</TD><TD>3</TD><TD>s</TD><TD>4 5</TD></TR>\n"
			}
			return ""
		}, `votable: table "t", row 12346, column 2 "x": "x1" is not a valid double`},
		{"two bad cells in one row", "", func(i int) string {
			if i == 12345 {
				return "<TR><TD>q</TD><TD>x1</TD><TD>3</TD><TD>s</TD><TD>4 5</TD></TR>\n"
			}
			return ""
		}, `votable: table "t", row 12346, column 1 "id": "q" is not a valid long`},
		{"bad cells in two rows, the later column first", "", func(i int) string {
			switch i {
			case 12340:
				return "<TR><TD>1</TD><TD>2</TD><TD>y</TD><TD>s</TD><TD>4 5</TD></TR>\n"
			case 12345:
				return "<TR><TD>1</TD><TD>x1</TD><TD>3</TD><TD>s</TD><TD>4 5</TD></TR>\n"
			}
			return ""
		}, `votable: table "t", row 12341, column 3 "m": "y" is not a valid float`},
		{"bad cells in two rows, the earlier column first", "", func(i int) string {
			switch i {
			case 12340:
				return "<TR><TD>1</TD><TD>x1</TD><TD>3</TD><TD>s</TD><TD>4 5</TD></TR>\n"
			case 12345:
				return "<TR><TD>q</TD><TD>2</TD><TD>3</TD><TD>s</TD><TD>4 5</TD></TR>\n"
			}
			return ""
		}, `votable: table "t", row 12341, column 2 "x": "x1" is not a valid double`},
		{"missing cell late", "", func(i int) string {
			if i == 17777 {
				return "<TR><TD>1</TD><TD>2</TD></TR>\n"
			}
			return ""
		}, `votable: table "t", TABLEDATA row 17778: 2 cells for 5 fields`},
		{"stray end tag between rows", "", func(i int) string {
			if i == 8000 {
				return "</DATA>"
			}
			return ""
		}, "*"},
		{"text between rows", "", func(i int) string {
			if i == 4444 {
				return "oops"
			}
			return ""
		}, `votable: table "t", TABLEDATA row 4445: unexpected text "oops`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := bigTableData(n, tc.pfx, tc.row)
			chunked, plain, errChunked, errPlain := readBoth(t, doc)
			if (errChunked == nil) != (errPlain == nil) {
				t.Fatalf("chunked: %v; one scanner: %v", errChunked, errPlain)
			}
			if tc.err == "" {
				if errChunked != nil {
					t.Fatal(errChunked)
				}
				sameValues(t, "chunked and not", plain, chunked)
				return
			}
			if errChunked == nil {
				t.Fatalf("no error, want %s", tc.err)
			}
			if tc.err == "*" {
				return // both fail, in their own words
			}
			if !strings.HasPrefix(errChunked.Error(), tc.err) || !strings.HasPrefix(errPlain.Error(), tc.err) {
				t.Fatalf("errors:\n chunked:      %v\n one scanner:  %v\n want:         %s", errChunked, errPlain, tc.err)
			}
		})
	}
}
