package tray

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// State is what the icon shows.
type State int

// The icon states.
const (
	NoHub       State = iota // not on any SAMP hub: grey
	ExternalHub              // on another tool's hub: green
	OwnHub                   // on the hub voagent started: blue
	Searching                // a search is running: amber
	Failed                   // the last search had failures: red
)

// String names the state (in the tooltip and tests).
func (s State) String() string {
	switch s {
	case ExternalHub:
		return "on an external hub"
	case OwnHub:
		return "on its own hub"
	case Searching:
		return "searching"
	case Failed:
		return "last search had failures"
	}
	return "no hub"
}

var stateColors = map[State]color.NRGBA{
	NoHub:       {0x88, 0x88, 0x88, 0xff},
	ExternalHub: {0x2e, 0xa0, 0x43, 0xff},
	OwnHub:      {0x2f, 0x6f, 0xd0, 0xff},
	Searching:   {0xe0, 0xa0, 0x10, 0xff},
	Failed:      {0xd0, 0x30, 0x30, 0xff},
}

// Icon is the PNG of a state: a disc in the state's colour around a white
// "eye" (a telescope's aperture), 32x32.
func Icon(s State) []byte {
	const n = 32
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	c := stateColors[s]
	for y := range n {
		for x := range n {
			dx, dy := float64(x)-15.5, float64(y)-15.5
			d := dx*dx + dy*dy
			switch {
			case d <= 5*5:
				img.SetNRGBA(x, y, color.NRGBA{0xff, 0xff, 0xff, 0xff})
			case d <= 15*15:
				img.SetNRGBA(x, y, c)
			}
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // cannot fail on an in-memory image
	return b.Bytes()
}
