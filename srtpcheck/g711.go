package srtpcheck

import "math"

// tone returns 160 samples (20 ms at 8 kHz) of a 400 Hz tone encoded as
// G.711 µ-law (payload type 0) or A-law (8) (ITU-T G.711).
func tone(pt uint8) []byte {
	out := make([]byte, 160)
	for i := range out {
		v := int16(8000 * math.Sin(2*math.Pi*400*float64(i)/8000))
		if pt == 8 {
			out[i] = linearToALaw(v)
		} else {
			out[i] = linearToULaw(v)
		}
	}
	return out
}

func linearToULaw(s int16) byte {
	const bias, clip = 0x84, 32635
	x := int(s)
	sign := 0
	if x < 0 {
		x, sign = -x, 0x80
	}
	if x > clip {
		x = clip
	}
	x += bias
	exp := 7
	for mask := 0x4000; x&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (x >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mant)
}

func linearToALaw(s int16) byte {
	x := int(s)
	sign := 0x80
	if x < 0 {
		x, sign = -x-1, 0
	}
	if x > 32767 {
		x = 32767
	}
	var b int
	if x < 256 {
		b = x >> 4
	} else {
		exp := 1
		for v := x >> 8; v > 1 && exp < 7; v >>= 1 {
			exp++
		}
		b = exp<<4 | (x>>(exp+3))&0x0F
	}
	return byte(b|sign) ^ 0x55
}
