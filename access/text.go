package access

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxExportSize bounds an export file as read from disk (UTF-16 doubles a
// file's size; a membership export of a large forest is a few MiB).
const MaxExportSize = 64 << 20

// readExport reads an export file, refusing anything but a regular file of
// at most MaxExportSize bytes.
func readExport(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &ExportError{File: path, Msg: "file not found", Err: err}
		}
		return nil, &ExportError{File: path, Msg: fmt.Sprintf("open: %v", err), Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &ExportError{File: path, Msg: fmt.Sprintf("stat: %v", err), Err: err}
	}
	if !st.Mode().IsRegular() {
		return nil, &ExportError{File: path, Msg: "not a regular file"}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxExportSize+1))
	if err != nil {
		return nil, &ExportError{File: path, Msg: fmt.Sprintf("read: %v", err), Err: err}
	}
	if len(data) > MaxExportSize {
		return nil, &ExportError{File: path, Msg: fmt.Sprintf("larger than %d bytes", MaxExportSize)}
	}
	return data, nil
}

// Encoding is how an export file was written.
type Encoding string

const (
	UTF8      Encoding = "UTF-8"
	UTF8BOM   Encoding = "UTF-8 with BOM"
	UTF16LE   Encoding = "UTF-16LE with BOM"
	UTF16BE   Encoding = "UTF-16BE with BOM"
	encBinary Encoding = ""
)

// decodeText returns the text of an export as UTF-8, whichever way
// PowerShell wrote it: UTF-8 (PowerShell 7's default, and ASCII, Windows
// PowerShell 5.1's Export-Csv default), UTF-8 with a BOM (5.1's -Encoding
// UTF8), or UTF-16LE with a BOM (5.1's > and Out-File); UTF-16BE with a
// BOM is accepted too. Line numbers are the same in the result as in the
// file. Text that is none of these names the line of the first bad byte.
func decodeText(file string, data []byte) (string, Encoding, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if err := checkUTF8(file, data); err != nil {
			return "", encBinary, err
		}
		return string(data), UTF8BOM, nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		le := data[0] == 0xFF
		enc := UTF16BE
		if le {
			enc = UTF16LE
		}
		data = data[2:]
		if len(data)%2 != 0 {
			return "", encBinary, &ExportError{File: file, Line: countLines16(data, le), Msg: fmt.Sprintf("%s text has an odd number of bytes: the file is cut short", enc)}
		}
		u := make([]uint16, len(data)/2)
		for i := range u {
			if le {
				u[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
			} else {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			}
		}
		return string(utf16.Decode(u)), enc, nil
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", encBinary, &ExportError{File: file, Line: 1 + bytes.Count(data[:i], []byte{'\n'}),
			Msg: "holds NUL bytes: UTF-16 without a byte-order mark, or not text; export again with -Encoding UTF8 (or let > write UTF-16 with its BOM)"}
	}
	if err := checkUTF8(file, data); err != nil {
		return "", encBinary, err
	}
	return string(data), UTF8, nil
}

func checkUTF8(file string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return &ExportError{File: file, Line: 1 + bytes.Count(data[:i], []byte{'\n'}),
				Msg: fmt.Sprintf("not UTF-8 (byte 0x%02X): export with -Encoding UTF8 (Windows PowerShell's Set-Content and -Encoding Default write the ANSI code page)", data[i])}
		}
		i += n
	}
	return nil
}

// countLines16 is the line number at the end of UTF-16 data.
func countLines16(data []byte, le bool) int {
	n := 1
	for i := 0; i+1 < len(data); i += 2 {
		lo, hi := data[i], data[i+1]
		if !le {
			lo, hi = hi, lo
		}
		if lo == '\n' && hi == 0 {
			n++
		}
	}
	return n
}

// lineCol returns the 1-based line and column (in characters) of byte
// offset off in s.
func lineCol(s string, off int) (line, col int) {
	if off > len(s) {
		off = len(s)
	}
	line = 1 + strings.Count(s[:off], "\n")
	start := strings.LastIndexByte(s[:off], '\n') + 1
	return line, 1 + utf8.RuneCountInString(s[start:off])
}
