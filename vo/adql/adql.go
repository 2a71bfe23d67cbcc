// Package adql builds ADQL text safely: identifiers and literals are
// quoted by the package, never pasted in from user values, and geometry
// constraints (POINT, CIRCLE, CONTAINS) are assembled from checked numbers.
//
// Expr is a fragment of ADQL that this package produced (or that the
// caller vouches for with Raw); functions take Exprs, so user text cannot
// reach a query without going through Ident, Str or a number.
package adql

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
)

// Expr is a fragment of ADQL text.
type Expr string

// String returns the ADQL text.
func (e Expr) String() string { return string(e) }

// Raw marks trusted ADQL text (written by the program, or a whole query
// typed by the user) as an Expr. Never pass user values through Raw.
func Raw(s string) Expr { return Expr(s) }

// IsRegular reports whether s is a regular ADQL identifier that needs no
// quoting: a letter, then letters, digits or underscores, and not a
// reserved word.
func IsRegular(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return !IsReserved(s)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// IsReserved reports whether s is an ADQL or SQL reserved word.
func IsReserved(s string) bool { return reserved()[strings.ToUpper(s)] }

// Ident quotes one identifier part (a column, table or schema name) when it
// is not regular: "name" with inner quotes doubled. Delimited identifiers
// are case-sensitive in ADQL, so a mixed-case name keeps its case.
func Ident(name string) (Expr, error) {
	if name == "" {
		return "", errors.New("adql: empty identifier")
	}
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("adql: identifier %q contains a NUL character", name)
	}
	if IsRegular(name) {
		return Expr(name), nil
	}
	return Expr(`"` + strings.ReplaceAll(name, `"`, `""`) + `"`), nil
}

// Col returns a (possibly qualified) column reference: Col("t", "ra") is
// t.ra; each part is quoted as needed.
func Col(parts ...string) (Expr, error) {
	if len(parts) == 0 {
		return "", errors.New("adql: empty column reference")
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		e, err := Ident(p)
		if err != nil {
			return "", err
		}
		out[i] = string(e)
	}
	return Expr(strings.Join(out, ".")), nil
}

// TableName turns a table name as services list it ("ivoa.obscore",
// "gaia.dr3lite", `"My Schema"."t"`) into ADQL: it splits on dots outside
// double quotes and quotes each part as needed.
// A part that was delimited stays delimited (delimited identifiers are
// case-sensitive).
func TableName(name string) (Expr, error) {
	parts, quoted, err := splitName(name)
	if err != nil {
		return "", err
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		if quoted[i] {
			if p == "" || strings.ContainsRune(p, 0) {
				return "", fmt.Errorf("adql: bad delimited identifier in %q", name)
			}
			out[i] = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
			continue
		}
		e, err := Ident(p)
		if err != nil {
			return "", err
		}
		out[i] = string(e)
	}
	return Expr(strings.Join(out, ".")), nil
}

// SplitName splits a dotted name on dots outside double quotes, removing
// the quotes of delimited parts.
func SplitName(name string) ([]string, error) {
	parts, _, err := splitName(name)
	return parts, err
}

func splitName(name string) ([]string, []bool, error) {
	var parts []string
	var quotedParts []bool
	var cur strings.Builder
	quoted, wasQuoted := false, false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case quoted && c == '"' && i+1 < len(name) && name[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
			wasQuoted = true
		case c == '.' && !quoted:
			if cur.Len() == 0 && !wasQuoted {
				return nil, nil, fmt.Errorf("adql: empty part in name %q", name)
			}
			parts = append(parts, cur.String())
			quotedParts = append(quotedParts, wasQuoted)
			cur.Reset()
			wasQuoted = false
		default:
			cur.WriteByte(c)
		}
	}
	if quoted {
		return nil, nil, fmt.Errorf("adql: unbalanced quote in name %q", name)
	}
	if cur.Len() == 0 && !wasQuoted {
		return nil, nil, fmt.Errorf("adql: empty part in name %q", name)
	}
	return append(parts, cur.String()), append(quotedParts, wasQuoted), nil
}

// Str is a string literal: 'text' with inner quotes doubled.
func Str(s string) (Expr, error) {
	if strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("adql: string %q contains a NUL character", s)
	}
	return Expr("'" + strings.ReplaceAll(s, "'", "''") + "'"), nil
}

// Num is a numeric literal; NaN and infinities are refused.
func Num(f float64) (Expr, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("adql: %v is not a number ADQL can express", f)
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if strings.HasPrefix(s, "-") {
		s = "(" + s + ")" // never glue a minus to a preceding operator
	}
	return Expr(s), nil
}

// Int is an integer literal.
func Int(i int64) Expr {
	if i < 0 {
		return Expr("(" + strconv.FormatInt(i, 10) + ")")
	}
	return Expr(strconv.FormatInt(i, 10))
}

// Frames accepted by Point and Circle.
var frames = map[string]bool{"ICRS": true, "FK5": true, "FK4": true, "GALACTIC": true, "ECLIPTIC": true, "": true}

func frame(f string) (Expr, error) {
	if !frames[strings.ToUpper(f)] {
		return "", fmt.Errorf("adql: unknown coordinate frame %q", f)
	}
	return Str(strings.ToUpper(f))
}

// Point is POINT(frame, ra, dec); frame is "ICRS" (or "" for none).
func Point(frameName string, ra, dec Expr) (Expr, error) {
	f, err := frame(frameName)
	if err != nil {
		return "", err
	}
	return Expr(fmt.Sprintf("POINT(%s, %s, %s)", f, ra, dec)), nil
}

// Circle is CIRCLE(frame, ra, dec, radius) around a position given in
// degrees; the values are checked (0 <= ra < 360 after wrapping,
// -90 <= dec <= 90, 0 < radius <= 180).
func Circle(frameName string, ra, dec, radius float64) (Expr, error) {
	if err := CheckPosition(ra, dec); err != nil {
		return "", err
	}
	if !(radius > 0 && radius <= 180) {
		return "", fmt.Errorf("adql: radius %v degrees is not in (0, 180]", radius)
	}
	f, err := frame(frameName)
	if err != nil {
		return "", err
	}
	r, _ := Num(math.Mod(math.Mod(ra, 360)+360, 360))
	d, _ := Num(dec)
	rad, _ := Num(radius)
	return Expr(fmt.Sprintf("CIRCLE(%s, %s, %s, %s)", f, r, d, rad)), nil
}

// CheckPosition checks a sky position in degrees.
func CheckPosition(ra, dec float64) error {
	if math.IsNaN(ra) || math.IsInf(ra, 0) {
		return fmt.Errorf("adql: RA %v is not a finite number", ra)
	}
	if !(dec >= -90 && dec <= 90) {
		return fmt.Errorf("adql: Dec %v is not in [-90, 90]", dec)
	}
	return nil
}

// Contains is the constraint 1=CONTAINS(a, b).
func Contains(a, b Expr) Expr { return Expr(fmt.Sprintf("1=CONTAINS(%s, %s)", a, b)) }

// Cone is the constraint that the position columns raCol, decCol (already
// built with Col) lie within radius degrees of (ra, dec), all ICRS:
// 1=CONTAINS(POINT('ICRS', raCol, decCol), CIRCLE('ICRS', ra, dec, radius)).
func Cone(raCol, decCol Expr, ra, dec, radius float64) (Expr, error) {
	c, err := Circle("ICRS", ra, dec, radius)
	if err != nil {
		return "", err
	}
	p, err := Point("ICRS", raCol, decCol)
	if err != nil {
		return "", err
	}
	return Contains(p, c), nil
}

// And joins constraints with AND, each parenthesised; empty ones are skipped.
func And(cs ...Expr) Expr {
	var out []string
	for _, c := range cs {
		if c != "" {
			out = append(out, "("+string(c)+")")
		}
	}
	return Expr(strings.Join(out, " AND "))
}

// Range is the constraint lo <= col < hi (or <= hi when inclusive).
func Range(col, lo, hi Expr, inclusive bool) Expr {
	op := "<"
	if inclusive {
		op = "<="
	}
	return Expr(fmt.Sprintf("%s >= %s AND %s %s %s", col, lo, col, op, hi))
}

// reserved holds the ADQL 2.1 reserved words and the SQL-92 ones ADQL
// inherits, except DEC: it is the usual name of the declination column,
// every ADQL parser accepts it unquoted, and quoting it would make it
// case-sensitive.
var reserved = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`ABS ACOS AREA ASIN ATAN ATAN2 BIT_AND BIT_NOT BIT_OR BIT_XOR BOX CEILING
	CENTROID CIRCLE CONTAINS COORD1 COORD2 COORDSYS COS COT DEGREES DISTANCE EXP FLOOR ILIKE INTERSECTS
	IN_UNIT LOG LOG10 LOWER MOD OFFSET PI POINT POLYGON POWER RADIANS REGION RAND ROUND SIN SQRT TAN TOP
	TRUNCATE UPPER
	ABSOLUTE ACTION ADD ALL ALLOCATE ALTER AND ANY ARE AS ASC ASSERTION AT AUTHORIZATION AVG BEGIN BETWEEN
	BIT BIT_LENGTH BOTH BY CASCADE CASCADED CASE CAST CATALOG CHAR CHARACTER CHAR_LENGTH CHARACTER_LENGTH
	CHECK CLOSE COALESCE COLLATE COLLATION COLUMN COMMIT CONNECT CONNECTION CONSTRAINT CONSTRAINTS CONTINUE
	CONVERT CORRESPONDING COUNT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER
	CURSOR DATE DAY DEALLOCATE DECIMAL DECLARE DEFAULT DEFERRABLE DEFERRED DELETE DESC DESCRIBE
	DESCRIPTOR DIAGNOSTICS DISCONNECT DISTINCT DOMAIN DOUBLE DROP ELSE END END-EXEC ESCAPE EXCEPT EXCEPTION
	EXEC EXECUTE EXISTS EXTERNAL EXTRACT FALSE FETCH FIRST FLOAT FOR FOREIGN FOUND FROM FULL GET GLOBAL GO
	GOTO GRANT GROUP HAVING HOUR IDENTITY IMMEDIATE IN INDICATOR INITIALLY INNER INPUT INSENSITIVE INSERT
	INT INTEGER INTERSECT INTERVAL INTO IS ISOLATION JOIN KEY LANGUAGE LAST LEADING LEFT LEVEL LIKE LOCAL
	MATCH MAX MIN MINUTE MODULE MONTH NAMES NATIONAL NATURAL NCHAR NEXT NO NOT NULL NULLIF NUMERIC
	OCTET_LENGTH OF ON ONLY OPEN OPTION OR ORDER OUTER OUTPUT OVERLAPS PAD PARTIAL POSITION PRECISION
	PREPARE PRESERVE PRIMARY PRIOR PRIVILEGES PROCEDURE PUBLIC READ REAL REFERENCES RELATIVE RESTRICT REVOKE
	RIGHT ROLLBACK ROWS SCHEMA SCROLL SECOND SECTION SELECT SESSION SESSION_USER SET SIZE SMALLINT SOME SPACE
	SQL SQLCODE SQLERROR SQLSTATE SUBSTRING SUM SYSTEM_USER TABLE TEMPORARY THEN TIME TIMESTAMP
	TIMEZONE_HOUR TIMEZONE_MINUTE TO TRAILING TRANSACTION TRANSLATE TRANSLATION TRIM TRUE UNION UNIQUE
	UNKNOWN UPDATE USAGE USER USING VALUE VALUES VARCHAR VARYING VIEW WHEN WHENEVER WHERE WITH WORK WRITE
	YEAR ZONE`) {
		m[w] = true
	}
	return m
})
