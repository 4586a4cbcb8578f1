package events

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// DecodeAEDAT3 decodes the polarity events of an AEDAT 3.1 file (jAER and
// cAER's format, in which DVS128 Gesture was recorded): header lines that
// start with '#' (the first "#!AER-DAT3.1", the last "#!END-HEADER"), then
// packets, each a 28-byte little-endian header (event type, source, event
// size, timestamp offset, timestamp overflow, capacity, number, valid)
// followed by capacity × size bytes of events.
//
// Only polarity packets (type 1, 8-byte events) are read: a 32-bit word
// with the validity mark in bit 0, the polarity in bit 1, y in bits 2-16
// and x in bits 17-31, then a 32-bit timestamp in microseconds, extended by
// the packet's overflow count (overflow·2^31 + timestamp). Invalid events
// and packets of other types (special events, frames, IMU samples) are
// skipped. Tonic's read_dvs_ibm instead reads every packet as 8-byte
// polarity events, keeps invalid ones and drops the overflow count (so
// times wrap after 2^31 µs); special-event packets then read as pixels.
// Where a file holds only valid polarity events before the first overflow,
// both give the same events (tonic_test.go checks the shared bit fields
// against Tonic's code). Tonic's DVSGesture dataset reads its own .npy
// conversion instead (see GestureNPY).
//
// A pixel outside sensor is an error (a zero Sensor skips the check), as is
// a truncated packet or a header without its end.
func DecodeAEDAT3(b []byte, sensor Sensor) ([]Event, error) {
	body, err := aedatBody(b)
	if err != nil {
		return nil, err
	}
	off := len(b) - len(body)
	// Each valid event takes 8 bytes of the file: the result is bounded by
	// the file's size.
	var ev []Event
	for pkt := 0; len(body) > 0; pkt++ {
		if len(body) < 28 {
			return nil, fmt.Errorf("packet %d at byte %d: truncated header (%d of 28 bytes)", pkt, off, len(body))
		}
		typ := binary.LittleEndian.Uint16(body[0:])
		size := int64(int32(binary.LittleEndian.Uint32(body[4:])))
		tsOff := int64(int32(binary.LittleEndian.Uint32(body[8:])))
		overflow := int64(int32(binary.LittleEndian.Uint32(body[12:])))
		capacity := int64(int32(binary.LittleEndian.Uint32(body[16:])))
		if size <= 0 || capacity < 0 || tsOff < 0 || tsOff+4 > size || overflow < 0 {
			return nil, fmt.Errorf("packet %d at byte %d: bad header (event size %d, timestamp offset %d, capacity %d, overflow %d)", pkt, off, size, tsOff, capacity, overflow)
		}
		n := size * capacity
		if n/size != capacity || n > int64(len(body)-28) {
			return nil, fmt.Errorf("packet %d at byte %d: truncated (%d events of %d bytes, %d bytes left)", pkt, off, capacity, size, len(body)-28)
		}
		data := body[28 : 28+n]
		body = body[28+n:]
		off += 28 + int(n)
		if typ != 1 {
			continue
		}
		if size != 8 || tsOff != 4 {
			return nil, fmt.Errorf("packet %d: polarity events of %d bytes with the timestamp at %d, want 8 and 4", pkt, size, tsOff)
		}
		if ev == nil {
			ev = make([]Event, 0, len(b)/8)
		}
		for k := 0; k < len(data); k += 8 {
			w := binary.LittleEndian.Uint32(data[k:])
			if w&1 == 0 {
				continue
			}
			e := Event{
				X: uint16(w >> 17 & 0x7fff), Y: uint16(w >> 2 & 0x7fff), P: uint8(w >> 1 & 1),
				T: overflow<<31 | int64(int32(binary.LittleEndian.Uint32(data[k+4:]))),
			}
			if e.T < 0 {
				return nil, fmt.Errorf("packet %d, event %d: negative timestamp %d", pkt, k/8, e.T)
			}
			if sensor.Width > 0 && !sensor.Contains(e) {
				return nil, fmt.Errorf("packet %d, event %d: pixel (%d, %d) outside the %v sensor", pkt, k/8, e.X, e.Y, sensor)
			}
			ev = append(ev, e)
		}
	}
	return ev, nil
}

// aedatBody checks the header of an AEDAT 3 file and returns what follows.
func aedatBody(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, []byte("#!AER-DAT3.")) {
		line, _, _ := bytes.Cut(b[:min(len(b), 40)], []byte("\n"))
		if bytes.HasPrefix(b, []byte("#!AER-DAT")) {
			return nil, fmt.Errorf("AEDAT version %q is not supported (only 3.x)", bytes.TrimSpace(line))
		}
		return nil, fmt.Errorf("not an AEDAT 3 file (starts %q, want \"#!AER-DAT3.1\")", bytes.TrimSpace(line))
	}
	for len(b) > 0 && b[0] == '#' {
		line, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok {
			return nil, fmt.Errorf("truncated header (no line end after %q)", line[:min(len(line), 40)])
		}
		b = rest
		if bytes.HasPrefix(line, []byte("#!END-HEADER")) {
			return b, nil
		}
	}
	return b, nil
}
