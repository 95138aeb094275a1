package dottest

import (
	"html"
	"net/url"
	"regexp"
)

// The portal's pages are known Django markup, so a few patterns read them;
// a general HTML parser would be a new dependency for no gain.
var (
	formPattern  = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	inputPattern = regexp.MustCompile(`<input\b[^>]*>`)
	attrPattern  = regexp.MustCompile(`([a-zA-Z_:-]+)="([^"]*)"`)
	errorPattern = regexp.MustCompile(`(?s)<h2>(.*?)</h2>\s*<p>(.*?)</p>`)
)

// form is an HTML form: where it posts to and its hidden fields.
type form struct {
	action string
	values url.Values
}

// findForm returns the form with the given id attribute on a page.
func findForm(page, id string) (form, bool) {
	for _, m := range formPattern.FindAllStringSubmatch(page, -1) {
		attrs := attributes(m[1])
		if attrs["id"] != id {
			continue
		}
		f := form{action: attrs["action"], values: url.Values{}}
		for _, input := range inputPattern.FindAllString(m[2], -1) {
			a := attributes(input)
			if a["type"] == "hidden" && a["name"] != "" {
				f.values.Set(a["name"], a["value"])
			}
		}
		return f, true
	}
	return form{}, false
}

func attributes(tag string) map[string]string {
	attrs := map[string]string{}
	for _, m := range attrPattern.FindAllStringSubmatch(tag, -1) {
		attrs[m[1]] = html.UnescapeString(m[2])
	}
	return attrs
}

// pageError is the error DOT shows instead of the consent form, e.g.
// "Error: invalid_request" for an unknown client.
func pageError(page string) string {
	if m := errorPattern.FindStringSubmatch(page); m != nil {
		return html.UnescapeString(m[1] + ": " + m[2])
	}
	return ""
}
