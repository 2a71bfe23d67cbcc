package synth

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
)

// card is one FITS header keyword; Value is a string, float64, int or bool.
type card struct {
	Key     string
	Value   any
	Comment string
}

// formatCard renders an 80-character FITS header card.
func formatCard(c card) (string, error) {
	if len(c.Key) > 8 {
		return "", fmt.Errorf("FITS keyword %q longer than 8 characters", c.Key)
	}
	var v string
	switch x := c.Value.(type) {
	case string:
		v = fmt.Sprintf("'%-8s'", strings.ReplaceAll(x, "'", "''"))
	case bool:
		v = fmt.Sprintf("%20s", map[bool]string{true: "T", false: "F"}[x])
	case int:
		v = fmt.Sprintf("%20d", x)
	case float64:
		s := fmt.Sprintf("%.15G", x)
		if !strings.ContainsAny(s, ".E") {
			s += "."
		}
		v = fmt.Sprintf("%20s", s)
	default:
		return "", fmt.Errorf("FITS keyword %s: unsupported value type %T", c.Key, c.Value)
	}
	line := fmt.Sprintf("%-8s= %s", c.Key, v)
	if c.Comment != "" {
		line += " / " + c.Comment
	}
	if len(line) > 80 {
		line = line[:80]
	}
	return fmt.Sprintf("%-80s", line), nil
}

// writeFITS writes a single-HDU FITS file with BITPIX=-32 data of the given
// axes (NAXIS1 first) plus the extra cards.
func writeFITS(w io.Writer, axes []int, data []float32, extra []card) error {
	n := 1
	for _, a := range axes {
		n *= a
	}
	if n != len(data) {
		return fmt.Errorf("FITS data: %d values for axes %v", len(data), axes)
	}
	cards := []card{{"SIMPLE", true, "conforms to FITS standard"}, {"BITPIX", -32, "IEEE single precision"},
		{"NAXIS", len(axes), ""}}
	for i, a := range axes {
		cards = append(cards, card{fmt.Sprintf("NAXIS%d", i+1), a, ""})
	}
	cards = append(cards, extra...)
	bw := bufio.NewWriter(w)
	written := 0
	for _, c := range cards {
		s, err := formatCard(c)
		if err != nil {
			return err
		}
		bw.WriteString(s)
		written += 80
	}
	bw.WriteString(fmt.Sprintf("%-80s", "END"))
	written += 80
	bw.WriteString(strings.Repeat(" ", pad2880(written)))
	buf := make([]byte, 4)
	for _, v := range data {
		binary.BigEndian.PutUint32(buf, math.Float32bits(v))
		bw.Write(buf)
	}
	bw.Write(make([]byte, pad2880(4*len(data))))
	return bw.Flush()
}

// pad2880 returns how many bytes complete n to a FITS block.
func pad2880(n int) int { return (2880 - n%2880) % 2880 }
