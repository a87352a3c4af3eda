//go:build ignore

// gen_icons draws the Teams app icons: color.png (192×192, full colour) and
// outline.png (32×32, white on transparent, as Teams requires). Run it from
// this directory with `go run gen_icons.go`; the PNGs are committed.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

// accent is the manifest's accentColor, #1F6F5C.
var accent = color.NRGBA{0x1F, 0x6F, 0x5C, 0xFF}

func main() {
	write("color.png", draw(192, true))
	write("outline.png", draw(32, false))
}

// draw renders a target (a ring and a centre dot, the "outcome") with an
// upward arrow through it, anti-aliased by 4×4 supersampling. With bg it
// sits on a rounded accent square; without, it is white on transparent.
func draw(size int, bg bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var fg, back int
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					u := (float64(x) + (float64(sx)+0.5)/ss) / float64(size)
					v := (float64(y) + (float64(sy)+0.5)/ss) / float64(size)
					if glyph(u, v) {
						fg++
					} else if bg && roundedSquare(u, v) {
						back++
					}
				}
			}
			n := ss * ss
			switch {
			case bg:
				// white glyph over accent background, transparent corners
				a := float64(fg+back) / float64(n)
				if a == 0 {
					continue
				}
				w := float64(fg) / float64(fg+back)
				mix := func(c uint8) uint8 { return uint8(math.Round(float64(c)*(1-w) + 255*w)) }
				img.SetNRGBA(x, y, color.NRGBA{mix(accent.R), mix(accent.G), mix(accent.B), uint8(math.Round(255 * a))})
			default:
				if fg > 0 {
					img.SetNRGBA(x, y, color.NRGBA{255, 255, 255, uint8(math.Round(255 * float64(fg) / float64(n)))})
				}
			}
		}
	}
	return img
}

// glyph reports whether the point (u, v) in [0,1)² is on the target or arrow.
func glyph(u, v float64) bool {
	dx, dy := u-0.5, v-0.52
	r := math.Hypot(dx, dy)
	ring := r > 0.22 && r < 0.31
	dot := r < 0.09
	// arrow: a shaft from the centre up-right, and its head
	ax, ay := u-0.5, 0.52-v // y up
	along := (ax + ay) / math.Sqrt2
	across := (ax - ay) / math.Sqrt2
	shaft := along > 0 && along < 0.30 && math.Abs(across) < 0.04
	head := along > 0.26 && along < 0.44 && math.Abs(across) < (0.44-along)*0.65
	return ring || dot || shaft || head
}

// roundedSquare reports whether (u, v) is inside a square with rounded corners.
func roundedSquare(u, v float64) bool {
	const r = 0.18
	cx := math.Max(r, math.Min(1-r, u))
	cy := math.Max(r, math.Min(1-r, v))
	return math.Hypot(u-cx, v-cy) <= r
}

func write(name string, img image.Image) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
