package cli

// appendIndented appends src, valid JSON, indented as json.Indent(dst, src,
// "  ", "  ") indents it: an item of a list printed as Print prints a page.
// Validity is the reader's business (encoding/json's decoder checked every
// item), so one pass that only tells strings from structure suffices; it is
// several times faster than json.Indent, whose scanner validates again,
// which `list --all -o json` felt over thousands of items.
func appendIndented(dst, src []byte) []byte {
	depth, open := 0, false // open: after { or [, its newline not yet written
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		if open && c != '}' && c != ']' {
			open = false
			depth++
			dst = appendNewline(dst, depth)
		}
		switch c {
		case '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(src))
			dst = append(dst, src[i:j]...)
			i = j - 1
		case '{', '[':
			open = true
			dst = append(dst, c)
		case ',':
			dst = appendNewline(append(dst, c), depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if open { // empty: {} and [] stay on one line
				open = false
			} else {
				depth--
				dst = appendNewline(dst, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendNewline starts a line at depth under the "  " prefix.
func appendNewline(dst []byte, depth int) []byte {
	dst = append(dst, '\n', ' ', ' ')
	for range depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}
